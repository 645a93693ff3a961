"""Replaying the model: cassettes of Messages API exchanges, recorded against the scripted server.

In CI (`--record-mode none`, pytest-recording's default) every model answer comes from a cassette:
no network, no key. `pytest --record-mode=rewrite tests/agents/test_anthropic_agent.py` records them
again, against `ScriptedMessagesAPI` running `ScriptedResponder` — a hand-written stand-in for the
model, never a model's words (see cassettes/README.md).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from support.messages_api import ScriptedMessagesAPI
from support.scripted_model import ScriptedResponder

# Where a replayed client points: nothing listens there, and nothing needs to.
REPLAY_URL = "http://127.0.0.1:9"


@pytest.fixture(scope="module")
def vcr_config():
    return {
        # The scripted server listens on a new port each recording, and request bodies carry temp paths:
        # requests are matched by method and path, in the order they were recorded.
        "match_on": ["method", "path"],
        "filter_headers": ["x-api-key", "authorization"],
        "allow_playback_repeats": False,
    }


@pytest.fixture
def model_api(record_mode):
    """`with model_api(ScriptedResponder(...)) as url:` — the scripted server while recording, else nothing."""

    @contextmanager
    def serve(script: ScriptedResponder) -> Iterator[str]:
        if record_mode == "none":
            yield REPLAY_URL
            return
        with ScriptedMessagesAPI(script) as api:
            yield api.url

    return serve
