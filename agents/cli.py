"""`wicked-platform`: the command line. Thin: parse, validate inputs, call the agent, print.

stdout carries only the report; progress and warnings go to stderr. Bad input exits 2 with one
line naming the option and what is wrong; an internal error exits 1 (`--debug` shows the traceback).
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import time
from concurrent.futures import Future, ThreadPoolExecutor
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import typer
from typer.exceptions import TyperException

from wicked_platform.agents.model_client import DEFAULT_MAX_INPUT_TOKENS, ModelAuthError, ModelClient, default_model
from wicked_platform.agents.request import InvestigationRequest
from wicked_platform.agents.state import StateError, StateStore
from wicked_platform.tools.changes.deploys_file import DeploysFileError, load_deploys_files
from wicked_platform.tools.changes.git_history import RefError, RepoError, is_git_repo
from wicked_platform.tools.context import ContextError, IncidentContext, load_context
from wicked_platform.tools.logs.discovery import LogInputError, expand_log_args
from wicked_platform.tools.logs.scan import scan_logs
from wicked_platform.tools.redaction import redact
from wicked_platform.tools.timeutil import parse_time

if TYPE_CHECKING:
    from wicked_platform.tools.report import IncidentReport

app = typer.Typer(
    name="wicked-platform", no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
    rich_markup_mode=None, help="Investigate a production incident: symptoms, timeline, correlation, blast radius, mitigation.",
)


class OutputFormat(StrEnum):
    markdown = "markdown"
    json = "json"


class AgentChoice(StrEnum):
    auto = "auto"
    offline = "offline"
    anthropic = "anthropic"


class InputError(ValueError):
    """Bad input from the user: one line, exit 2."""


def _say(message: str) -> None:
    print(redact(message), file=sys.stderr, flush=True)


def _state_dir(state_dir: Path | None, repo: Path) -> Path:
    if state_dir is not None:
        return state_dir
    if env := os.environ.get("WICKED_PLATFORM_STATE"):
        return Path(env)
    return repo / ".wicked-platform"


def _emit(text: str) -> None:
    sys.stdout.write(redact(text))
    if not text.endswith("\n"):
        sys.stdout.write("\n")
    sys.stdout.flush()


def _load_agent_meanwhile() -> Future[None]:
    """Import the offline agent, the rest of the engine and the report's templates on a thread of their own.

    An offline run reads its logs first, and a scan of large logs runs in C and DuckDB without the GIL:
    these imports (about half a second) then cost nothing beside it. The main thread imports none of
    these modules until the future is done, so the two never wait on each other's import locks.
    """

    def load() -> None:
        for module in ("wicked_platform.agents.offline", "wicked_platform.agents.render"):
            importlib.import_module(module)
        importlib.import_module("wicked_platform.tools.analysis.exact_tests").load()

    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="load-agent")
    try:
        return pool.submit(load)
    finally:
        pool.shutdown(wait=False)  # the thread ends when `load` does


def _rollback(store: StateStore, incident: str | None, fmt: OutputFormat, client: ModelClient | None) -> None:
    from wicked_platform.agents.explain import explain
    from wicked_platform.agents.reevaluate import reevaluate
    from wicked_platform.agents.render import rollback_markdown

    report: IncidentReport = store.load(incident)
    # The engine evaluates the criteria again on what the investigation read, as it is now; a model,
    # when there is one, only puts the decision into words.
    answer = reevaluate(report)
    if client is not None:
        answer = explain(answer, client)
    if answer.note:
        _say(f"note: {answer.note}")
    if fmt == OutputFormat.json:
        _emit(answer.model_dump_json(indent=2))
    else:
        _emit(rollback_markdown(answer.incident_id, answer.rollback_decision, answer.explanation))


@app.command()
def incident(
    description: Annotated[str | None, typer.Argument(help="what is happening, in your words")] = None,
    repo: Annotated[Path | None, typer.Option(help="the repository that was deployed (default: current directory); "
                                                   "a directory that is not one gives a logs-only investigation")] = None,
    log: Annotated[list[str] | None, typer.Option(help="log file, directory or glob; repeatable; plain or gzip")] = None,
    context: Annotated[Path | None, typer.Option(help="incident-context.yaml (default: at the repo root when present)")] = None,
    deploys: Annotated[list[Path] | None, typer.Option(help="the deploy system's record: YAML, JSON or JSON lines of service, at, version, commit, or what kubectl, argocd, helm or GitHub printed; repeatable")] = None,
    prometheus: Annotated[str | None, typer.Option(help="base URL of a Prometheus-compatible API to read metrics from "
                                                        "(default: $WICKED_PLATFORM_PROMETHEUS_URL, else the context's prometheus.url)")] = None,
    since: Annotated[str | None, typer.Option(help="ignore log lines before this ISO 8601 time")] = None,
    until: Annotated[str | None, typer.Option(help="ignore log lines after this ISO 8601 time")] = None,
    tz: Annotated[str, typer.Option(help="zone of timestamps written without one (IANA name)")] = "UTC",
    agent: Annotated[AgentChoice, typer.Option(help="auto uses Claude when ANTHROPIC_API_KEY is set")] = AgentChoice.auto,
    model: Annotated[str | None, typer.Option(help="model for the anthropic agent (default: $WICKED_PLATFORM_MODEL, else claude-sonnet-4-6)")] = None,
    max_input_tokens: Annotated[int, typer.Option(min=1000, help="input-token budget of the anthropic agent; past it the engine finishes")] = DEFAULT_MAX_INPUT_TOKENS,
    fmt: Annotated[OutputFormat, typer.Option("--format", help="markdown or json")] = OutputFormat.markdown,
    state_dir: Annotated[Path | None, typer.Option(help="where investigations are saved (default: <repo>/.wicked-platform)")] = None,
    rollback_decision: Annotated[bool, typer.Option("--rollback-decision", help="print the rollback decision of a saved investigation")] = False,
    incident_id: Annotated[str | None, typer.Option("--incident", help="which saved investigation (default: the latest)")] = None,
    verbose: Annotated[bool, typer.Option("-v", "--verbose", help="more progress detail on stderr")] = False,
    debug: Annotated[bool, typer.Option("--debug", help="show tracebacks of internal errors")] = False,
) -> None:
    """Investigate an incident, or (--rollback-decision) print the decision of a saved one."""
    repo_dir = (repo or Path.cwd()).resolve()
    if repo is not None and not repo_dir.is_dir():
        raise InputError(f"--repo {repo}: {'not a directory' if repo_dir.exists() else 'no such directory'}")
    store = StateStore(_state_dir(state_dir, repo_dir))
    if rollback_decision:
        if description:
            raise InputError("--rollback-decision takes no description; it reads the saved investigation")
        wants_model = agent == AgentChoice.anthropic or (agent == AgentChoice.auto and os.environ.get("ANTHROPIC_API_KEY"))
        _rollback(store, incident_id, fmt, ModelClient.from_environment(model or default_model()) if wants_model else None)
        return
    if not description or not description.strip():
        raise InputError('DESCRIPTION is required: wicked-platform incident "what is happening" [--log FILE]')
    try:
        zone = ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise InputError(f"--tz {tz!r}: not a known time zone (use an IANA name such as Europe/Berlin)") from None
    client = None
    if agent == AgentChoice.anthropic or (agent == AgentChoice.auto and os.environ.get("ANTHROPIC_API_KEY")):
        client = ModelClient.from_environment(model or default_model())
    elif model:
        _say(f"note: --model {model} is for the anthropic agent; the offline agent needs no model")
    # A directory that is no repository is a logs-only investigation; one git finds and refuses
    # (ownership, a broken config) is bad input: RepoError, for the user to fix, not to read past.
    git_repo = repo_dir if is_git_repo(repo_dir) else None
    context_path = context
    if context_path is None and (repo_dir / "incident-context.yaml").is_file():
        context_path = repo_dir / "incident-context.yaml"
    elif context_path is not None and not context_path.is_file():
        raise InputError(f"--context {context}: {'not a file' if context_path.exists() else 'no such file'}")
    logs = expand_log_args(log or [], repo_dir)
    try:
        window = parse_time("--since", since, zone), parse_time("--until", until, zone)
    except ValueError as exc:
        raise InputError(str(exc)) from None
    if window[0] is not None and window[1] is not None and window[0] > window[1]:
        raise InputError(f"--since {since} is after --until {until}: the window holds no time")
    incident_context = load_context(context_path)
    prometheus_url = _prometheus_url(prometheus, incident_context)
    if not logs and prometheus_url is None:  # with a Prometheus, its metrics alone can be investigated
        raise InputError(f"no logs found: pass --log FILE (no *.log, *.log.gz or logs/ under {repo_dir}), "
                         "or --prometheus URL to investigate from metrics")
    request = InvestigationRequest(
        description=description, repo=git_repo, repo_dir=repo_dir, logs=logs, context=incident_context,
        prometheus_url=prometheus_url,
        context_path=context_path, since=window[0], until=window[1], tz=tz,
        deploys=load_deploys_files(deploys or []), deploys_paths=[p.resolve() for p in deploys or []],
    )
    progress = _say if verbose or sys.stderr.isatty() else (lambda _: None)
    if client is None:
        loading = _load_agent_meanwhile()
        progress(f"reading {len(logs)} log file{'s' if len(logs) != 1 else ''}…" if logs else
                 "no logs: investigating from Prometheus, git, the deploys file and the context…")
        started = time.perf_counter()
        scan = scan_logs(logs, since=request.since, until=request.until, tz=tz)
        progress(f"read the logs in {(time.perf_counter() - started) * 1000:.0f} ms")
        loading.result()
        from wicked_platform.agents.offline import investigate

        report = investigate(request, progress=progress, scan=scan)
    else:
        # Here, not at the top: the agent loads the Anthropic SDK and the MCP toolbox, ~1 s an offline run never needs.
        from wicked_platform.agents.anthropic_agent import investigate_with_model, usage_line

        report = investigate_with_model(request, client, max_input_tokens=max_input_tokens, progress=progress)
        _say(usage_line(report))
    if git_repo is None:  # said once the logs were found readable: a bad input is then the only line
        _say(f"note: {repo_dir} is not a git repository; investigating logs only (the report's notes say so)")
    if report.inputs is not None and report.inputs.prometheus_error:
        _say(f"warning: {report.inputs.prometheus_error}; investigating without metrics (the report's notes say so)")
    for unread in report.inputs.unread if report.inputs else []:  # never "no errors" about logs not read
        _say(f"warning: {unread}; left out of the investigation")
    if left_out := (report.inputs.left_out if report.inputs else []):  # another period: never mixed into the onset
        named = ", ".join(left_out[:3]) + (f" and {len(left_out) - 3} more" if len(left_out) > 3 else "")
        _say(f"warning: {named}: far apart in time from the period investigated; left out of the investigation "
             "(the report's notes say which period was read and why; --since/--until choose another)")
    try:
        saved = store.save(report)
        if verbose:
            _say(f"saved {saved}")
    except (OSError, ValueError) as exc:
        _say(f"warning: investigation not saved ({exc}); --rollback-decision will not find it")
    from wicked_platform.tools.input_groups import for_output

    printed = for_output(report)  # saved whole above: --rollback-decision reads every file again
    if fmt == OutputFormat.json:
        _emit(printed.model_dump_json(indent=2))
    else:
        from wicked_platform.agents.render import report_markdown

        _emit(report_markdown(printed))


def _prometheus_url(option: str | None, context: IncidentContext) -> str | None:
    """--prometheus, else WICKED_PLATFORM_PROMETHEUS_URL, else the context's; a URL that is not http(s) is bad input."""
    from wicked_platform.tools.metrics.settings import prometheus_url

    url = prometheus_url(option, context.prometheus)
    if url is None:
        return None
    if not url.startswith(("http://", "https://")) or len(url) < 8:
        source = "--prometheus" if option else "WICKED_PLATFORM_PROMETHEUS_URL"
        raise InputError(f"{source} {url}: not an http:// or https:// URL of a Prometheus-compatible API")
    return url


