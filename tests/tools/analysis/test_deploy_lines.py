"""Deploys read by structure: issue #17's two defects, each on shapes other than the ones it was reported on.

Missed: a deploy said in fields (`key=value` inside a msg, an `event` name) was not seen, and the
correlation fell back to a commit time. Invented: a word inside someone's value (sshd's `Invalid
user deploy from 187.141.143.180`) became a deploy of service `from`, version `187.141.143.180`.
"""

from datetime import UTC, datetime
from pathlib import Path

import pytest

from wicked_platform.tools.analysis.deploy_lines import recognise_deploy
from wicked_platform.tools.analysis.deploys import deploy_events, deploys_from_logs
from wicked_platform.tools.logs.scan import scan_logs

T = "2024-03-04T09:12:00Z"


def _scan(tmp_path: Path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text)
    return scan_logs([path], year_hint=2024)


# Missed --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "text", "expected"), [
    # A JSON line whose msg carries the deploy's fields (the was `deployment started service=...`).
    ("cd.json", f'{{"time":"{T}","level":"INFO","logger":"cd","msg":"rollout complete app=ledger-api tag=4.2.0"}}\n',
     ("ledger-api", "4.2.0", "completed")),
    # A JSON line with no message: the scan hands over its `event` name.
    ("ledger-api.json", f'{{"ts":"{T}","level":"info","service":"ledger-api","event":"deployment.succeeded"}}\n',
     ("ledger-api", None, "completed")),
    # logfmt whose msg is only the deploy clause: the line's own service is deployed, its revision the field beside.
    ("ledger.log", f'ts={T} level=info app=ledger-api event=rollout msg="rollout started" revision=42\n',
     ("ledger-api", "42", "started")),
    # The logfmt line: the version is a field of the line, not of its message.
    ("auth.log", f'ts={T} level=info app=auth-service event=deploy msg="deploy started" version=v5.3.0\n',
     ("auth-service", "v5.3.0", "started")),
    # A JSON line whose message is prose and whose image is a field of its own.
    ("cd-events.json", f'{{"time":"{T}","level":"info","app":"ledger-api","msg":"Deployment started",'
                       f'"image":"registry.example.com/ledger-api:4.3.1"}}\n', ("ledger-api", "4.3.1", "started")),
    # A plain CI line naming an image reference.
    ("ci.log", f"{T} INFO ci-runner Deploying ghcr.io/acme/ledger-api:4.2.0 to production\n",
     ("ledger-api", "4.2.0", "started")),
])
def test_deploys_said_in_fields_or_image_references_are_seen_through_the_scan(tmp_path, name, text, expected):
    scan = _scan(tmp_path, name, text)
    found = deploy_events(scan.events)
    assert [(e.service, e.version, e.phase) for e in found] == [expected]
    assert found[0].at == datetime(2024, 3, 4, 9, 12, tzinfo=UTC)


def test_structured_fields_the_reader_keeps_are_read_too():
    # What the logfmt line of the issue says once its fields reach the analysis, not only its msg.
    mention = recognise_deploy("deploy started", "cart", fields={"event": "deploy", "version": "v5.3.0"})
    assert (mention.service, mention.version, mention.phase) == ("cart", "v5.3.0", "started")
    mention = recognise_deploy("rolled out", "edge", fields={"action": "rollout", "deployment": "billing-api",
                                                             "image": "registry.local:5000/billing-api:1.9.0",
                                                             "sha": "9f1c2ab"})
    assert (mention.service, mention.version, mention.commit) == ("billing-api", "1.9.0", "9f1c2ab")


def test_a_release_or_upgrade_word_needs_a_version_beside_it():
    assert recognise_deploy("released connection 42 back to the pool", "db") is None
    assert recognise_deploy('{"type":"release","lock":"orders"}', "db") is None
    mention = recognise_deploy("released billing-api 2.0.1 to production", "ci")
    assert (mention.service, mention.version) == ("billing-api", "2.0.1")


def test_an_object_kind_is_not_an_event():
    # A Kubernetes event as JSON: `kind: Deployment` names the object; the message says what happened.
    event = ('{"kind":"Event","reason":"ScalingReplicaSet","involvedObject":{"kind":"Deployment","name":"billing-api"},'
             '"message":"Scaled up replica set billing-api-7c9f8d6b5 to 3"}')
    mention = recognise_deploy(event, "k8s")
    assert (mention.service, mention.version, mention.shape) == ("billing-api", "7c9f8d6b5", "kubernetes-scaled-up-replica-set")
    assert recognise_deploy('{"kind":"Deployment","metadata":{"name":"billing-api"},"verb":"get"}', "audit") is None


