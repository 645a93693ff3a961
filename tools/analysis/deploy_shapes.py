"""What deploys look like in logs: a catalogue, as data.

Three kinds of knowledge, each a table:

- DEPLOY_PHRASINGS: what deploy systems print, word for word (Kubernetes' deployment controller,
  kubectl, Argo CD, Helm, Flux, Heroku). One row per phrasing: a pattern over the message, the real
  line it was taken from and where that line came from, and what the row must read out of it.
  `tests/tools/analysis/test_deploy_shapes.py` runs every row on its sample.
- The vocabulary of structured deploy events: which keys say what happened (`event`, `type`,
  `action`, ...), its phase (`status`, `phase`, ...), what shipped (`version`, `image`, `sha`, ...)
  and to which service (`service`, `app`, `deployment`, ...). STRUCTURED_SAMPLES holds real and
  documented shapes of such events, each tested like a phrasing.
- The words: deploy verbs and nouns, phase words, and the keys whose value is a user's, a path's or a
  query's (`user deploy` names a user, it is no deploy).

Adding a deploy system is adding a row with its sample here, not a regex in the analysis.
"""

from __future__ import annotations

import re
from functools import cached_property
from typing import Literal

from pydantic import BaseModel, ConfigDict

Phase = Literal["started", "completed", "failed", "retired", "other"]
# retired: the line says an old version went away (an old replica set scaled down). Not a deploy by
# itself; it is what tells a rollout from a mere scale-up.


