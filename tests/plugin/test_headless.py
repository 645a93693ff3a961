"""Claude Code itself, headless (`claude -p`), running /wicked-platform:incident in the built
checkout-timeout scenario. The Claude Code CLI, the plugin, the MCP server, its tools and the
wicked-platform CLI are all real; only the model is scripted (support.messages_api stands in for the
Messages API): its turns are written below, and each turn first checks what Claude Code sent it —
the expanded slash command, the tools it offers, the tool results it carries back."""

import json
import os
import subprocess

import pytest

from support.built import build
from support.claude_code import PLUGIN, REPO, VENV_BIN, run_claude
from support.messages_api import ScriptedMessagesAPI, message, tool_results, tool_use
from wicked_platform.agents.phases import PLUGIN_TOOL_PREFIX as P, TOOL_NAMES
from wicked_platform.agents.plugin_build import render_command

pytestmark = pytest.mark.slow

MCP_TOOLS = {P + name for name in TOOL_NAMES}
LOGS = ["error.log", "logs/"]
INCIDENT = "INC-20240115-1423-checkout-api"
SUBJECT = "perf(checkout-api): Optimize timeout settings"
UNDO = "kubectl rollout undo deployment/checkout-api"


@pytest.fixture
def scenario(tmp_path):
    """A private build: the plugin saves its investigation into the repo's .wicked-platform/."""
    return build("checkout-timeout", tmp_path / "scenarios")


@pytest.fixture
def trap(tmp_path):
    """A kubectl on PATH that records any call: the plugin must never get to run it."""
    bin_dir, calls = tmp_path / "trap-bin", tmp_path / "kubectl-calls"
    bin_dir.mkdir()
    (bin_dir / "kubectl").write_text(f'#!/bin/sh\necho "$@" >> "{calls}"\n')
    (bin_dir / "kubectl").chmod(0o755)
    return bin_dir, calls


def user_texts(request) -> list[str]:
    texts = []
    for m in request["messages"]:
        if m["role"] == "user":
            content = m["content"]
            texts += [content] if isinstance(content, str) else [b["text"] for b in content if b.get("type") == "text"]
    return texts


def expansion(arguments: str) -> str:
    """The slash command's body as Claude Code must send it: the rendered template, $ARGUMENTS filled in."""
    return render_command().split("---\n", 2)[2].replace("$ARGUMENTS", arguments)


class Model:
    """The scripted model of one slash-command conversation: turn N of that conversation is answered by
    turns[N]. Other requests (Claude Code's side queries, e.g. a session title) get a short text."""

    def __init__(self, *turns):
        self.turns = turns
        self.conversation: list[dict] = []
        self.side_queries: list[dict] = []

    def __call__(self, request):
        ours = any("<command-name>/wicked-platform:incident</command-name>" in t for t in user_texts(request))
        if not ours or not request.get("tools"):  # side queries carry no tools
            self.side_queries.append(request)
            return message("ok")
        self.conversation.append(request)
        turn = sum(m["role"] == "assistant" for m in request["messages"])
        assert turn < len(self.turns), f"Claude Code asked for turn {turn + 1}; the script has {len(self.turns)}"
        return self.turns[turn](request)


def first_turn_checks(request, arguments):
    texts = user_texts(request)
    assert f"<command-args>{arguments}</command-args>" in "".join(texts)
    assert expansion(arguments) in texts, "the command's expansion (prompts/plugin/command.md.j2) with the arguments"
    offered = {tool["name"] for tool in request.get("tools", [])}
    assert MCP_TOOLS <= offered, f"plugin MCP tools not offered: {sorted(MCP_TOOLS - offered)}"


def result_blocks(request) -> dict[str, dict]:
    return {b["tool_use_id"]: b for b in request["messages"][-1]["content"] if b.get("type") == "tool_result"}


