"""Deploys: read from log lines, matched to the commits they shipped.

Which lines are deploys is deploy_lines' question. A logged deploy maps to the commit the line names
(an Argo CD revision, a `sha` field) when the history has it, else by tag (the version in a tag name), else by the latest commit
touching the service that is not younger than the deploy; when every such commit is younger (a
repository rebuilt after the fact), by the latest one touching the service, and the match says so.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict

from wicked_platform.tools.analysis.deploy_lines import DeployMention, recognise_deploy
from wicked_platform.tools.analysis.deploy_shapes import Phase
from wicked_platform.tools.analysis.message_fields import message_fields
from wicked_platform.tools.changes.deploys_file import DeployRecord
from wicked_platform.tools.changes.image_refs import tag_version
from wicked_platform.tools.changes.models import Commit, GitHistory
from wicked_platform.tools.logs.models import LogEvent
from wicked_platform.tools.report import Deploy
from wicked_platform.tools.timeutil import UtcDatetime


class DeployEvent(BaseModel):
    """One deploy line: which service, which version, and how far the deploy got."""

    model_config = ConfigDict(frozen=True)

    service: str
    version: str | None
    phase: Phase  # started | completed | failed | retired (an old version scaled away) | other
    at: UtcDatetime
    commit: str | None = None  # the revision the line names (Argo CD, a `sha` field), when it names one
    rollover: bool = False  # a deploy only when the same service retires another version (Kubernetes)
    shape: str = "prose"  # the catalogue row or reading that recognised it


def deploy_events(events: Iterable[LogEvent]) -> list[DeployEvent]:
    """The deploy lines among the scan's event lines, read by structure (see deploy_lines)."""
    found = []
    read: dict[tuple[str, str, str | None], DeployMention | None] = {}  # alerts repeat: each text read once
    for event in events:
        key = (event.message, event.service, event.line)
        if key not in read:
            # The line's own fields beside its message: a logfmt or JSON deploy line's version is often one of them.
            fields = message_fields(event.line).fields if event.line else None
            read[key] = recognise_deploy(event.message, event.service, fields)
        if (mention := read[key]) is not None:
            found.append(DeployEvent(at=event.at, **mention.model_dump()))
    return found


def _rolled_over(events: list[DeployEvent]) -> set[tuple[str, str | None]]:
    """(service, version) of scale-ups that are no rollout: no other version of the service was retired.
    A replica set scaled up while the old one is scaled down is a rollout; alone, it may be an autoscaler."""
    retired = {(e.service, e.version) for e in events if e.phase == "retired"}
    return {(e.service, e.version) for e in events if e.rollover
            and not any(s == e.service and v != e.version for s, v in retired)}


def _tag_matches(tag: str, service: str, version: str | None) -> bool:
    if not version:
        return False
    bare = version.lstrip("vV")
    candidates = {version, f"v{bare}", bare}
    names = {f"{service}-{v}" for v in candidates} | {f"{service}@{v}" for v in candidates}
    names |= {f"{service}/{v}" for v in candidates} | candidates
    return tag in names


def commit_for_deploy(deploy: Deploy, history: GitHistory) -> tuple[Commit | None, str]:
    """The commit a deploy shipped, and how it was matched (a sentence for the evidence)."""
    for commit in history.commits:
        for tag in commit.tags:
            if _tag_matches(tag, deploy.service, deploy.version):
                return commit, f"tag {tag} points at {commit.short}"
    touching = [c for c in history.commits if deploy.service in c.services]
    older = [c for c in touching if c.committed_at <= deploy.at]
    if older:
        return older[0], f"latest commit touching {deploy.service} before the deploy"
    if touching:
        return touching[0], (
            f"latest commit touching {deploy.service}; its commit date is after the logged deploy, "
            "so the repository's dates and the log's clock disagree"
        )
    return None, f"no commit touches {deploy.service}"


def _named_commit(named: str | None, history: GitHistory, who: str) -> tuple[Commit, str] | None:
    """The one commit of the history a revision names (a prefix of its sha), and how it was matched."""
    if not named:
        return None
    matches = [c for c in history.commits if c.sha.startswith(named.lower())]
    if len(matches) != 1:
        return None
    return matches[0], f"{who} commit {matches[0].short}"


def deploys_from_logs(events: Iterable[LogEvent], history: GitHistory | None) -> tuple[list[Deploy], dict[str, str]]:
    """One Deploy per (service, version) logged, oldest first, and how each was matched to a commit
    (keyed by "service version")."""
    found = deploy_events(events)
    lone_scale_ups = _rolled_over(found)
    grouped: dict[tuple[str, str | None], list[DeployEvent]] = {}
    for event in found:
        if event.phase != "retired" and (event.service, event.version) not in lone_scale_ups:
            grouped.setdefault((event.service, event.version), []).append(event)
    deploys: list[Deploy] = []
    notes: dict[str, str] = {}
    for (service, version), group in grouped.items():
        started = [e.at for e in group if e.phase == "started"]
        completed = [e.at for e in group if e.phase == "completed"]
        at = min(started) if started else min(e.at for e in group)
        done = min(completed) if completed else None
        deploy = Deploy(service=service, version=version, at=at, completed_at=done, commit=None, source="log")
        if history is not None and history.commits:
            named = next((e.commit for e in group if e.commit), None)
            commit, how = _named_commit(named, history, "the log names") or commit_for_deploy(deploy, history)
            if commit is not None:
                deploy = deploy.model_copy(update={"commit": commit.sha, "subject": commit.subject,
                                                   "version": as_tagged(version, service, commit)})
            notes[f"{service} {deploy.version or ''}".strip()] = how
        deploys.append(deploy)
    deploys.sort(key=lambda d: (d.at, d.service, d.version or ""))
    return deploys, notes