class DeployPhrasing(BaseModel):
    """One way a deploy system says a deploy happened."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    system: str
    pattern: str  # over the message; named groups: service, version, phase (each optional)
    phase: Phase | None = None  # what the phrasing itself says, when no `phase` group does
    service_from_line: bool = False  # the phrasing names no service: the line's own is deployed
    rollover: bool = False  # a deploy only when the same service also retires another version
    version_is_commit: bool = False  # the `version` group is a git revision (Argo CD, Heroku)
    sample: str  # a real line, as the system prints it
    message: str  # the part of `sample` a log line hands over as its message
    source: str  # where `sample` came from
    expect: tuple[str | None, str | None, Phase]  # (service, version, phase) read from `message`

    @cached_property
    def regex(self) -> re.Pattern[str]:
        return re.compile(self.pattern)


# Kubernetes names a replica set <deployment>-<pod-template-hash>; the hash is written with an
# alphabet that has no vowels (k8s.io/apimachinery rand.SafeEncodeString), so it cannot eat a word.
# A phrasing starts the message or follows a blank (a component, a column of `kubectl describe`), never
# a quote: quoted, it is someone's value.
_START = r"(?:^|(?<=\s))"
_RS = r"(?P<service>[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?)-(?P<version>[bcdfghjklmnpqrstvwxz2456789]{5,10})"

DEPLOY_PHRASINGS: tuple[DeployPhrasing, ...] = (
    DeployPhrasing(
        name="kubernetes-scaled-up-replica-set", system="Kubernetes deployment controller (event ScalingReplicaSet)",
        pattern=rf"{_START}Scaled up replica set {_RS} to \d+", phase="started", rollover=True,
        sample="  Normal  ScalingReplicaSet  16m   deployment-controller  Scaled up replica set deployment-5b85bc8649 to 1",
        message="Scaled up replica set deployment-5b85bc8649 to 1",
        source="`kubectl describe deployment` output in github.com/KacperPiotrGadula/Kubernetes Deployment/Readme.md",
        expect=("deployment", "5b85bc8649", "started"),
    ),
    DeployPhrasing(
        name="kubernetes-scaled-down-replica-set", system="Kubernetes deployment controller (event ScalingReplicaSet)",
        pattern=rf"{_START}Scaled down replica set {_RS} to \d+", phase="retired",
        sample="  Normal  ScalingReplicaSet  16m   deployment-controller  Scaled down replica set deployment-6846c969fd to 2 from 3",
        message="Scaled down replica set deployment-6846c969fd to 2 from 3",
        source="`kubectl describe deployment` output in github.com/KacperPiotrGadula/Kubernetes Deployment/Readme.md",
        expect=("deployment", "6846c969fd", "retired"),
    ),
    DeployPhrasing(
        name="kubectl-rollout-status-done", system="kubectl rollout status",
        pattern=_START + r'deployment "(?P<service>[^"]+)" successfully rolled out', phase="completed",
        sample='deployment "nginx-deployment" successfully rolled out',
        message='deployment "nginx-deployment" successfully rolled out',
        source="github.com/Sudarshan-1999/kube-and-service kode-kloud-practices/readme.md; printed by "
               "kubernetes/kubectl pkg/polymorphichelpers/rollout_status.go",
        expect=("nginx-deployment", None, "completed"),
    ),
    DeployPhrasing(
        name="kubectl-rollout-status-waiting", system="kubectl rollout status",
        pattern=_START + r'Waiting for deployment "(?P<service>[^"]+)" rollout to finish', phase="started",
        sample='Waiting for deployment "harness-example-deployment" rollout to finish: 0 of 2 updated replicas are available...',
        message='Waiting for deployment "harness-example-deployment" rollout to finish: 0 of 2 updated replicas are available...',
        source="Harness docs' Kubernetes deployment walkthrough (a CI step's log), found by the code search; "
               "format from kubernetes/kubectl pkg/polymorphichelpers/rollout_status.go",
        expect=("harness-example-deployment", None, "started"),
    ),
    DeployPhrasing(
        name="kubectl-deployment-changed", system="kubectl apply / set image / rollout restart / rollout undo",
        pattern=_START + r"deployment(?:\.apps|\.extensions)?/(?P<service>[a-z0-9][a-z0-9.-]*) "
                r"(?P<phase>configured|image updated|restarted|rolled back)$", phase="started",
        sample="deployment.apps/deployments-busybox-deployment-deployment configured",
        message="deployment.apps/deployments-busybox-deployment-deployment configured",
        source="github.com/ltqb/k8sinaction examples/rs_deployment/test_rs_deploy.md (`kubectl apply -f ... --record`)",
        expect=("deployments-busybox-deployment-deployment", None, "started"),
    ),
    DeployPhrasing(
        name="argocd-sync-operation", system="Argo CD application controller (event OperationCompleted)",
        pattern=_START + r"(?:Partial )?[Ss]ync operation to (?P<version>[0-9A-Za-z._/-]+) (?P<phase>succeeded|failed)",
        service_from_line=True, version_is_commit=True,
        sample="  Normal  OperationCompleted  17m   argocd-application-controller  "
               "Sync operation to 4ebe26e6fa669901c6be8eaebe3083b9072af15a succeeded",
        message="Sync operation to 4ebe26e6fa669901c6be8eaebe3083b9072af15a succeeded",
        source="`kubectl describe application podinfo -n argocd` in a public write-up found by the code search; "
               "printed by argoproj/argo-cd controller/appcontroller.go (setOperationState)",
        expect=(None, "4ebe26e6fa669901c6be8eaebe3083b9072af15a", "completed"),
    ),
    DeployPhrasing(
        name="argocd-automated-sync", system="Argo CD application controller (event OperationStarted)",
        pattern=_START + r"Initiated automated sync to '(?P<version>[0-9A-Za-z._/-]+)'", phase="started", service_from_line=True,
        version_is_commit=True,
        sample="time=\"2026-10-07T17:58:51Z\" level=info msg=\"Initiated automated sync to "
               "'ccf7db67403ac18c1b3bde351e4e627816ca7e79'\" application=final-app dest-namespace=final-app",
        message="Initiated automated sync to 'ccf7db67403ac18c1b3bde351e4e627816ca7e79'",
        source="argocd-application-controller log in a public write-up found by the code search; printed by "
               "argoproj/argo-cd controller/appcontroller.go (autoSync) through util/argo/audit_logger.go",
        expect=(None, "ccf7db67403ac18c1b3bde351e4e627816ca7e79", "started"),
    ),
    DeployPhrasing(
        name="helm-upgraded", system="helm upgrade",
        pattern=_START + r'Release "(?P<service>[^"]+)" has been upgraded', phase="completed",
        sample='Release "cassandra-power" has been upgraded. Happy Helming!',
        message='Release "cassandra-power" has been upgraded. Happy Helming!',
        source="a helm tutorial's transcript on GitHub found by the code search; printed by helm/helm cmd/helm/upgrade.go",
        expect=("cassandra-power", None, "completed"),
    ),
    DeployPhrasing(
        name="flux-helm-release", system="Flux helm-controller (HelmRelease condition and event)",
        pattern=_START + r"Helm (?:install|upgrade|rollback) (?P<phase>succeeded|failed) for release "
                r"(?:[^/\s]+/)?(?P<service>[a-z0-9][a-z0-9.-]*?)\.v\d+(?: with chart [^@\s]+@(?P<version>[^\s:]+))?",
        sample="cilium  1.16.5    True    Helm upgrade succeeded for release kube-system/cilium.v2 with chart cilium@1.16.5",
        message="Helm upgrade succeeded for release kube-system/cilium.v2 with chart cilium@1.16.5",
        source="`flux get helmreleases -n kube-system --watch` in a public post found by the code search; "
               "format fmtUpgradeSuccess of fluxcd/helm-controller internal/reconcile",
        expect=("cilium", "1.16.5", "completed"),
    ),
    DeployPhrasing(
        name="heroku-deploy", system="Heroku platform API (app[api] log line)",
        pattern=_START + r"Deploy (?P<version>[0-9a-f]{7,40}) by ", phase="started", service_from_line=True,
        version_is_commit=True,
        sample="2021-03-03T18:20:03.181821+00:00 app[api]: Deploy d2fe39d5 by user naheed28ray@gmail.com",
        message="Deploy d2fe39d5 by user naheed28ray@gmail.com",
        source="`heroku logs` excerpt in a public README found by the code search",
        expect=(None, "d2fe39d5", "started"),
    ),
)


class StructuredSample(BaseModel):
    """A structured deploy event as some system writes it, and what must be read out of it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    system: str
    message: str  # what the scan hands over: the msg, or the whole object when the line has none
    line_service: str  # the service the scan gives the line
    source: str
    expect: tuple[str | None, str | None, Phase]


