"""Deploys through the CLI: every deploy-system export given to --deploys, and issue #17's log defects
(a deploy said in fields was missed and the correlation fell back to a commit 25 minutes earlier;
sshd's `Invalid user deploy from <ip>` became a deploy and a hypothesis)."""

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from support.git_repos import GitRepo

SAMPLES = Path(__file__).parents[1] / "tools" / "changes" / "deploy_exports"
DEPLOY = datetime(2024, 3, 4, 10, 0, tzinfo=UTC)


def _stamp(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def _error_lines() -> list[dict]:
    """billing-api: quiet before 10:03, then charges failing every 5 seconds for ten minutes."""
    quiet = [{"time": _stamp(DEPLOY - timedelta(minutes=60 - 2 * i)), "level": "info", "service": "billing-api",
              "msg": f"charge ok order=A{i}"} for i in range(30)]
    failing = [{"time": _stamp(DEPLOY + timedelta(minutes=3, seconds=5 * i)), "level": "error", "service": "billing-api",
                "msg": f"charge failed order=B{i}: upstream timeout after 300ms"} for i in range(120)]
    return quiet + failing


@pytest.fixture(scope="module")
def billing(tmp_path_factory) -> GitRepo:
    repo = GitRepo(tmp_path_factory.mktemp("deploys") / "shop")
    repo.commit("feat(billing-api): charge retries", {"services/billing-api/config.yaml": "retries: 3\ntimeoutMs: 3000\n"},
                at="2024-03-04T07:30:00Z", tag="v1.8.2")
    # 25 minutes before the rollout: what the correlation fell back to when the deploy line was missed.
    repo.commit("perf(billing-api): shorter upstream timeout", {"services/billing-api/config.yaml": "retries: 3\ntimeoutMs: 300\n"},
                at="2024-03-04T09:35:00Z")
    return repo


def wp(*args, cwd):
    env = {k: v for k, v in os.environ.items() if k != "ANTHROPIC_API_KEY"}
    return subprocess.run([sys.executable, "-m", "wicked_platform.agents.cli", *args], cwd=cwd, capture_output=True,
                          text=True, env=env, timeout=120)


def _incident(repo: GitRepo, tmp_path: Path, lines: list[dict | str], *extra: str) -> dict:
    log = tmp_path / "billing.log"
    log.write_text("".join((json.dumps(x) if isinstance(x, dict) else x) + "\n" for x in lines))
    r = wp("incident", "billing-api charges failing", "--repo", str(repo.path), "--log", str(log), *extra,
           "--format", "json", "--state-dir", str(tmp_path / "state"), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


@pytest.mark.parametrize(("sample", "source", "version"), [
    ("kubernetes-replicasets.json", "kubernetes", "1.9.0"),
    ("argocd-app.json", "argocd", "9f1c2ab"),
    ("argocd-history.txt", "argocd", "9f1c2ab"),
    ("helm-history.json", "helm", "1.9.0"),
    ("github-deployments.json", "github", "v1.9.0"),
])
def test_each_deploy_system_export_is_read_by_deploys(billing, tmp_path, sample, source, version):
    report = _incident(billing, tmp_path, _error_lines(), "--deploys", str(SAMPLES / sample))
    recorded = [d for d in report["deploys"] if d["source"] == source]
    assert [d["service"] for d in recorded] == ["billing-api", "billing-api"]
    assert recorded[-1]["version"] == version and recorded[-1]["at"].startswith("2024-03-04T10:00:")
    assert report["correlation"]["deploy"]["at"].startswith("2024-03-04T10:00:")


def test_rollout_history_is_bad_input_naming_the_export_with_times(billing, tmp_path):
    log = tmp_path / "billing.log"
    log.write_text("".join(json.dumps(x) + "\n" for x in _error_lines()))
    r = wp("incident", "billing-api charges failing", "--repo", str(billing.path), "--log", str(log),
           "--deploys", str(SAMPLES / "kubectl-rollout-history.txt"), "--state-dir", str(tmp_path / "state"), cwd=tmp_path)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "kubectl get replicasets -o json" in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_a_deploy_said_in_a_msgs_fields_places_the_correlation_at_the_rollout(billing, tmp_path):
    deploy_line = {"time": _stamp(DEPLOY), "level": "info", "service": "deployer",
                   "msg": "rollout started app=billing-api image=registry.example.com/shop/billing-api:1.9.0"}
    report = _incident(billing, tmp_path, [*_error_lines(), deploy_line])
    correlation = report["correlation"]
    assert correlation["deploy"]["service"] == "billing-api" and correlation["deploy"]["version"] == "1.9.0"
    assert correlation["deploy"]["at"] == "2024-03-04T10:00:00Z"  # not the commit's 09:35
    assert correlation["lag_seconds"] == 180


def test_sshd_lines_about_a_user_named_deploy_are_no_deploy_and_no_hypothesis(billing, tmp_path):
    auth = tmp_path / "auth.log"
    auth.write_text("".join(
        f"Mar  4 10:0{i}:1{i} bastion sshd[31{i}]: Invalid user deploy from 187.141.143.180 port 4242{i}\n"
        for i in range(5)))
    report = _incident(billing, tmp_path, _error_lines(), "--log", str(auth))
    assert all(d["service"] != "from" and d["version"] != "187.141.143.180" for d in report["deploys"])
    text = json.dumps(report["hypotheses"])
    assert "187.141.143.180" not in text and "deploy of from" not in text.lower()


def test_deploys_repeats_and_each_file_is_read_and_saved(billing, tmp_path):
    """The contract's `[--deploys FILE]...`: a Helm history beside the team's own records."""
    own = tmp_path / "ledger-deploys.yaml"
    own.write_text("- service: ledger-api\n  version: v4.0.1\n  at: 2024-03-04T09:20:00Z\n")
    report = _incident(billing, tmp_path, _error_lines(), "--deploys", str(SAMPLES / "helm-history.json"),
                       "--deploys", str(own))
    assert {d["source"] for d in report["deploys"]} >= {"helm", "deploys-file"}
    assert ("ledger-api", "v4.0.1") in {(d["service"], d["version"]) for d in report["deploys"]}
    assert report["correlation"]["deploy"]["service"] == "billing-api"
    assert report["inputs"]["deploys"] == [str(SAMPLES / "helm-history.json"), str(own.resolve())]
    again = wp("incident", "--rollback-decision", "--state-dir", str(tmp_path / "state"), "--format", "json", cwd=tmp_path)
    assert again.returncode == 0 and json.loads(again.stdout)["rollback_decision"]["recommendation"] == \
        report["rollback_decision"]["recommendation"]
