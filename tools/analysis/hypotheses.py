"""Three to five hypotheses, most likely first, each with its evidence and the cheapest next check."""

from __future__ import annotations

from wicked_platform.tools.analysis.correlation import Candidate
from wicked_platform.tools.analysis.impact import AffectedServices
from wicked_platform.tools.analysis.rates import Onset, find_onset
from wicked_platform.tools.context import IncidentContext
from wicked_platform.tools.logs.models import LogScan
from wicked_platform.tools.report import Hypothesis, Likelihood
from wicked_platform.tools.timeutil import hhmmss

_ORDER = {"HIGH": 0, "MEDIUM": 1, "LOW": 2}


def _candidate_hypothesis(candidate: Candidate) -> tuple[Likelihood, str, list[str], str]:
    likelihood: Likelihood = {"HIGH": "HIGH", "MEDIUM": "MEDIUM"}.get(candidate.confidence, "LOW")
    label = f"{candidate.service} {candidate.deploy.version}" if candidate.deploy and candidate.deploy.version else candidate.service
    if candidate.change is not None:
        title = f"Regression from {label}: {candidate.change.change.key} {candidate.change.change.before} → {candidate.change.change.after}"
        check = f"git show {candidate.commit.short} -- {candidate.change.change.file}" if candidate.commit else "review the change"
    elif candidate.commit is not None:
        title = f"Regression from {label}: {candidate.commit.subject}"
        check = f"git show --stat {candidate.commit.short}"
    else:
        title = f"Regression from {label}"
        check = f"list what {label} shipped (no commit matched the deploy)"
    return likelihood, title, candidate.evidence[:4], check


def _callers(service: str, context: IncidentContext) -> set[str]:
    """Services that call `service`, directly or through others, per depends_on: its victims, never its cause."""
    found: set[str] = set()
    todo = [service]
    while todo:
        for caller in context.dependants_of(todo.pop()):
            if caller not in found:
                found.add(caller)
                todo.append(caller)
    return found


def build_hypotheses(
    scan: LogScan, onset: Onset | None, affected: AffectedServices, candidates: list[Candidate],
    resource_signals: list[str], context: IncidentContext, expired_certificates: list[str] = (),
) -> list[Hypothesis]:
    found: list[tuple[Likelihood, str, list[str], str]] = []
    if expired_certificates:
        # The errors name their cause; a certificate that expired at the onset beats any change.
        found.append((
            "HIGH", "TLS certificate expired", [f"the logs say: {s}" for s in expired_certificates],
            "kubectl get certificates -A (cert-manager), or openssl s_client -connect <host>:<port> </dev/null "
            "| openssl x509 -noout -enddate",
        ))
    admissible = [c for c in candidates if c.confidence != "NONE"]
    for candidate in admissible[:2]:
        found.append(_candidate_hypothesis(candidate))
    direct = affected.direct[0] if affected.direct else None
    if direct is not None:
        # A service that calls the failing one is its victim; the cascade that is not is a suspect.
        upstream = sorted((set(context.service(direct).depends_on) | set(affected.cascade)) - _callers(direct, context))
        for dependency in upstream[:1]:
            symptoms = [s for s in scan.signatures if s.service == dependency and onset and s.last_seen >= onset.at]
            # Upstream first means its own errors rose before the onset; a steady baseline of them does not.
            own = find_onset(scan, [dependency]) if onset is not None else None
            errors_first = own is not None and onset is not None and own.comparison.significant and own.at < onset.at
            evidence = [f"{dependency} logged '{s.example}' at {hhmmss(s.first_seen)}" for s in symptoms[:2]] or [
                f"{dependency} is a dependency of {direct} per incident-context.yaml; no symptoms of its own in the logs read"
            ]
            if errors_first and own is not None:
                evidence.append(f"its own errors rose at {hhmmss(own.at)}, before {direct}'s onset")
            elif onset is not None and any(s.first_seen < onset.at for s in symptoms):
                evidence.append(f"its own errors did not rise before {direct}'s onset: what it logged before is its usual rate")
            else:
                evidence.append(f"its symptoms follow {direct}'s onset rather than precede it")
            found.append((
                "MEDIUM" if errors_first else "LOW", f"{dependency} degraded, surfacing in {direct}", evidence,
                f"check {dependency}'s own error rate and p99 latency since before {hhmmss(onset.at) if onset else 'the onset'}",
            ))
    if resource_signals:
        found.append(("MEDIUM", "Resource exhaustion", [f"the logs show: {s}" for s in resource_signals[:3]],
                      f"kubectl top pods -l app={direct}" if direct else "check memory, connections and disk"))
    else:
        found.append(("LOW", "Resource exhaustion (memory, connections, disk)",
                      ["no out-of-memory, connection-pool or disk-full messages in the logs read"],
                      f"kubectl top pods -l app={direct}" if direct else "check memory, connections and disk"))
    if scan.requests and onset is not None:
        before = [r for r in scan.requests if r.at < onset.at]
        after = [r for r in scan.requests if r.at >= onset.at]
        if before and after:
            span_b = max((onset.at - min(r.at for r in before)).total_seconds(), 1)
            span_a = max((max(r.at for r in after) - onset.at).total_seconds() + 1, 1)
            rate_b = sum(r.requests for r in before) / span_b * 60
            rate_a = sum(r.requests for r in after) / span_a * 60
            surge = rate_a >= 1.5 * rate_b
            found.append(("MEDIUM" if surge else "LOW", "Traffic surge",
                          [f"{rate_a:.0f} requests/min after the onset vs {rate_b:.0f} before"],
                          "compare request rate per client and endpoint around the onset"))
    if len(found) < 3:
        found.append(("LOW", "An external dependency or infrastructure change outside this repository",
                      ["not visible in the logs or git history read"],
                      "check the cloud provider's status page and infrastructure change log for the onset time"))
    ranked = sorted(enumerate(found), key=lambda item: (_ORDER[item[1][0]], item[0]))[:5]
    return [
        Hypothesis(rank=i + 1, title=title, likelihood=likelihood, evidence=evidence, next_check=check)
        for i, (_, (likelihood, title, evidence, check)) in enumerate(ranked)
    ]
