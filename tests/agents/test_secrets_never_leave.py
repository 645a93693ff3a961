"""Secrets never leave: each kind is planted in the logs, in a commit's diff and message, and in the
context file; then every way out is read — the CLI's markdown and JSON, stderr, the saved state
under .wicked-platform/, --rollback-decision, postmortem, each MCP tool (SDK in-process client)
including its errors, and the text the model loop would be sent — and none of them may hold one.

E-mail addresses and card numbers are personal data, redacted by default; with
WICKED_PLATFORM_REDACT_PERSONAL=0 they are shown and every secret is still redacted.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import anyio
import pytest
from mcp import Client
from support.git_repos import GitRepo

from wicked_platform.agents.offline import InvestigationRequest
from wicked_platform.agents.toolbox import Toolbox
from wicked_platform.tools.context import load_context
from wicked_platform.tools.mcp.server import build_server
from wicked_platform.tools.redaction import redact

PRIVATE_KEY = "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEAprivKeyBody7\nq9Zx2kPrivKeyTail\n-----END RSA PRIVATE KEY-----"
# kind -> (the secret, how it is written where it is planted)
SECRETS = {
    "password": ("Hunter2Pass", "password=Hunter2Pass"),
    "password in json": ("JsonPw-771", '{"user": "bob", "password": "JsonPw-771"}'),
    "password flag": ("Secr3tFlag", "mysql --password Secr3tFlag"),
    "api key": ("ak_51HqLyj2eZvKYlo2C", "api_key=ak_51HqLyj2eZvKYlo2C"),
    "api key header": ("8f14e45fceea167a5a36dedd4bea2543", "x-api-key: 8f14e45fceea167a5a36dedd4bea2543"),
    "stripe key": ("sk_live_51HqLyj2eZvKYlo2CabcDEF12", "sk_live_51HqLyj2eZvKYlo2CabcDEF12"),
    "github token": ("ghp_0123456789abcdefghijABCDEFGHIJ012345", "ghp_0123456789abcdefghijABCDEFGHIJ012345"),
    "token": ("tok9f8e7d6c5b4a3", "token=tok9f8e7d6c5b4a3"),
    "bearer": ("Zm9vYmFyQmVhcmVyMTIz", "Authorization: Bearer Zm9vYmFyQmVhcmVyMTIz"),
    "jwt": ("eyJzdWIiOiJqYW5lIn0", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJqYW5lIn0.c2lnbmF0dXJlMTIz"),
    "aws access key": ("AKIAIOSFODNN7EXAMPLE", "AKIAIOSFODNN7EXAMPLE"),
    "aws secret key": ("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
    "private key": ("MIIEpAIBAAKCAQEAprivKeyBody7", PRIVATE_KEY.replace("\n", "\\n")),
    "connection string": ("C0nnPass99", "postgres://app:C0nnPass99@db.internal:5432/orders"),
    "jdbc string": ("JdbcPass77", "jdbc:postgresql://db:5432/orders?user=app&password=JdbcPass77"),
    "ado string": ("AdoPass55", "Server=db;Database=orders;User Id=sa;Password=AdoPass55;"),
    "cookie": ("CookieSess42", "Cookie: session=CookieSess42; theme=dark"),
    "slack webhook": ("XyZhookSecret9", "https://hooks.slack.com/services/T000/B000/XyZhookSecret9"),
}
PERSONAL = {
    "email": ("jane.doe@example.com", "customer jane.doe@example.com"),
    "card": ("4111 1111 1111 1111", "card 4111 1111 1111 1111"),
}
ALL = {**SECRETS, **PERSONAL}
DESCRIPTION = "500 errors on checkout API since the deploy, customers cannot pay"


def _log() -> str:
    lines = ["2024-01-15T14:20:00Z INFO checkout-api Deployment checkout-api-v2.4.1 started by deploy-bot token=tok9f8e7d6c5b4a3"]
    lines += [f"2024-01-15T14:{m:02d}:{s:02d}Z INFO checkout-api served order" for m in range(0, 23) for s in (0, 20, 40)]
    for index, (kind, (_, text)) in enumerate(ALL.items()):
        for repeat in range(3):  # a rising signature per kind, each with its example
            second = 15 + index * 2 + repeat % 2
            lines.append(f"2024-01-15T14:{23 + second // 60}:{second % 60:02d}Z ERROR checkout-api "
                         f"Payment call {kind.replace(' ', '-')} failed with {text}")
    lines.append("2024-01-15T14:25:00Z CRITICAL checkout-api Checkout failures exceeding threshold; alert sent to jane.doe@example.com "
                 "Authorization: Bearer Zm9vYmFyQmVhcmVyMTIz")
    lines.append("2024-01-15T14:25:01Z ERROR password=Hunter2Pass Payment call failed")  # a secret where the service goes
    lines.append("2024-01-15T14:25:02Z ERROR checkout-api TLS handshake failed with the key below")
    lines += PRIVATE_KEY.splitlines()  # a multi-line block, as a stack trace would follow its line
    for second in range(3, 8):  # a stack trace under each line, shown under the symptom
        lines += [f"2024-01-15T14:25:{second:02d}Z ERROR checkout-api Order store unreachable",
                  "java.sql.SQLException: jdbc:postgresql://db:5432/orders?user=app&password=JdbcPass77",
                  "\tat com.shop.db.Pool.connect(Pool.java:12) api_key=ak_51HqLyj2eZvKYlo2C"]
    return "\n".join(lines) + "\n"


CONFIG = "export const config = {{\n  paymentTimeout: {},\n  retryAttempts: 3,\n}};\n"


@pytest.fixture(scope="module")
def planted(tmp_path_factory) -> Path:
    repo = GitRepo(tmp_path_factory.mktemp("secrets") / "repo")
    repo.commit("Initial setup", {"services/checkout-api/config.ts": CONFIG.format(5000), ".env": "DB_PASSWORD=OldEnvPw1\n"},
                at="2024-01-15T09:00:00Z")
    body = "\n".join(text for _, text in ALL.values()) + "\n" + PRIVATE_KEY + "\n"
    repo.commit(f"perf(checkout-api): Optimize timeout settings token=tok9f8e7d6c5b4a3 reviewed by jane.doe@example.com\n\n{body}", {
        "services/checkout-api/config.ts": CONFIG.format(500).replace(
            "retryAttempts: 3,\n", "retryAttempts: 3,\n" + "".join(f"  // {text}\n" for _, text in ALL.values())
            + '  dbUrl: "postgres://app:C0nnPass99@db.internal:5432/orders",\n  apiKey: "ak_51HqLyj2eZvKYlo2C",\n'),
        ".env": "DB_PASSWORD=Hunter2Pass\nSTRIPE_KEY=sk_live_51HqLyj2eZvKYlo2CabcDEF12\n",
        "deploy/id_rsa": PRIVATE_KEY + "\n",
    }, at="2024-01-15T13:47:00Z", tag="checkout-api-v2.4.1")
    (repo.path / "error.log").write_text(_log())
    (repo.path / "incident-context.yaml").write_text(f"""
