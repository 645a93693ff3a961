"""Severity from the triage rubric: which indicator fired, in words a responder can check.

critical -> SEV1: complete outage, data loss or corruption, payment processing down, authentication broken
high     -> SEV2: 20%+ of users affected, critical feature broken, error-rate spike above 1%
medium   -> SEV3: partial degradation, or a spike that is recovering
low      -> SEV4: no measurable user impact
"""

from __future__ import annotations

import re

from wicked_platform.tools.analysis.rates import RateComparison
from wicked_platform.tools.context import IncidentContext
from wicked_platform.tools.logs.models import LogEvent, SignatureStats
from wicked_platform.tools.report import BlastRadius, Severity

_PAYMENT = re.compile(r"payment|checkout|purchase|billing|charge|invoice|\bpay\b", re.I)
_AUTH = re.compile(r"\bauth|login|log in|sign[- ]?in|jwt|token|session|oauth|credential|password", re.I)
_FAILING = re.compile(
    r"unable|cannot|can't|can not|failing|fails|failed|down|broken|outage|not working|blocked|errors? spiking", re.I
)
_OUTAGE = re.compile(r"complete outage|full outage|site (?:is )?down|everything (?:is )?down|all users|total outage", re.I)
_DATA_LOSS = re.compile(r"data loss|lost data|corrupt|data integrity|deleted records", re.I)
_OPEN_BREAKER = re.compile(r"circuit[ -]?breaker\W+(?:is\s+)?open|breaker opened", re.I)


def assess_severity(
    description: str,
    comparison: RateComparison | None,
    rising: list[SignatureStats],
    blast: BlastRadius,
    events: list[LogEvent],
    context: IncidentContext,
    recovered: bool,
    signal_reasons: list[tuple[Severity, str]] = (),
) -> tuple[Severity, list[str]]:
    """The highest severity whose indicator fired, and every indicator that did. `signal_reasons`: the indicators
    a measured signal's rise fired (signal_judgment.severity_reasons: a performance spike, slowed requests)."""
    significant = comparison is not None and comparison.significant
    er = blast.error_rate
    reasons: list[tuple[Severity, str]] = []
    rising_text = " ".join(f"{s.service} {s.signature}" for s in rising)
    top = rising[0] if rising else None
    top_text = f"'{top.signature}' ×{top.count} in {top.service}" if top else ""
    breaker = next((e for e in events if _OPEN_BREAKER.search(e.message)), None)
    said_failing = bool(_FAILING.search(description))
    broad = [
        *([f"error rate {er:.0%}"] if er is not None and er >= 0.5 else []),
        *([f"'{breaker.message}'"] if breaker else []),
        *([f"description: \"{description.strip()}\""] if said_failing else []),
    ]

    if significant and er is not None and er >= 0.95:
        reasons.append(("SEV1", f"Complete outage: {er:.0%} of {blast.direct[0]} requests fail"))
    if _OUTAGE.search(description) and significant:
        reasons.append(("SEV1", f"Complete outage reported: \"{description.strip()}\""))
    if _DATA_LOSS.search(description) or (significant and _DATA_LOSS.search(rising_text)):
        reasons.append(("SEV1", "Data loss or corruption: " + (top_text or description.strip())))
    # The path is the failing services' and their cascade's: checkout-api timing out on a slow
    # inventory-service is checkout down, whichever of them the fault is in.
    payment_path = _PAYMENT.search(rising_text) or (_PAYMENT.search(description) and _PAYMENT.search(" ".join(blast.services)))
    if significant and payment_path and broad:
        reasons.append(("SEV1", f"Payment processing down: {top_text}; " + "; ".join(broad)))
    auth_path = _AUTH.search(rising_text)
    if significant and auth_path and broad:
        reasons.append(("SEV1", f"Authentication broken: {top_text}; " + "; ".join(broad)))

    users = blast.affected_users
    active = sum(context.service(s).active_users or 0 for s in blast.direct)
    if users is not None and active and users / active >= 0.2:
        reasons.append(("SEV2", f"Significant degradation: ~{users:,} of {active:,} users ({users / active:.0%}) affected"))
    if significant and blast.critical_path:
        reasons.append(("SEV2", f"Critical feature broken: {top_text} on the critical path"))
    if significant and er is not None and er > 0.01 and (blast.baseline_error_rate is None or er > blast.baseline_error_rate):
        reasons.append(("SEV2", f"Error rate spike above 1%: {er:.1%}"))
    if significant and comparison is not None and er is None:
        ratio = f"{comparison.ratio:.1f}× the rate before" if comparison.ratio else "none before the onset"
        reasons.append(("SEV3", f"Partial degradation: {comparison.after_errors} errors since the onset ({ratio})"))
    if significant and recovered:
        reasons.append(("SEV3", "Performance spike but recovering: errors stopped before the end of the logs"))
    reasons.extend(signal_reasons)
    if not reasons:
        if comparison is None:
            reasons.append(("SEV4", "No errors found in the logs read: no measured user impact"))
        else:
            reasons.append(("SEV4", f"No significant rise in errors (p = {comparison.p_value:.2g})" if comparison.p_value is not None
                            else "No significant rise in errors"))
    order = {"SEV1": 1, "SEV2": 2, "SEV3": 3, "SEV4": 4}
    reasons.sort(key=lambda r: order[r[0]])
    best = reasons[0][0]
    if recovered and best in ("SEV1", "SEV2") and not any(r[0] == "SEV1" for r in reasons):
        best = "SEV3"
    return best, [text for _, text in reasons]
