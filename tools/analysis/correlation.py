"""Which change caused the rise: candidates ranked against the onset, each with its evidence.

A change after the onset never causes it. Otherwise four things count: how soon before the onset
it landed, whether it touched the service whose errors rose (or one it depends on), how
significant the rise is, and how suspicious its diff is read against the errors.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict, Field

from wicked_platform.tools.analysis.code_ties import named_identifier, named_in_frames
from wicked_platform.tools.analysis.rates import Onset
from wicked_platform.tools.analysis.signal_judgment import RiseAt
from wicked_platform.tools.analysis.suspicion import ChangeScore, best_change
from wicked_platform.tools.changes.inert_files import InertKind, inert_kind, inert_kinds
from wicked_platform.tools.changes.models import Commit, CommitDiff, ConfigValueChange, GitHistory
from wicked_platform.tools.changes.services import service_for_path
from wicked_platform.tools.report import Confidence, Deploy
from wicked_platform.tools.timeutil import hhmmss, human_duration

_INERT_WORDS = {"documentation": "documentation", "tests": "tests", "ci": "CI pipelines"}
COMMIT_LOOKBACK = timedelta(days=7)  # bare commits older than this before the onset are not candidates
MAX_COMMITS_PER_DEPLOY = 10


class Candidate(BaseModel):
    model_config = ConfigDict(frozen=True)

    service: str
    deploy: Deploy | None = Field(description="the deploy that shipped the change; null for a bare commit")
    commit: Commit | None
    change: ChangeScore | None
    lag_seconds: int | None
    score: float
    confidence: Confidence
    evidence: list[str]
    failing_file: str | None = Field(None, description="the changed file the errors name (a quoted identifier on a "
                                                       "changed line, or a stack frame), as the commit has it")
    brings_on: bool = Field(False, description="a dependency of the erroring services whose change brings on what "
                                               "their errors say (Redis's maxmemory lowered, their writes refused)")


def _lag_score(lag: float) -> float:
    if lag <= 15 * 60:
        return 1.0
    if lag <= 3600:
        return 0.7
    if lag <= 6 * 3600:
        return 0.4
    return 0.1


def inert_change(commits: list[Commit]) -> list[InertKind] | None:
    """What the commits touched when none of it can change a running service (documentation, tests, CI), else None."""
    return inert_kinds([path for commit in commits for path in commit.files])


def _shipped_commits(deploy: Deploy, deploys: list[Deploy], history: GitHistory) -> list[Commit]:
    """The deploy's own commit and the commits touching its service since the previous deploy's commit.

    The repository's first commit is never among them (unless the deploy names it): it imports what
    was already running, so every value it "adds" is old, not a change this deploy shipped.
    """
    if not deploy.commit:
        return []
    earlier = {d.commit for d in deploys if d.service == deploy.service and d.at < deploy.at and d.commit}
    complete = history.commits and not (history.truncated or history.shallow)
    root = history.commits[-1].sha if complete else None
    shipped, started = [], False
    for commit in history.commits:  # newest first
        if commit.sha == deploy.commit:
            started = True
        elif started and (commit.sha in earlier or commit.sha == root or len(shipped) >= MAX_COMMITS_PER_DEPLOY):
            break
        if started and (commit.sha == deploy.commit or deploy.service in commit.services):
            shipped.append(commit)
    return shipped


def _owned_by(change: ConfigValueChange, service: str, commit: Commit) -> bool:
    """Whether a changed value is `service`'s: a commit touching several services ships, with this
    service's deploy, only this service's files (and files of no service, like shared config)."""
    if service not in commit.services:
        return True  # the deploy's name is not how the repository names the service: nothing to tell apart
    if change.place is not None and change.place.owner in commit.services:
        # The file's structure says whose value it is (compose, a manifest): the workload's own name, or the
        # container it sets, since a Deployment is often named apart from the service it runs (`search-api-prod`).
        return service in (change.place.owner, change.place.container)
    owner = service_for_path(change.file, commit.services)
    return owner is None or owner == service


def _most_suspicious(
    commits: list[Commit], diffs: Mapping[str, CommitDiff], signatures: list[str], service: str
) -> tuple[Commit | None, ChangeScore | None]:
    best: tuple[Commit | None, ChangeScore | None] = (commits[0] if commits else None, None)
    for commit in commits:
        diff = diffs.get(commit.sha)
        if diff is not None:
            # A CI pipeline's keys or a test fixture's values are read by no running service.
            owned = [c for c in diff.config_changes if _owned_by(c, service, commit) and inert_kind(c.file) is None]
            diff = diff.model_copy(update={"config_changes": owned})
        change = best_change(diff, signatures) if diff else None
        if change and (best[1] is None or change.score > best[1].score):
            best = (commit, change)
    return best


def _confidence(service_score: float, lag: float, significant: bool, change: ChangeScore | None) -> Confidence:
    suspicious = change is not None and change.score >= 0.7
    if not significant or (change is not None and change.eases):
        return "LOW"  # a change that eases what the errors say is their relief, not their cause
    if service_score >= 1.0 and lag <= 3600 and (suspicious or lag <= 15 * 60):
        return "HIGH"
    if (service_score >= 1.0 and lag <= 6 * 3600) or (service_score >= 0.5 and lag <= 3600):
        return "MEDIUM"
    return "LOW"


def as_rise(onset: Onset | RiseAt) -> RiseAt:
    """An error onset, or a measured signal's (signal_judgment), as the ranking reads it."""
    if isinstance(onset, RiseAt):
        return onset
    return RiseAt(at=onset.at, significant=onset.comparison.significant, p_value=onset.comparison.p_value)