services:
  checkout-api:
    namespace: "shop --token tok9f8e7d6c5b4a3"
    deployment: "checkout-api"
    critical: true
    depends_on: [payment-service]
    requests_per_minute: 600
    baseline_error_rate: 0.01
    active_users: 16000
    revenue_per_hour: 211000
    config_env: {{paymentTimeout: "PAYMENT_TIMEOUT password=Hunter2Pass"}}
  payment-service:
    namespace: "{SECRETS['connection string'][1]}"
""")
    return repo.path


def wp(*args, cwd, env=None):
    full = {**os.environ, **(env or {})}
    full.pop("ANTHROPIC_API_KEY", None)
    return subprocess.run([sys.executable, "-m", "wicked_platform.agents.cli", *args], cwd=cwd, capture_output=True,
                          text=True, env=full, timeout=180)


def _leaks(text: str, planted_kinds: dict[str, tuple[str, str]]) -> list[str]:
    return [kind for kind, (secret, _) in planted_kinds.items() if secret in text]


def test_the_plants_are_really_there(planted):
    log = (planted / "error.log").read_text()
    assert all(secret in log for secret, _ in ALL.values())
    assert all(redact(text) != text for _, text in ALL.values())  # every kind is one redaction knows


def test_nothing_planted_leaves_through_the_cli_or_the_saved_state(planted, tmp_path):
    state = tmp_path / "state"
    outputs = {}
    for fmt in ("markdown", "json"):
        r = wp("incident", DESCRIPTION, "--log", "error.log", "--format", fmt, "--state-dir", str(state), "-v", cwd=planted)
        assert r.returncode == 0, r.stderr
        outputs[f"incident {fmt} stdout"], outputs[f"incident {fmt} stderr"] = r.stdout, r.stderr
    report = json.loads(outputs["incident json stdout"])
    assert report["root_cause"]["subject"].startswith("perf(checkout-api): Optimize timeout settings")
    assert "[REDACTED]" in outputs["incident markdown stdout"] and "[REDACTED]" in outputs["incident json stdout"]
    traces = [line for symptom in report["symptoms"] for line in symptom["stack"]]
    assert "\tat com.shop.db.Pool.connect(Pool.java:12) api_key=[REDACTED]" in traces  # the trace is there, redacted
    for args in (["incident", "--rollback-decision"], ["incident", "--rollback-decision", "--format", "json"], ["postmortem"]):
        r = wp(*args, "--state-dir", str(state), cwd=planted)
        assert r.returncode == 0, r.stderr
        outputs[" ".join(args)] = r.stdout + r.stderr
    for path in state.rglob("*"):
        if path.is_file():
            outputs[f"state {path.name}"] = path.read_text()
    assert any(name.startswith("state INC-") for name in outputs)
    leaks = {name: _leaks(text, ALL) for name, text in outputs.items()}
    assert not any(leaks.values()), {name: kinds for name, kinds in leaks.items() if kinds}
    assert not (planted / ".wicked-platform").exists()  # --state-dir was given: nothing written in the repo


def test_personal_data_can_be_shown_and_secrets_still_cannot(planted, tmp_path):
    r = wp("incident", DESCRIPTION, "--log", "error.log", "--format", "json", "--state-dir", str(tmp_path / "s"), cwd=planted,
           env={"WICKED_PLATFORM_REDACT_PERSONAL": "0"})
    assert r.returncode == 0, r.stderr
    saved = "".join(p.read_text() for p in (tmp_path / "s").rglob("*.json"))
    for text in (r.stdout, r.stderr, saved):
        assert not _leaks(text, SECRETS), _leaks(text, SECRETS)
    assert "jane.doe@example.com" in r.stdout and "jane.doe@example.com" in saved


async def _every_tool(root: Path, sha: str) -> dict[str, str]:
    calls = {
        "read_logs": {"logs": ["error.log"], "top": 200},
        "error_rate_ratio": {"logs": ["error.log"]},
        "deploy_history": {"logs": ["error.log"]},
        "git_diff": {"commit": sha, "max_chars": 100_000},
        "git_diff bounded": {"commit": sha, "max_chars": 300},
        "git_diff of a secret": {"commit": "password=Hunter2Pass"},
        "correlate_changes": {"logs": ["error.log"]},
        "blast_radius": {"logs": ["error.log"], "description": f"{DESCRIPTION} password=Hunter2Pass jane.doe@example.com"},
        "evaluate_rollback_criteria": {"logs": ["error.log"], "description": DESCRIPTION},
        "incident_timeline": {"logs": ["error.log"]},
    }
    texts: dict[str, str] = {}
    async with Client(build_server([root])) as client:
        for label, arguments in calls.items():
            result = await client.call_tool(label.split()[0], arguments)
            texts[label] = json.dumps(result.structured_content) + " ".join(getattr(b, "text", "") for b in result.content)
            texts[label + " is_error"] = str(result.is_error)
    return texts


def test_nothing_planted_leaves_through_the_mcp_tools(planted):
    sha = GitRepo(planted, init=False).git("rev-parse", "HEAD")
    texts = anyio.run(_every_tool, planted, sha)
    assert texts["git_diff is_error"] == "False" and texts["git_diff of a secret is_error"] == "True"
    assert "[REDACTED]" in texts["git_diff"] and "paymentTimeout" in texts["git_diff"]
    leaks = {label: _leaks(text, ALL) for label, text in texts.items()}
    assert not any(leaks.values()), {label: kinds for label, kinds in leaks.items() if kinds}


def test_nothing_planted_reaches_the_model(planted):
    request = InvestigationRequest(description=f"{DESCRIPTION} password=Hunter2Pass jane.doe@example.com", repo=planted,
                                   logs=[planted / "error.log"], context=load_context(planted / "incident-context.yaml"),
                                   context_path=planted / "incident-context.yaml")
    sha = GitRepo(planted, init=False).git("rev-parse", "HEAD")

    async def go():
        async with Toolbox(request) as toolbox:
            outcomes = [await toolbox.call(definition["name"], {"commit": sha} if definition["name"] == "git_diff" else {})
                        for definition in toolbox.definitions]
            return [json.dumps(toolbox.definitions)] + [o.text for o in outcomes]

    texts = anyio.run(go)
    assert len(texts) == 11  # the definitions, then one answer per tool (the metric tools: no Prometheus configured)
    for text in texts:
        assert not _leaks(text, ALL), _leaks(text, ALL)