# Invented ------------------------------------------------------------------------------------


@pytest.mark.parametrize("message", [
    "Failed password for invalid user deploy from 203.0.113.9 port 52144 ssh2",
    "Accepted publickey for deploy from 10.1.1.1 port 5022 ssh2: ED25519 SHA256:Xy3kq0",
    "pam_unix(sshd:session): session opened for user deploy(uid=1001) by (uid=0)",
    "Disconnected from authenticating user deploy 187.141.143.180 port 51432 [preauth]",
    "Connection closed by invalid user deploy 187.141.143.180 port 4242 [preauth]",
    "deploy : TTY=pts/0 ; PWD=/home/deploy ; USER=root ; COMMAND=/usr/bin/systemctl restart billing-api",
    "request method=GET path=/api/v2/deploy/billing-api/v2.0.1 status=404",
    '{"msg":"search","q":"deploy billing-api v2.0.1","user":"deploy"}',
    "search query: deploy billing-api 2.0.1",
    'Login rejected for user "Deployment accounts-api-v2.7.9 completed" : account locked',
    "deploy from 187.141.143.180",
    "Skipping deploy of billing-api v2.0.1: nothing changed",
    "Quote cache hit ratio 3% (was 93% before the rollout)",
])
def test_a_deploy_word_in_a_value_or_without_evidence_is_no_deploy(message):
    assert recognise_deploy(message, "host") is None


def test_auth_log_lines_invent_no_deploy_through_the_scan(tmp_path):
    text = ("Mar  4 09:12:01 bastion sshd[2211]: Failed password for invalid user deploy from 203.0.113.9 port 52144 ssh2\n"
            "Mar  4 09:12:03 bastion sshd[2211]: Connection closed by invalid user deploy 203.0.113.9 port 52144 [preauth]\n"
            "Mar  4 09:13:10 bastion sudo:   deploy : TTY=pts/0 ; PWD=/home/deploy ; USER=root ; "
            "COMMAND=/usr/bin/systemctl restart billing-api\n")
    scan = _scan(tmp_path, "auth.log", text)
    assert scan.events  # the lines reach the analysis as event lines...
    deploys, _ = deploys_from_logs(scan.events, None)
    assert deploys == []  # ...and none of them is a deploy


# Kubernetes rollouts -------------------------------------------------------------------------


def _events(*messages: str, service: str = "kube-events"):
    from support.scans import at

    from wicked_platform.tools.logs.models import LogEvent
    return [LogEvent(at=at(i), service=service, level="INFO", message=m) for i, m in enumerate(messages)]


def test_a_replica_set_scaled_up_while_another_is_scaled_down_is_a_rollout():
    deploys, _ = deploys_from_logs(_events(
        "Scaled up replica set billing-api-7c9f8d6b5 to 1",
        "Scaled down replica set billing-api-5d8b6f4c9 to 2 from 3",
        "Scaled up replica set billing-api-7c9f8d6b5 to 3 from 1",
        "Scaled down replica set billing-api-5d8b6f4c9 to 0 from 2",
    ), None)
    assert [(d.service, d.version, d.at.minute) for d in deploys] == [("billing-api", "7c9f8d6b5", 0)]


def test_a_scale_up_alone_is_an_autoscaler_not_a_deploy():
    deploys, _ = deploys_from_logs(_events("Scaled up replica set billing-api-7c9f8d6b5 to 6 from 3"), None)
    assert deploys == []


def test_a_revision_the_log_names_is_matched_to_its_commit():
    from support.scans import at, commit, history
    named = commit("9", "fix(billing-api): retry budget", at(-60), ["billing-api"])
    later = commit("a", "docs(billing-api): readme", at(-5), ["billing-api"])
    deploys, notes = deploys_from_logs(_events("Sync operation to 9999999 succeeded", service="billing-api"),
                                       history(named, later))
    assert deploys[0].commit == "9" * 40  # the named revision, not the latest commit before the deploy
    assert notes["billing-api 9999999"] == "the log names commit " + "9" * 12