def deploys_from_tags(history: GitHistory, logged: list[Deploy]) -> list[Deploy]:
    """Release tags that no logged deploy accounts for: the commit time stands in for the deploy time."""
    covered = {d.commit for d in logged if d.commit}
    deploys = []
    for commit in history.commits:
        if commit.sha in covered:
            continue
        for tag in commit.tags:
            if not re.search(r"\d+\.\d+", tag):
                continue
            service = next((s for s in commit.services if tag.startswith(s)), None) or (
                commit.services[0] if len(commit.services) == 1 else None
            )
            if service is None:
                continue
            deploys.append(
                Deploy(
                    service=service, version=_tag_version(tag), at=commit.committed_at,
                    commit=commit.sha, subject=commit.subject, source="git",
                )
            )
    deploys.sort(key=lambda d: (d.at, d.service, d.version or ""))
    return deploys


def _tag_version(tag: str) -> str:
    """The version a release tag names (`checkout-api-v2.4.1` -> `v2.4.1`), else the tag as written."""
    return tag_version(tag) or tag


def as_tagged(version: str | None, service: str, commit: Commit) -> str | None:
    """The version as the release tag on its commit spells it: an image tag `4.8.0` is the release the team tagged
    `quote-api-v4.8.0` and names v4.8.0 (in its change-cause, its notes); a version no tag on the commit names
    stays as it was read."""
    tagged = next((_tag_version(t) for t in commit.tags if _tag_matches(t, service, version)), None)
    return tagged if tagged is not None and tagged.lstrip("vV") == (version or "").lstrip("vV") else version


def _released_version(deploy: Deploy, commit: Commit) -> str | None:
    """The version of a deploy that names only its commit (Argo CD syncing HEAD, a GitHub deployment of a sha):
    the release tag on that commit for the deploy's service, when there is exactly one; a version that names a
    release, as its tag spells it."""
    if deploy.version and not (commit.sha.startswith(deploy.version.lower()) and len(deploy.version) >= 7):
        return as_tagged(deploy.version, deploy.service, commit)
    own = re.compile(rf"{re.escape(deploy.service)}[-/@_]v?\d")  # cart-api-v2.3.1 is not cart's
    tagged = {_tag_version(t) for t in commit.tags
              if re.search(r"\d+\.\d+", t) and (own.match(t) or commit.services == [deploy.service])}
    return tagged.pop() if len(tagged) == 1 else deploy.version


def deploys_from_records(records: Iterable[DeployRecord], history: GitHistory | None) -> tuple[list[Deploy], dict[str, str]]:
    """Deploys from the deploy system's file: the commit it names when the history has it, else matched
    like a logged deploy (tag, then the latest commit touching the service). The note says which
    system's export it was read from, and what its reader inferred."""
    deploys, notes = [], {}
    for record in records:
        deploy = Deploy(service=record.service, version=record.version, at=record.at, completed_at=record.completed_at,
                        commit=None, source=record.source)
        deploy, key, how = _matched(deploy, history, record.commit, "the deploys file names")
        notes[key] = f"{record.note}; {how}" if record.note else how
        deploys.append(deploy)
    deploys.sort(key=lambda d: (d.at, d.service, d.version or ""))
    return deploys, notes


def matched_rollouts(rollouts: Iterable[Deploy], history: GitHistory | None) -> tuple[list[Deploy], dict[str, str]]:
    """Rollouts a metrics system saw, matched to the history like a deploy record: the version their pods' image
    carries names a release tag, and so the commits shipped."""
    deploys, notes = [], {}
    for rollout in rollouts:
        if rollout.version is None or rollout.commit is not None:
            deploys.append(rollout)
            continue
        deploy, key, how = _matched(rollout, history, None, "")
        notes[key] = how
        deploys.append(deploy)
    return deploys, notes


def _matched(deploy: Deploy, history: GitHistory | None, named_commit: str | None,
             names: str) -> tuple[Deploy, str, str]:
    """The deploy with the commit it shipped (the one named, else its tag's, else the service's latest) and its
    version as the release tag spells it; its match-note key and how it was matched."""
    key = f"{deploy.service} {deploy.version or ''}".strip()
    named = _named_commit(named_commit, history, names) if history else None
    if named is not None:
        commit, how = named
    elif history is not None and history.commits:
        commit, how = commit_for_deploy(deploy, history)
        if named_commit:
            how = f"{names} {named_commit}, which is not in the history read; {how}"
    else:
        commit, how = None, "no repository history to match against"
    if commit is not None:
        version = _released_version(deploy, commit)
        if version != deploy.version:
            how = f"{how}; the version is {'spelled as ' if (version or '').lstrip('vV') == (deploy.version or '').lstrip('vV') else ''}its release tag's"
            key = f"{deploy.service} {version}"
        deploy = deploy.model_copy(update={"commit": commit.sha, "subject": commit.subject, "version": version})
    return deploy, key, how


def merge_deploys(recorded: list[Deploy], logged: list[Deploy]) -> list[Deploy]:
    """The deploy system's record wins over a log line about the same service and version."""
    known = {(d.service, d.version) for d in recorded}
    merged = [*recorded, *(d for d in logged if (d.service, d.version) not in known)]
    return sorted(merged, key=lambda d: (d.at, d.service, d.version or ""))