def headless(claude, prompt, *, cwd, home, api, path=(), plugin_dir=True) -> dict:
    args = ["-p", prompt, "--allowedTools", P.rstrip("_"), "--output-format", "json", "--max-turns", "8"]
    if plugin_dir:
        args += ["--plugin-dir", str(PLUGIN)]
    run = run_claude(claude, *args, home=home, cwd=cwd, base_url=api.url, path=path, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    return json.loads(run.stdout)


def test_incident_command_investigates_with_the_mcp_tools_and_saves(claude, scenario, trap, tmp_path):
    description = scenario.description
    save = f"wicked-platform incident '{description}' --repo . --log error.log --log logs/ --agent offline > /dev/null"
    final = f"SEV1, ROLLBACK: {UNDO} (cause: {SUBJECT})"

    def symptoms_to_mitigation(request):
        first_turn_checks(request, description)
        return message("Symptoms, the change, then the decision.",
                       tool_use(P + "read_logs", {"logs": LOGS}, id="toolu_logs"),
                       tool_use(P + "correlate_changes", {"logs": LOGS}, id="toolu_correlate"),
                       tool_use(P + "evaluate_rollback_criteria", {"logs": LOGS, "description": description}, id="toolu_rollback"))

    def read_the_engine(request):
        results = tool_results(request)
        signatures = {s["signature"]: s["count"] for s in json.loads(results["toolu_logs"])["signatures"]}
        assert signatures["Payment timeout for order <*>"] == 6
        top = json.loads(results["toolu_correlate"])["candidates"][0]
        assert (top["subject"], top["confidence"]) == (SUBJECT, "HIGH")
        assert (top["change"]["key"], top["change"]["before"], top["change"]["after"]) == ("paymentTimeout", "5000", "500")
        decision = json.loads(results["toolu_rollback"])["rollback_decision"]
        assert (decision["recommendation"], decision["command"]) == ("ROLLBACK", UNDO)
        # Save, as the command says; and a model gone rogue trying to run the rollback itself.
        return message(tool_use("Bash", {"command": save, "description": "save the investigation"}, id="toolu_save"),
                       tool_use("Bash", {"command": UNDO, "description": "roll back"}, id="toolu_undo"))

    def report(request):
        blocks = result_blocks(request)
        assert not blocks["toolu_save"].get("is_error"), blocks["toolu_save"]
        assert blocks["toolu_undo"].get("is_error"), "kubectl must not be allowed"
        return message(final)

    model = Model(symptoms_to_mitigation, read_the_engine, report)
    with ScriptedMessagesAPI(model) as api:
        out = headless(claude, f"/wicked-platform:incident {description}", cwd=scenario.repo, home=tmp_path / "home",
                       api=api, path=(trap[0],))
    assert (out["result"], out["is_error"]) == (final, False)
    assert len(model.conversation) == 3
    denied = [d["tool_input"].get("command") for d in out["permission_denials"]]
    assert UNDO in denied and save not in denied
    assert not trap[1].exists(), "kubectl ran"
    assert (scenario.repo / ".wicked-platform" / "latest").read_text().strip() == INCIDENT


def test_rollback_decision_from_the_marketplace_install_reads_the_saved_investigation(claude, scenario, trap, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    for step in (["plugin", "marketplace", "add", str(REPO)], ["plugin", "install", "wicked-platform@wicked-platform"]):
        done = run_claude(claude, *step, home=home, cwd=tmp_path)
        assert done.returncode == 0, done.stdout + done.stderr
    env = {k: v for k, v in os.environ.items() if k != "ANTHROPIC_API_KEY"}
    saved = subprocess.run([str(VENV_BIN / "wicked-platform"), "incident", scenario.description, *scenario.args,
                            "--agent", "offline"], cwd=scenario.repo, env=env, capture_output=True, text=True, timeout=120)
    assert saved.returncode == 0, saved.stderr
    ask = "wicked-platform incident --rollback-decision --repo ."
    final = f"ROLLBACK {INCIDENT}: {UNDO}"

    def ask_the_cli(request):
        first_turn_checks(request, "--rollback-decision")
        return message(tool_use("Bash", {"command": ask, "description": "the saved decision"}, id="toolu_decision"))

    def answer(request):
        decision = tool_results(request)["toolu_decision"]
        for fact in (INCIDENT, "**Recommendation**: ROLLBACK", UNDO, "- [x] Error rate > 10x baseline"):
            assert fact in decision, decision
        return message(final)

    model = Model(ask_the_cli, answer)
    with ScriptedMessagesAPI(model) as api:
        out = headless(claude, "/wicked-platform:incident --rollback-decision", cwd=scenario.repo, home=home, api=api,
                       path=(trap[0],), plugin_dir=False)
    assert (out["result"], out["is_error"], out["permission_denials"]) == (final, False, [])
    assert len(model.conversation) == 2


def test_the_cli_rule_does_not_stretch_to_compound_commands(claude, scenario, trap, tmp_path):
    """`Bash(wicked-platform incident:*)` is a prefix rule: Claude Code refuses what rides along with it."""
    base = "wicked-platform incident --rollback-decision --repo ."
    riders = [f"{base} && kubectl version", f"{base}; kubectl version", f"{base} | kubectl apply -f -",
              'wicked-platform incident "$(kubectl version)" --rollback-decision']

    def try_them(request):
        first_turn_checks(request, "--rollback-decision")
        return message(*(tool_use("Bash", {"command": c, "description": "try"}, id=f"toolu_{i}") for i, c in enumerate(riders)))

    def refused(request):
        blocks = result_blocks(request)
        assert all(blocks[f"toolu_{i}"].get("is_error") for i in range(len(riders))), blocks
        return message("refused")

    with ScriptedMessagesAPI(Model(try_them, refused)) as api:
        out = headless(claude, "/wicked-platform:incident --rollback-decision", cwd=scenario.repo, home=tmp_path / "home",
                       api=api, path=(trap[0],))
    assert out["result"] == "refused"
    assert sorted(d["tool_input"]["command"] for d in out["permission_denials"]) == sorted(riders)
    assert not trap[1].exists(), "kubectl ran"
