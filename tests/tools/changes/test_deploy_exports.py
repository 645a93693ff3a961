"""What deploy systems print, read by --deploys: every export on its sample (tests/tools/changes/deploy_exports/)."""

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from wicked_platform.tools.changes.deploys_file import DeploysFileError, load_deploys_file

SAMPLES = Path(__file__).parent / "deploy_exports"
EIGHT, TEN = datetime(2024, 3, 4, 8, tzinfo=UTC), datetime(2024, 3, 4, 10, tzinfo=UTC)


def _read(name: str):
    return load_deploys_file(SAMPLES / name)


def test_replica_sets_are_a_deployments_rollouts_with_the_services_own_image():
    old, new = _read("kubernetes-replicasets.json")
    assert {r.source for r in (old, new)} == {"kubernetes"}
    # The sidecar (istio-proxy) is listed first; the service's own container says what shipped.
    assert [(r.service, r.version, r.at) for r in (old, new)] == [("billing-api", "1.8.2", EIGHT), ("billing-api", "1.9.0", TEN)]
    assert new.note.startswith("revision 2; replica set billing-api-7c9f8d6b5; change-cause: kubectl set image")


def test_rollout_history_has_no_times_and_is_refused_naming_the_export_that_has_them():
    with pytest.raises(DeploysFileError) as caught:
        _read("kubectl-rollout-history.txt")
    text = str(caught.value)
    assert "prints no times" in text and "kubectl get replicasets -o json" in text and "\n" not in text


def test_argocd_application_history_gives_start_completion_and_commit():
    old, new = _read("argocd-app.json")
    assert (new.source, new.service, new.version, new.at, new.commit) == (
        "argocd", "billing-api", "9f1c2ab", TEN, "9f1c2ab3e4d5f60718293a4b5c6d7e8f90a1b2c3")
    assert new.completed_at == datetime(2024, 3, 4, 10, 0, 41, tzinfo=UTC) and old.at < new.at


@pytest.mark.parametrize(("target", "version"), [
    ("billing-api-v1.4.2", "v1.4.2"), ("billing-api/2.0.0", "2.0.0"), ("v1.5.0", "v1.5.0"), ("release_3.1.4-rc1", "3.1.4-rc1"),
    ("main", "9f1c2ab"), ("HEAD", "9f1c2ab"),
])
def test_argocd_version_is_the_release_the_target_revision_names_else_the_short_sha(tmp_path, target, version):
    document = json.loads((SAMPLES / "argocd-app.json").read_text())
    for entry in document["status"]["history"]:
        entry["source"]["targetRevision"] = target
    export = tmp_path / "billing-api.json"
    export.write_text(json.dumps(document))
    newest = load_deploys_file(export)[-1]
    assert (newest.version, newest.commit) == (version, "9f1c2ab3e4d5f60718293a4b5c6d7e8f90a1b2c3")
    table = tmp_path / "history.txt"
    table.write_text(f"argocd app history billing-api\nID  DATE                           REVISION\n"
                     f"3   2024-03-04 10:00:41 +0000 UTC  {target} (9f1c2ab)\n")
    assert load_deploys_file(table)[0].version == version


def test_argocd_history_table_names_the_application_from_the_command_else_the_file(tmp_path):
    first, second = _read("argocd-history.txt")
    assert (second.source, second.service, second.version, second.commit) == ("argocd", "billing-api", "9f1c2ab", "9f1c2ab")
    assert second.at == datetime(2024, 3, 4, 10, 0, 41, tzinfo=UTC) and "named by the `argocd app history` command" in second.note
    bare = tmp_path / "ledger-api.txt"
    bare.write_text("\n".join((SAMPLES / "argocd-history.txt").read_text().splitlines()[1:]) + "\n")
    assert {r.service for r in load_deploys_file(bare)} == {"ledger-api"}
    assert "named after the file" in load_deploys_file(bare)[0].note


def test_helm_history_names_the_service_after_its_chart_and_says_so():
    old, new = _read("helm-history.json")
    assert [(r.source, r.service, r.version) for r in (old, new)] == [("helm", "billing-api", "1.8.2"),
                                                                       ("helm", "billing-api", "1.9.0")]
    assert new.at == datetime(2024, 3, 4, 10, 0, 9, 772291, tzinfo=UTC)
    assert "named after chart billing-api-0.4.3" in new.note and "Upgrade complete" in new.note


def test_github_deployments_take_the_first_success_status_as_completion():
    old, new = _read("github-deployments.json")
    assert (new.source, new.service, new.version, new.at, new.commit) == (
        "github", "billing-api", "v1.9.0", TEN, "9f1c2ab3e4d5f60718293a4b5c6d7e8f90a1b2c3")
    assert new.completed_at == datetime(2024, 3, 4, 10, 2, 11, tzinfo=UTC) and old.completed_at is None
    assert "to production" in new.note


def test_a_payload_service_names_the_service_in_a_monorepo(tmp_path):
    deployments = json.loads((SAMPLES / "github-deployments.json").read_text())
    deployments[0]["payload"] = {"service": "invoice-worker"}
    path = tmp_path / "gh.json"
    path.write_text(json.dumps(deployments))
    assert {r.service for r in load_deploys_file(path)} == {"billing-api", "invoice-worker"}


@pytest.mark.parametrize(("name", "edit", "message"), [
    ("helm-history.json", lambda doc: doc[1].update(updated="yesterday"), "helm history 1: updated"),
    ("github-deployments.json", lambda doc: doc[0].pop("created_at"), "GitHub deployment 0: created_at: required"),
    ("helm-history.json", lambda doc: doc[0].pop("updated"), "helm history 0: updated: required"),
    ("argocd-app.json", lambda doc: doc["status"]["history"][1].pop("deployedAt"), "Argo CD application 0: status.history.1.deployedAt"),
    ("kubernetes-replicasets.json", lambda doc: doc["items"][0]["spec"]["template"]["spec"].update(containers=[]),
     "kubectl get replicasets 0: spec.template.spec.containers"),
])
def test_a_recognised_export_with_a_bad_item_is_one_line_naming_it(tmp_path, name, edit, message):
    document = json.loads((SAMPLES / name).read_text())
    edit(document)
    path = tmp_path / name
    path.write_text(json.dumps(document))
    with pytest.raises(DeploysFileError) as caught:
        load_deploys_file(path)
    text = str(caught.value)
    assert text.startswith(f"--deploys {path}: ") and message in text and "\n" not in text


def test_an_entry_of_the_projects_own_file_cannot_claim_a_deploy_system(tmp_path):
    path = tmp_path / "deploys.yaml"
    path.write_text("- service: a\n  at: 2024-03-04T10:00:00Z\n  source: helm\n  note: trust me\n")
    (record,) = load_deploys_file(path)
    assert (record.source, record.note) == ("deploys-file", None)
