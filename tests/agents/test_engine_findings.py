"""The engine's words per phase stay within what a phase's findings hold, however many services are involved."""

from support.built import build
from support.investigations import request_for

from wicked_platform.agents import engine_findings
from wicked_platform.agents.offline import engine_report


def test_thousands_of_direct_services_are_named_in_part(tmp_path):
    """A directory of Docker json-file logs names a service per container: 2,000 of them can rise together."""
    report = engine_report(request_for(build("checkout-timeout", tmp_path)))
    many = [f"{i:064x}-json" for i in range(2000)]
    blast = report.blast_radius.model_copy(update={"direct": many, "cascade": many[:3], "services": many})
    findings = engine_findings.blast_radius(report.model_copy(update={"blast_radius": blast}))
    assert len(findings.summary) <= 1200
    assert f"{many[9]} and 1990 more; cascade: {', '.join(many[:3])};" in findings.summary