STRUCTURED_SAMPLES: tuple[StructuredSample, ...] = (
    StructuredSample(
        name="json-msg-with-pairs", system="a JSON log whose msg carries key=value pairs",
        message="deployment started service=auth-service version=v1.2.3", line_service="gateway",
        source='issue #17: {"msg":"deployment started service=auth-service version=v1.2.3"} was not recognised',
        expect=("auth-service", "v1.2.3", "started"),
    ),
    StructuredSample(
        name="ecs-event-action", system="Elastic Common Schema (event.action, service.name, service.version)",
        message='{"@timestamp":"2024-05-02T10:14:00.000Z","log.level":"info","event":{"action":"deployment-finished",'
                '"outcome":"success"},"service":{"name":"billing-api","version":"2.4.0"}}',
        line_service="billing-api",
        source="written for this catalogue in the documented ECS field set (elastic.co/guide/en/ecs: event.action, "
               "event.outcome, service.name, service.version); no public sample was found",
        expect=("billing-api", "2.4.0", "completed"),
    ),
    StructuredSample(
        name="spinnaker-echo-stage", system="Spinnaker Echo event (orca:stage:complete of a Deploy (Manifest) stage)",
        message='{"details":{"source":"orca","type":"orca:stage:complete","application":"billingapi"},'
                '"content":{"name":"Deploy (Manifest)","context":{"stageDetails":{"type":"deployManifest",'
                '"status":"SUCCEEDED"}}}}',
        line_service="echo",
        source="written for this catalogue in the documented shape of Echo events (details.type orca:stage:complete, "
               "details.application; spinnaker/echo and the event types seen in public handlers such as "
               "spinnaker-datadog-bridge); no public log line was found",
        expect=("billingapi", None, "completed"),
    ),
    StructuredSample(
        name="ci-deploy-step", system="a CI job's structured deploy step (GitHub Actions / GitLab style)",
        message='{"level":"info","type":"deploy","status":"started","app":"checkout-web",'
                '"image":"ghcr.io/acme/checkout-web:2024.05.02-3f9c1e2","environment":"production"}',
        line_service="ci",
        source="written for this catalogue: the type/status/app/image keys of the issue's list; no public sample",
        expect=("checkout-web", "2024.05.02-3f9c1e2", "started"),
    ),
)

