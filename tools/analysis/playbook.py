"""Follow-up actions and lessons, chosen by what kind of cause was found."""

from __future__ import annotations

import math
import re

from wicked_platform.tools.analysis.correlation import Candidate
from wicked_platform.tools.analysis.suspicion import words
from wicked_platform.tools.report import Severity

_ENV_FILES = re.compile(r"\.env$|\.ya?ml$|\.json$|\.toml$|\.ini$|\.properties$")


def _round_bound(before: float, after: float) -> float:
    """A guard value between the old and new settings: the power of ten below their geometric mean."""
    mean = math.sqrt(before * after)
    return 10 ** math.floor(math.log10(mean)) if mean > 0 else 0


def _fmt(value: float) -> str:
    return f"{value:g}" if value < 1e6 else f"{value:.0f}"


def follow_up_and_lessons(
    top: Candidate | None, severity: Severity, resource_signals: list[str], rising_signature: str | None,
    expired_certificates: list[str] = (),
) -> tuple[list[str], list[str]]:
    follow_up: list[str] = []
    lessons: list[str] = []
    correlated = top is not None and top.confidence in ("HIGH", "MEDIUM")
    change = top.change if correlated and top is not None else None
    if change is not None:
        c = change.change
        factor = c.factor
        topic = " ".join(sorted(words(c.key), key=c.key.lower().find)) or c.key
        if factor is not None and c.before and c.after:
            bound = _round_bound(float(c.before), float(c.after))
            op = "<" if factor < 1 else ">"
            if factor > 1:
                bound = 10 ** math.ceil(math.log10(math.sqrt(float(c.before) * float(c.after))))
            follow_up.append(f"Add config validation to prevent {c.key} {op} {_fmt(bound)}")
        else:
            follow_up.append(f"Add config validation for {c.key}")
        if change.feature_flag:
            follow_up.append(f"Document the kill switch for {c.key} in the runbook")
            lessons.append("Feature flags need a tested off switch before they are turned on in production")
        else:
            follow_up.append(f"Add integration test for {topic}")
        follow_up.append("Review deployment checklist")
        lessons.append("Configuration changes need the same scrutiny as code changes")
        lessons.append("Consider config validation in CI/CD")
        if not _ENV_FILES.search(c.file):
            lessons.append(f"{c.key} should be an environment variable, not hardcoded in {c.file}")
    elif correlated and top is not None:
        subject = top.commit.subject if top.commit else f"the {top.service} deploy"
        follow_up.append(f"Add a regression test that reproduces '{rising_signature or subject}'")
        follow_up.append(f"Review \"{subject}\" and fix forward behind a test")
        follow_up.append("Review deployment checklist")
        lessons.append("A canary stage with automatic error-rate checks would have caught this before full rollout")
    elif resource_signals:
        follow_up.append(f"Add alerting on the saturation behind '{resource_signals[0]}' before it fails requests")
        follow_up.append("Set resource limits and autoscaling from measured peak usage")
        lessons.append("Resource exhaustion gives warning signs; alert on them, not only on errors")
    elif expired_certificates:
        follow_up.append("Renew the expired certificate and confirm the new expiry date on every endpoint that serves it")
        follow_up.append("Alert on certificates expiring within 14 days, and on every failed renewal")
        lessons.append("Certificates expire on a schedule: an expiry should be an alert weeks ahead, never an outage")
        lessons.append("Automated renewal needs its own monitoring: a silently failing issuer is an outage with a date")
    else:
        follow_up.append("Keep investigating: no change in this repository correlates with the onset")
        follow_up.append("Add deploy events to the logs so the next investigation can correlate them")
        lessons.append("Without deploy events in the logs, correlation rests on commit times alone")
    if severity in ("SEV1", "SEV2"):
        follow_up.append("Schedule blameless postmortem")
    return follow_up, lessons
