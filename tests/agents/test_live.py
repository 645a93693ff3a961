"""The incident-responder on the real API: run only with `-m live` and a key; records into cassettes/live/.

Nothing here runs in CI. It answers what the scripted cassettes cannot: does a real model, on the
checkout-timeout scenario, finish every phase within the budget with findings that hold up.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from support.built import build
from support.investigations import engine_fields, request_for

from wicked_platform.agents.anthropic_agent import DEFAULT_MAX_INPUT_TOKENS, investigate_with_model
from wicked_platform.agents.model_client import ModelClient, default_model
from wicked_platform.agents.offline import investigate

pytestmark = [pytest.mark.live, pytest.mark.vcr,
              pytest.mark.skipif(not os.environ.get("ANTHROPIC_API_KEY"), reason="needs ANTHROPIC_API_KEY")]


@pytest.fixture(scope="module")
def vcr_cassette_dir():
    return str(Path(__file__).parent / "cassettes" / "live")


def test_a_real_model_investigates_checkout_timeout_within_budget(tmp_path):
    built = build("checkout-timeout", tmp_path)
    request = request_for(built)
    client = ModelClient.from_environment(default_model())
    report = investigate_with_model(request, client)
    assert engine_fields(report) == engine_fields(investigate(request))
    assert report.usage.input_tokens + report.usage.cache_creation_input_tokens <= DEFAULT_MAX_INPUT_TOKENS
    assert sum(a.by == "model" for a in report.analysis) >= 4, report.notes