# Keys whose value says what happened. A key is matched by its last dotted segment (`event.action`).
ACTION_KEYS = frozenset({"event", "type", "kind", "action", "event_type", "eventtype", "operation", "task", "activity"})
# Keys whose value says how far it got.
PHASE_KEYS = frozenset({"status", "phase", "state", "outcome", "result", "stage_status"})
# Keys that name the service deployed, by last segment; and whole keys that do (`app.kubernetes.io/name`).
SERVICE_KEYS = frozenset({"service", "service_name", "servicename", "app", "app_name", "appname", "application",
                          "deployment", "workload", "component"})
SERVICE_PATHS = frozenset({"service.name", "app.kubernetes.io/name", "kubernetes.labels.app", "labels.app"})
# Keys that say what shipped, best first: a version, else an image reference's tag, else a commit.
VERSION_KEYS = ("version", "app_version", "appversion", "release_version", "image_tag", "imagetag", "tag")
IMAGE_KEYS = ("image", "image.name", "container.image", "image_ref")
COMMIT_KEYS = ("sha", "commit", "git_sha", "git_commit", "commit_sha", "revision")

# Deploy words by kind. `release` and `upgrade` say "deploy" only with a version beside them
# (`released connection 42`, `Upgrade: websocket` are not deploys).
DEPLOY_WORDS: dict[str, str] = {
    **dict.fromkeys(("deploy", "deploys", "deployed", "deploying", "deployment", "deployments", "redeploy",
                     "redeployed", "redeploying"), "deploy"),
    **dict.fromkeys(("rollout", "rollouts"), "rollout"),
    **dict.fromkeys(("release", "released", "releasing"), "release"),
    **dict.fromkeys(("upgrade", "upgraded", "upgrading"), "upgrade"),
}
NEEDS_VERSION = frozenset({"release", "upgrade"})
# Two-word forms: `rolled out`, `rolling out`, `roll out`.
ROLL_OUT = frozenset({"roll", "rolled", "rolling"})

PHASE_WORDS: dict[str, Phase] = {
    **dict.fromkeys(("start", "started", "starting", "begin", "began", "initiated", "triggered", "progressing",
                     "running", "inprogress", "deploying", "rolling", "pending", "requested"), "started"),
    **dict.fromkeys(("complete", "completed", "finished", "succeeded", "success", "successful", "successfully",
                     "done", "deployed", "live", "rolled", "released", "upgraded", "synced"), "completed"),
    **dict.fromkeys(("fail", "failed", "failure", "error", "errored", "aborted", "cancelled", "canceled",
                     "terminal", "timeout"), "failed"),
}

# Nouns whose next word is a value someone typed or chose: a user name, a path, a query, a host.
# `Invalid user deploy from 187.141.143.180` names the user `deploy`; `query: deploy` searched for it.
VALUE_NOUNS = frozenset({"user", "username", "login", "account", "as", "path", "file", "filename", "dir", "directory",
                         "url", "uri", "query", "q", "search", "term", "keyword", "host", "hostname", "key", "group",
                         "role", "owner", "by", "tag", "label", "branch", "channel", "room", "topic", "title",
                         "subject", "named", "called"})
# Words that sit between a deploy word and what it deploys (`deploy of cart-api`, `deploying version 1.2`).
CONNECTORS = frozenset({"of", "for", "the", "a", "an", "new", "version", "image", "service", "app", "application",
                        "build", "release", "revision", "tag", "commit"})
# After these, the next word says where, from where or by whom: never the service deployed.
DESTINATIONS = frozenset({"to", "into", "onto", "on", "in", "at", "across"})
SOURCES = frozenset({"from", "by", "via", "with", "using"})