@app.command()
def postmortem(
    incident_id: Annotated[str | None, typer.Option("--incident", help="which saved investigation (default: the latest)")] = None,
    repo: Annotated[Path | None, typer.Option(help="the repository whose state dir to read (default: current directory)")] = None,
    state_dir: Annotated[Path | None, typer.Option(help="where investigations are saved (default: <repo>/.wicked-platform)")] = None,
) -> None:
    """Render the root cause analysis document of a saved investigation, in markdown: summary, timeline, root
    cause, why it was not caught, contributing factors, corrective actions and the follow-up checklist."""
    from wicked_platform.agents.render import postmortem_markdown

    repo_dir = (repo or Path.cwd()).resolve()
    if repo is not None and not repo_dir.is_dir():
        raise InputError(f"--repo {repo}: no such directory")
    _emit(postmortem_markdown(StateStore(_state_dir(state_dir, repo_dir)).load(incident_id)))


@app.command("eval")
def eval_(
    scenarios_dir: Annotated[Path | None, typer.Argument(help="folder of scenarios (default: the bundled library)")] = None,
    agent: Annotated[AgentChoice, typer.Option(help="which agent to evaluate")] = AgentChoice.offline,
    fmt: Annotated[OutputFormat, typer.Option("--format", help="markdown or json")] = OutputFormat.markdown,
    only: Annotated[str | None, typer.Option(help="run only the scenario with this folder name")] = None,
    generated: Annotated[int | None, typer.Option(
        help="instead of scenarios, investigate N incidents from the randomized generator and score them")] = None,
    seed: Annotated[int, typer.Option(help="where the generator's random draws start (with --generated): the same N and --seed "
                           "give the same corpus")] = 0,
) -> None:
    """Replay scenarios and grade each report against its expectations; exit 0 only when all pass.

    With --generated N, score N generated incidents against the generator's truth instead (exit 0
    whatever the scores: the scorecard is a measurement)."""
    from wicked_platform.agents.evaluation import evaluate, scorecard_markdown
    from wicked_platform.scenarios.model import ScenarioError, bundled_scenarios_dir, discover_scenarios

    if generated is not None:
        _eval_generated(generated, seed, agent, fmt, scenarios_dir, only)
        return
    try:
        root = scenarios_dir or bundled_scenarios_dir()
        if not root.is_dir():
            raise InputError(f"SCENARIOS_DIR {root}: no such directory")
        if not discover_scenarios(root):
            raise InputError(f"SCENARIOS_DIR {root}: no scenario.yaml below it")
        if agent == AgentChoice.auto:
            agent = AgentChoice.anthropic if os.environ.get("ANTHROPIC_API_KEY") else AgentChoice.offline
        if agent == AgentChoice.anthropic:
            ModelClient.from_environment(default_model())  # a missing key is one line now, not one per scenario
        card = evaluate(root, agent.value, only, progress=_say)
    except ScenarioError as exc:  # one line naming the scenario file and the field, as all bad input
        raise InputError(str(exc)) from None
    if only and not card.scenarios:
        raise InputError(f"--only {only}: no such scenario under {root}")
    _emit(card.model_dump_json(indent=2) if fmt == OutputFormat.json else scorecard_markdown(card))
    for skipped in (r for r in card.scenarios if r.skipped):
        _say(f"note: {skipped.name} skipped: {skipped.skipped}")
    if card.scenarios_passed + card.scenarios_skipped != len(card.scenarios):
        raise typer.Exit(1)


