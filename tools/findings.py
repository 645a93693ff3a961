"""What each phase of the investigation established, as the models the phases pass on (tools/investigation.py
runs the phases, tools/report_assembly.py writes the report from them)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from wicked_platform.tools.analysis.correlation import Candidate
from wicked_platform.tools.analysis.impact import AffectedServices
from wicked_platform.tools.analysis.onsets import primary_onset
from wicked_platform.tools.analysis.rates import Onset, RateComparison, compare_at
from wicked_platform.tools.analysis.signal_judgment import SignalRise
from wicked_platform.tools.changes.models import GitHistory, RepoGrounds
from wicked_platform.tools.logs.models import LogScan, SignatureStats
from wicked_platform.tools.report import Deploy, Hypothesis, RollbackDecision, Signal, Symptom


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)


class SymptomFindings(Frozen):
    scan: LogScan
    onset: Onset | None
    service_onsets: dict[str, Onset] = Field(default_factory=dict, description=(
        "each service's own onset, of the services whose own errors really rose"))
    affected: AffectedServices
    rising: list[SignatureStats]
    symptoms: list[Symptom]
    recovered: bool
    signals: list[Signal] = Field(default_factory=list, description="measured signals: latency from the logs' durations")
    signal_rise: SignalRise | None = Field(None, description=(
        "the measured signal whose rise is the incident, when errors did not rise (a latency regression alone)"))

    @property
    def incident_onset(self) -> Onset | None:
        """The onset when errors really rose; None for steady noise, whose best split is no onset."""
        if self.signal_rise is None and self.onset is not None and (self.onset.comparison.significant or self.affected.direct):
            return self.onset
        return None


class ChangeFindings(Frozen):
    history: GitHistory | None
    deploys: list[Deploy]
    match_notes: dict[str, str]
    candidates: list[Candidate]
    notes: list[str] = Field(default_factory=list)
    grounds: RepoGrounds | None = Field(None, description="what the repository at the cause's commit (else HEAD) declares: "
                                                          "the names commands may use")


class MitigationFindings(Frozen):
    severity: str
    severity_reasons: list[str]
    decision: RollbackDecision
    hypotheses: list[Hypothesis]
    follow_up: list[str]
    lessons: list[str]
    scaling_ruled_out: bool = Field(False, description="the logs show more replicas would not help (a shared limit, "
                                                       "an expired certificate)")


def primary_comparison(found: SymptomFindings) -> RateComparison | None:
    """The error rates of the directly affected service before and after its own rise (or the incident's)."""
    if found.signal_rise is not None:  # the errors of the service that slowed, before and after it slowed
        return compare_at(found.scan, found.signal_rise.at, [found.signal_rise.service])
    if found.onset is None:
        return None
    if found.affected.direct:
        onset = primary_onset(found.onset, found.affected.direct, found.service_onsets) or found.onset
        own = compare_at(found.scan, onset.at, found.affected.direct[:1], tests=onset.tests)
        # An upstream that degraded without errors of its own (it slowed, its callers timed out) is measured
        # by the incident's errors, not by its own none.
        return own if own is not None and own.after_errors else found.onset.comparison
    return found.onset.comparison