def _candidate(
    service: str, when: datetime, deploy: Deploy | None, commits: list[Commit], onset: RiseAt,
    direct: list[str], related: list[str], diffs: Mapping[str, CommitDiff], signatures: list[str],
    match_note: str | None,
) -> Candidate:
    label = f"{service} {deploy.version}" if deploy and deploy.version else service
    commit, change = _most_suspicious(commits, diffs, signatures, service)
    # A name the errors quote on a line a commit changed ties them to it more closely than any word a changed key
    # shares with them (a framework bump shares its name with every stack frame); a value changed the way that
    # brings on what the errors say is closer still. Where no changed value is tied to the errors at all (none, or
    # one that shares nothing with them, is not big and does not bring on what they say: a dependency's patch bump),
    # the code the errors fail in decides.
    tie = named_identifier(commits, diffs, signatures) if change is None or not change.explains else None
    untied = change is None or not (change.shared_words or change.explains or change.big)
    if tie is None and untied and len(commits) > 1:
        tie = named_in_frames(commits, signatures)
    if tie is not None and tie.commit is not commit:
        commit, change = _most_suspicious([tie.commit], diffs, signatures, service)
    if when > onset.at:
        what = "deployed" if deploy else "committed"
        return Candidate(
            service=service, deploy=deploy, commit=commit, change=change, lag_seconds=None, score=0.0,
            confidence="NONE",
            evidence=[f"{label} {what} at {hhmmss(when)}, after the onset at {hhmmss(onset.at)}: it cannot have caused it"],
        )
    lag = (onset.at - when).total_seconds()
    service_score = 1.0 if service in direct else 0.5 if service in related else 0.1
    # A dependency whose change brings on exactly what the erroring services' errors say (Redis's maxmemory
    # lowered, and their writes refused for memory) is where those errors come from, as much as their own.
    brings_on = service not in direct and service in related and change is not None and change.explains is not None
    if brings_on:
        service_score = 1.0
    significant = onset.significant
    sig_score = 1.0 if (onset.p_value or 1) < 0.001 else 0.7 if significant else 0.2
    diff_score = change.score if change else 0.3
    if tie is not None and tie.how == "identifier":
        diff_score = max(diff_score, 0.7)
    score = round(0.35 * service_score + 0.25 * _lag_score(lag) + 0.2 * sig_score + 0.2 * diff_score, 4)
    if deploy is not None and deploy.completed_at is not None and deploy.completed_at != when:
        finished = "started deploying"  # the rollout finished after the onset: `when` is its start
    else:
        finished = "finished deploying" if deploy and deploy.completed_at else "deployed" if deploy else "was committed"
    evidence = [f"{onset.what} {onset.verb} {int(lag)} s ({human_duration(lag)}) after {label} {finished} ({hhmmss(when)} → {hhmmss(onset.at)})"]
    if finished == "started deploying" and deploy is not None and deploy.completed_at is not None:
        evidence.append(f"the {onset.what} {onset.verb} mid-rollout: {label} finished deploying only at {hhmmss(deploy.completed_at)}")
    if service in direct:
        evidence.append(f"{service} is a service whose {onset.what} rose at the onset")
    elif brings_on:
        evidence.append(f"{service} is related to the erroring service ({', '.join(direct)}), and its change brings on "
                        "what their errors say")
    elif service in related:
        evidence.append(f"{service} is related to the erroring service ({', '.join(direct)}) by depends_on or by its own symptoms")
    else:
        evidence.append(f"{service} is not a service whose {onset.what} rose ({', '.join(direct) or 'none'})")
    if commit is not None:
        evidence.append(f"it shipped commit {commit.short} \"{commit.subject}\"" + (f" ({match_note})" if match_note else ""))
    if tie is not None:
        evidence.append(tie.describe())
    inert = inert_change(commits)
    if inert is not None:
        files = sorted({f for c in commits for f in c.files})
        shown = ", ".join(files[:3]) + (f" and {len(files) - 3} more" if len(files) > 3 else "")
        evidence.append(f"{label} shipped only {' and '.join(_INERT_WORDS[k] for k in inert)} ({shown})")
    if change is not None:
        eased = (f": it was raised, and more {change.eases} eases what the errors say rather than causing it"
                 if change.eases else "")
        evidence.append(f"commit {commit.short if commit else '?'} {change.describe()}{eased}")
        if change.shared_words:
            evidence.append(f"{change.change.key} shares the words {', '.join(change.shared_words)} with the errors")
        if change.explains:
            evidence.append(f"{change.change.key} was lowered, and a lower {change.explains} setting brings on what the "
                            "errors say")
    confidence = _confidence(service_score, lag, significant, change)
    if inert is not None:
        # The same code and configuration restarted: nothing it shipped can be why errors rose.
        confidence, score = "LOW", round(score / 4, 4)
    return Candidate(
        service=service, deploy=deploy, commit=commit, change=change, lag_seconds=int(lag), score=score,
        confidence=confidence, evidence=evidence, failing_file=tie.file if tie else None, brings_on=brings_on,
    )


