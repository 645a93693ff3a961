"""The deploy catalogue, row by row: every phrasing and structured shape read off its own sample."""

import re

import pytest

from wicked_platform.tools.analysis.deploy_lines import recognise_deploy
from wicked_platform.tools.analysis.deploy_shapes import DEPLOY_PHRASINGS, STRUCTURED_SAMPLES

LINE_SERVICE = "the-line-service"


def test_catalogue_rows_are_named_once_and_say_where_their_sample_came_from():
    names = [row.name for row in DEPLOY_PHRASINGS] + [row.name for row in STRUCTURED_SAMPLES]
    assert len(names) == len(set(names))
    assert all(row.source.strip() for row in (*DEPLOY_PHRASINGS, *STRUCTURED_SAMPLES))


@pytest.mark.parametrize("row", DEPLOY_PHRASINGS, ids=lambda row: row.name)
def test_every_phrasing_reads_its_own_sample(row):
    assert row.message in row.sample  # the message is the part of the real line a log line carries
    mention = recognise_deploy(row.message, LINE_SERVICE)
    assert mention is not None and mention.shape == row.name
    service, version, phase = row.expect
    assert (mention.service, mention.version, mention.phase) == (service or LINE_SERVICE, version, phase)


@pytest.mark.parametrize("row", STRUCTURED_SAMPLES, ids=lambda row: row.name)
def test_every_structured_shape_reads_its_own_sample(row):
    mention = recognise_deploy(row.message, row.line_service)
    assert mention is not None
    assert (mention.service, mention.version, mention.phase) == row.expect


@pytest.mark.parametrize("row", DEPLOY_PHRASINGS, ids=lambda row: row.name)
def test_no_phrasing_takes_a_line_that_only_mentions_its_words(row):
    # The words of the phrasing, quoted as a user's value, are no deploy.
    quoted = f'Login rejected for user "{row.message}": account locked'
    assert recognise_deploy(quoted, LINE_SERVICE) is None
    assert re.search(row.pattern, quoted) is None


# Lines reach the analysis only when the scan's event vocabulary (tools/logs/formats.py: VOCABULARY_WORDS,
# EVENT_WORDS, EVENT) passes them: every phrasing of the catalogue goes through the real scan.


def _through_the_scan(tmp_path, *messages: str):
    from wicked_platform.tools.analysis.deploys import deploy_events
    from wicked_platform.tools.logs.scan import scan_logs

    path = tmp_path / "events.log"
    path.write_text("".join(f"2024-03-04T10:00:0{i}Z INFO kube-events {m}\n" for i, m in enumerate(messages)))
    return deploy_events(scan_logs([path]).events)


@pytest.mark.parametrize("row", DEPLOY_PHRASINGS, ids=[row.name for row in DEPLOY_PHRASINGS])
def test_every_phrasing_reaches_the_analysis_through_the_scan(tmp_path, row):
    found = _through_the_scan(tmp_path, row.message)
    assert [e.shape for e in found] == [row.name]


@pytest.mark.parametrize("messages", [pytest.param(
    ("Scaled up replica set billing-api-7c9f8d6b5 to 1", "Scaled down replica set billing-api-5d8b6f4c9 to 2 from 3"),
    id="billing-api")])
def test_a_rollout_of_a_deployment_not_named_deployment_reaches_the_analysis(tmp_path, messages):
    # The catalogue's real sample names its deployment `deployment`, a word the scan already passes.
    assert [(e.service, e.phase) for e in _through_the_scan(tmp_path, *messages)] == [
        ("billing-api", "started"), ("billing-api", "retired")]
