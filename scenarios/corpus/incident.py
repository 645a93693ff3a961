"""One generated incident: topology, change, logs and deploy evidence put together as a Scenario.

Expected recommendations follow the triage workflow (seeds/000, Phase 4, "choose the fastest
mitigation"), kind by kind:
- bad_deploy: the root cause is in a recent deploy on a critical user path (the chain users call is
  checkout/payment/auth-like) -> Option 1, "Revert Deploy ... When: if root cause is in recent
  deploy": ROLLBACK. This holds whatever the change (config, limit, replicas, dependency, code).
- flag_flip: the deploy only switched a feature flag on -> Option 2, "Feature Flag ... When: if
  issue is in optional feature", faster than a revert: DISABLE_FEATURE — where the flag has a switch
  of its own at run time: an environment variable the file is filled from (a manifest's env, a .env
  file) or one the context's `config_env` names. A flag that is a constant in code or a value in a
  config file with nothing overriding it is switched back only by a deploy: the revert, Option 1,
  ROLLBACK (issue #17: DISABLE_FEATURE needs a grounded switch and always has a command).
- saturation: errors of exhaustion with no change to the service -> Option 3, "Scale Resources ...
  When: issue is resource exhaustion": SCALE (nothing to revert).
- control: no rise over the baseline noise (the severity table's "no user impact") -> no mitigation,
  only "Monitor: watch metrics, error rate": MONITOR.
"""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime, timedelta

import yaml

from wicked_platform.scenarios.corpus.changes import CHANGE_KINDS, Change, baseline_file, draw_change
from wicked_platform.scenarios.corpus.deploy_evidence import DEPLOY_EVIDENCE, DeployEvent, deploy_log, deploys_file
from wicked_platform.scenarios.corpus.log_specs import LOG_FORMATS, MESSAGE_FORMATS, incident_window, request_log
from wicked_platform.scenarios.corpus.settings import Deployed
from wicked_platform.scenarios.corpus.topology import Service, Topology, draw_topology
from wicked_platform.scenarios.corpus.truth import INCIDENT_KINDS, GeneratedIncident, IncidentKind, IncidentTruth
from wicked_platform.scenarios.model import CommitSpec, LogSpec, RepoSpec, Scenario
from wicked_platform.tools.context import IncidentContext
from wicked_platform.tools.report import Recommendation

FIRST_DAY = datetime(2026, 1, 5, tzinfo=UTC)
AUTHORS = ("Ana Silva <ana@example.com>", "Ben Okafor <ben@example.com>", "Chen Wei <chen@example.com>",
           "Dana Levi <dana@example.com>")
SATURATION_MESSAGES = ["Request queue full ({n} waiting), rejecting request REQ-{n}",
                       "Thread pool exhausted (200/200 busy) while serving REQ-{n}",
                       "CPU throttled: request REQ-{n} exceeded its 2000ms budget"]
EXPECTED: dict[IncidentKind, tuple[Recommendation, str]] = {
    "bad_deploy": ("ROLLBACK", "root cause in a recent deploy on a critical path: revert first (Phase 4, option 1)"),
    "flag_flip": ("DISABLE_FEATURE", "the deploy switched a flag on: turn the feature off (Phase 4, option 2)"),
    "saturation": ("SCALE", "resource exhaustion with no change to revert: scale (Phase 4, option 3)"),
    "control": ("MONITOR", "no rise over the baseline: no user impact, keep watching (Phase 1, low)"),
}
NO_SWITCH: tuple[Recommendation, str] = (
    "ROLLBACK", "the deploy switched a flag on that nothing switches at run time (no env var fills it, no config_env): "
                "only a deploy turns it off, so revert (Phase 4, option 1)")
DEPENDENCIES = ("postgres", "redis", "provider", "upstream", "ledger")
TOKEN = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")


class _Versions:
    """Each service's next release number."""

    def __init__(self, rng: random.Random, services: list[Service]) -> None:
        self._current = {s.name: [rng.randint(1, 4), rng.randint(0, 20), 0] for s in services}

    def next(self, service: str) -> str:
        version = self._current[service]
        version[1] += 1
        return f"v{version[0]}.{version[1]}.{version[2]}"