def rank_candidates(
    onset: Onset | RiseAt, direct: list[str], related: list[str], deploys: list[Deploy], history: GitHistory | None,
    diffs: Mapping[str, CommitDiff], signatures: list[str], match_notes: Mapping[str, str] | None = None,
) -> list[Candidate]:
    """Every deploy, and every recent commit no deploy accounts for, ranked best first. `signatures`: the
    errors' signatures and examples, the leading (most frequent) signature first. `onset`: the errors', or a
    measured signal's (a latency regression with no error rise)."""
    onset = as_rise(onset)
    history = history or GitHistory(repo="", commits=[])
    match_notes = match_notes or {}
    candidates = []
    for deploy in deploys:
        # A deploy that started before the onset may have caused it even if it finished after.
        when = deploy.completed_at if deploy.completed_at and deploy.completed_at <= onset.at else deploy.at
        commits = _shipped_commits(deploy, deploys, history)
        note = match_notes.get(f"{deploy.service} {deploy.version or ''}".strip())
        candidates.append(
            _candidate(deploy.service, when, deploy, commits, onset, direct, related, diffs, signatures, note)
        )
    covered = {c.commit.sha for c in candidates if c.commit}
    logged_services = {d.service for d in deploys if d.source == "log"}
    for commit in history.commits:
        if commit.sha in covered or not commit.services or inert_change([commit]):
            continue
        if not (onset.at - COMMIT_LOOKBACK <= commit.committed_at <= onset.at):
            continue
        # Where deploys are logged for a service, its bare commits were not necessarily deployed.
        service = next((s for s in commit.services if s in direct), None) or next(
            (s for s in commit.services if s in related), commit.services[0]
        )
        if service in logged_services:
            continue
        candidates.append(
            _candidate(service, commit.committed_at, None, [commit], onset, direct, related, diffs, signatures, None)
        )
    order = {"HIGH": 0, "MEDIUM": 1, "LOW": 2, "NONE": 3}
    candidates.sort(
        key=lambda c: (order[c.confidence], -c.score, c.lag_seconds if c.lag_seconds is not None else 1 << 40,
                       c.service, c.commit.sha if c.commit else "")
    )
    return candidates