def _eval_generated(count: int, seed: int, agent: AgentChoice, fmt: OutputFormat, scenarios_dir: Path | None,
                   only: str | None) -> None:
    from wicked_platform.agents.corpus_evaluation import evaluate_generated, generated_scorecard_markdown

    if count < 1:
        raise InputError(f"--generated {count}: give a number of incidents of 1 or more")
    if scenarios_dir is not None or only is not None:
        raise InputError("--generated builds its own incidents; it takes no SCENARIOS_DIR and no --only")
    if agent == AgentChoice.auto:
        agent = AgentChoice.anthropic if os.environ.get("ANTHROPIC_API_KEY") else AgentChoice.offline
    if agent == AgentChoice.anthropic:
        ModelClient.from_environment(default_model())
    card = evaluate_generated(count, seed, agent.value, progress=_say)
    _emit(card.model_dump_json(indent=2) if fmt == OutputFormat.json else generated_scorecard_markdown(card))


@app.command()
def schema() -> None:
    """Print the JSON Schema of the report."""
    from wicked_platform.tools.report import IncidentReport

    _emit(json.dumps(IncidentReport.model_json_schema(), indent=2))


plugin_app = typer.Typer(no_args_is_help=True, rich_markup_mode=None, help="The Claude Code plugin (plugin/).")
app.add_typer(plugin_app, name="plugin")