def generate_incident(seed: int, index: int) -> GeneratedIncident:
    """Incident `index` of the corpus drawn with `seed`: the same pair always gives the same incident."""
    rng = random.Random(f"{seed}:{index}")
    kind: IncidentKind = INCIDENT_KINDS[index % len(INCIDENT_KINDS)] if index < len(INCIDENT_KINDS) \
        else rng.choice(INCIDENT_KINDS)
    cascade_depth = rng.choice((0, 0, 1, 1, 2)) if kind != "control" else 0
    topology = draw_topology(rng, cascade_depth + 1, rng.randint(1, 3),
                             critical_root=kind == "bad_deploy" or rng.random() < 0.5)
    culprit = topology.chain[-1]
    onset = FIRST_DAY + timedelta(days=rng.randint(0, 330), hours=rng.randint(8, 18), minutes=rng.randint(0, 59),
                                  seconds=rng.randint(0, 59))
    start, end = onset - timedelta(minutes=rng.randint(45, 75)), onset + timedelta(minutes=rng.randint(12, 25))
    versions = _Versions(rng, topology.services)
    deployed = {s.name: Deployed(replicas=rng.choice((3, 4, 6)), memory_limit=rng.choice(("512Mi", "1Gi", "2Gi")),
                                 image=f"registry.example.com/{s.name}:{rng.randint(100, 999)}")
                for s in topology.services}
    author = iter(rng.choices(AUTHORS, k=64))
    initial: dict[str, str] = {"README.md": f"# platform\n\n{' -> '.join(s.name for s in topology.chain)}\n"}
    for service in topology.services:
        path, text = baseline_file(rng, service.name, service.deployment, deployed[service.name])
        initial[path] = text
    change: Change | None = None
    if kind in ("bad_deploy", "flag_flip"):
        change_kind = "flag" if kind == "flag_flip" else rng.choice([k for k in CHANGE_KINDS if k != "flag"])
        dependency = rng.choice(DEPENDENCIES)  # what the culprit calls outside the chain
        change = draw_change(rng, change_kind, culprit.name, culprit.deployment, dependency, deployed[culprit.name])
        initial = {p: t for p, t in initial.items() if not p.startswith((f"services/{culprit.name}/",
                                                                          f"charts/{culprit.name}/",
                                                                          f"deploy/k8s/{culprit.name}/"))}
        initial[change.path] = change.before

    evidence = rng.choice(DEPLOY_EVIDENCE)
    commits: list[CommitSpec] = [CommitSpec(message="Initial import", date=start - timedelta(days=3),
                                            author=next(author), files=initial)]
    deploys: list[DeployEvent] = []
    truth_subject, lag = None, None
    if change is not None:
        lag = rng.randint(45, 420)
        completed = onset - timedelta(seconds=lag)
        started = completed - timedelta(seconds=rng.randint(40, 180))
        version = versions.next(culprit.name)
        truth_subject = f"{change_kind_prefix(change)}({culprit.name}): {change.subject_verb}"
        commits.append(CommitSpec(message=truth_subject, date=started - timedelta(minutes=rng.randint(15, 90)),
                                  author=next(author), files={change.path: change.after},
                                  tags=[f"{culprit.name}-{version}"] if evidence != "none" else []))
        deploys.append(DeployEvent(service=culprit.name, version=version, started=started, completed=completed))
    # Red herrings: innocent releases of other services, some before the onset and some after it.
    innocents = [s for s in topology.services if s.name != culprit.name] or [culprit]
    herrings_before, herrings_after = rng.randint(0, 2), rng.randint(0, 1)
    for number in range(herrings_before + herrings_after):
        service = rng.choice(innocents)
        after = number >= herrings_before
        started = onset + timedelta(minutes=rng.randint(3, 10)) if after else onset - timedelta(minutes=rng.randint(20, 55))
        started -= timedelta(seconds=number)  # two herrings never share a second
        completed = started + timedelta(seconds=rng.randint(40, 150))
        version = versions.next(service.name)
        subject = f"docs({service.name}): Describe release {version}"
        commits.append(CommitSpec(message=subject, date=started - timedelta(minutes=rng.randint(5, 60)),
                                  author=next(author), files={f"services/{service.name}/CHANGELOG.md":
                                                              f"# {service.name}\n\n## {version}\n\nCopy edits.\n"},
                                  tags=[f"{service.name}-{version}"] if evidence != "none" else []))
        deploys.append(DeployEvent(service=service.name, version=version, started=started, completed=completed))
    commits = _in_order(commits)

    sampled = rng.random() < 0.4
    logs, formats, traffic = _logs(rng, kind, topology, change, onset, start, end, sampled)
    assets: dict[str, str] = {}
    args = ["--log", "logs/"]
    if deploys and evidence == "log":
        assets["deploys.log"] = deploy_log(rng, deploys)
        logs.append(LogSpec(path="logs/deploys.log", file="deploys.log"))
    elif deploys and evidence == "deploys_file":
        name, text = deploys_file(rng, deploys)
        assets[name] = text
        logs.append(LogSpec(path=f"deploy-records/{name}", file=name))
        args += ["--deploys", f"deploy-records/{name}"]

    context = _context(rng, topology, change, traffic)
    scenario = Scenario(
        title=f"generated incident {index} (seed {seed}): {kind}",
        description=_description(rng, kind, topology.chain[0], onset),
        repo=RepoSpec(commits=commits), logs=logs, context=context, args=args,
    )
    recommendation, why = EXPECTED[kind]
    if kind == "flag_flip" and not _has_runtime_switch(change, culprit, context):
        recommendation, why = NO_SWITCH
    truth = IncidentTruth(
        kind=kind, service=None if kind == "control" else culprit.name, subject=truth_subject,
        change_kind=change.kind if change else None, file=change.path if change else None,
        file_format=change.file_format if change else None, recommendation=recommendation, why=why,
        deploy_evidence=evidence if deploys else "none", log_formats=formats, sampled=sampled,
        cascade_depth=cascade_depth, red_herrings=herrings_before + herrings_after,
        onset=None if kind == "control" else onset.strftime("%Y-%m-%dT%H:%M:%SZ"), deploy_lag_seconds=lag,
        grounded_names=_grounded_names(scenario, assets),
    )
    return GeneratedIncident(name=f"generated-{seed}-{index:04d}", scenario=scenario, assets=assets, truth=truth)


