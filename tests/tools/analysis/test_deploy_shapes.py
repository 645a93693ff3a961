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