@plugin_app.command("build")
def plugin_build(
    check: Annotated[bool, typer.Option("--check", help="write nothing; exit 1 when a generated file is stale")] = False,
    plugin_dir: Annotated[Path | None, typer.Option("--dir", help="the plugin folder (default: the checkout's plugin/)")] = None,
) -> None:
    """Render the plugin's slash command, agent and manifest from prompts/ (--check: only compare)."""
    from wicked_platform.agents.plugin_build import build, default_plugin_dir, stale_files

    target = plugin_dir or default_plugin_dir()
    if not target.is_dir():
        raise InputError(f"--dir {target}: no such directory (the plugin folder, e.g. plugin/)")
    if check:
        for name in (stale := stale_files(target)):
            _say(f"{target / name}: out of date with prompts/; run: wicked-platform plugin build")
        if stale:
            raise typer.Exit(1)
        return
    for name in build(target):
        _say(f"wrote {target / name}")


BAD_INPUT = (DeploysFileError, InputError, RepoError, RefError, LogInputError, ContextError, StateError, ModelAuthError)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    debug = "--debug" in argv
    try:
        # Without standalone mode click hands back the code of a typer.Exit instead of raising it.
        code = app(args=argv, standalone_mode=False)
        if isinstance(code, int):
            return code
    except typer.Exit as exc:
        return exc.exit_code
    except TyperException as exc:  # usage errors: unknown option, bad choice, missing value
        _say(f"wicked-platform: error: {exc.format_message()}")
        return 2
    except typer.Abort:
        _say("wicked-platform: aborted")
        return 130
    except BAD_INPUT as exc:
        # Each of these carries one line naming the option or file and what to fix.
        if debug:
            raise
        _say(f"wicked-platform: error: {exc}")
        return 2
    except Exception as exc:  # noqa: BLE001 - the boundary: no traceback for users without --debug
        if debug:
            raise
        _say(f"wicked-platform: internal error: {type(exc).__name__}: {exc} (run with --debug for the traceback)")
        return 1
    return 0


def run() -> NoReturn:
    """The console script: `main()`, then exit without tearing the interpreter down.

    Python's finalisation collects and frees every module it loaded (numpy, DuckDB, pydantic's schemas):
    about 0.2 s after the report is out, a twentieth of a gigabyte's investigation. By the time `main`
    returns, what the command wrote is written: files and temporary folders are closed by their `with`,
    state is saved by rename, and a thread still running only imports modules. The standard streams are
    flushed here: a stream the shell closed (`2>&-`) is None, and one that fails now has nothing left to
    tell anyone.
    """
    code = main()
    for stream in (sys.stdout, sys.stderr):
        if stream is not None:
            try:
                stream.flush()
            except (OSError, ValueError):
                pass
    os._exit(code)


if __name__ == "__main__":
    run()