def change_kind_prefix(change: Change) -> str:
    return {"dependency": "build", "code": "refactor", "flag": "feat"}.get(change.kind, "perf" if change.kind in
                                                                          ("timeout", "ttl") else "chore")


def _in_order(commits: list[CommitSpec]) -> list[CommitSpec]:
    """Oldest first, as history is; two commits on one file keep their order by date."""
    return sorted(commits, key=lambda c: c.date)


def _logs(rng: random.Random, kind: IncidentKind, topology: Topology, change: Change | None, onset: datetime,
          start: datetime, end: datetime, sampled: bool) -> tuple[list[LogSpec], list[str], dict[str, float]]:
    """Every service's request log; the culprit's errors rise at the onset, and each caller up the chain
    fails a few seconds later because its dependency does (the cascade)."""
    logs, formats, traffic = [], [], {}
    chain = topology.chain
    for service in topology.services:
        rpm = float(rng.choice((60, 120, 240, 600)))
        traffic[service.name] = rpm
        incident = None
        if kind != "control" and service in chain:
            depth_above = len(chain) - 1 - chain.index(service)
            at = onset + timedelta(seconds=3 * depth_above)
            if depth_above == 0:
                messages = change.messages if change else rng.sample(SATURATION_MESSAGES, 2)
            else:
                below = chain[chain.index(service) + 1].name
                messages = [f"Upstream {below} returned 503 for request REQ-{{n}}"]
            incident = incident_window(at, service.name, rng.choice((0.2, 0.35, 0.6, 0.9)), messages)
        saturated = kind == "saturation" and service == chain[-1]
        log, fmt = request_log(rng, service.name, start, end, rpm, sampled, rng.choice((0.0, 0.002, 0.005, 0.01)),
                               incident, MESSAGE_FORMATS if saturated else LOG_FORMATS)
        logs.append(log)
        formats.append(fmt)
    return logs, formats, traffic


def _context(rng: random.Random, topology: Topology, change: Change | None,
             traffic: dict[str, float]) -> IncidentContext | None:
    if rng.random() < 0.15:
        return None  # teams without a context file exist; the report must still be grounded
    services: dict[str, dict] = {}
    for position, service in enumerate(topology.services):
        # Only what a person would write: the fields set here, none of the model's defaults.
        entry: dict = {"critical": service.critical, "requests_per_minute": traffic[service.name]}
        if service.deployment != service.name or rng.random() < 0.3:
            entry["deployment"] = service.deployment
        if service.namespace:
            entry["namespace"] = service.namespace
        if position + 1 < len(topology.chain):
            entry["depends_on"] = [topology.chain[position + 1].name]
        if change is not None and change.kind == "flag" and change.key and f"/{service.name}/" in change.path \
                and rng.random() < 0.6:
            # The team says which variable overrides the flag at run time (feature-flag scenario's shape).
            entry["config_env"] = {change.key: change.env_name}
        services[service.name] = entry
    return IncidentContext.model_validate({"services": services})


def _has_runtime_switch(change: Change | None, culprit: Service, context: IncidentContext | None) -> bool:
    """Whether the flag can be turned off without a deploy: an environment variable fills the file it is in, or
    the team's context names the variable that overrides it."""
    if change is None or change.key is None:
        return False
    overrides = context.services[culprit.name].config_env if context and culprit.name in context.services else {}
    return change.env_var is not None or change.key in overrides


def _description(rng: random.Random, kind: IncidentKind, entry: Service, onset: datetime) -> str:
    clock = onset.strftime("%H:%M")
    if kind == "control":
        return rng.choice((f"A customer says {entry.name} failed once around {clock}; is anything wrong?",
                           f"Checking {entry.name} after today's releases"))
    return rng.choice((f"{entry.name} returning errors since about {clock}",
                       f"Users report failures in {entry.area} since {clock}",
                       f"Alert: {entry.name} error rate high"))


def _grounded_names(scenario: Scenario, assets: dict[str, str]) -> list[str]:
    """Every word a command could rightly name: from the repo's files, the context, the logs' services
    and messages, and the deploy evidence."""
    texts = [content or "" for commit in scenario.repo.commits or [] for content in commit.files.values()]
    if scenario.context is not None:
        texts.append(yaml.safe_dump(scenario.context.model_dump(mode="json", exclude_defaults=True)))
    for log in scenario.logs:
        if log.generate is not None:
            spec = log.generate
            texts += [*spec.services, *spec.messages, *spec.error_messages, spec.logger]
            texts += spec.incident.messages if spec.incident else []
    texts += list(assets.values())
    return sorted({token for text in texts for token in TOKEN.findall(text)})
