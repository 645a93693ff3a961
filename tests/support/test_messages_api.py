"""The scripted Messages API stand-in, through the real `anthropic` SDK: JSON and SSE, errors, and a
failed script assertion surfacing in the test."""

import anthropic
import pytest

from support.messages_api import ScriptedMessagesAPI, error, message, text, tool_results, tool_use

WEATHER = {"name": "weather", "description": "the weather", "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}}}


def client(api, **options):
    return anthropic.Anthropic(base_url=api.url, api_key="test-not-a-key", **options)


def test_non_streaming_text_and_recorded_request():
    with ScriptedMessagesAPI(lambda request: message("hello " + request["messages"][0]["content"])) as api:
        reply = client(api).messages.create(model="m", max_tokens=50, messages=[{"role": "user", "content": "there"}])
    assert reply.content[0].text == "hello there"
    assert reply.stop_reason == "end_turn" and reply.usage.input_tokens == 10
    assert api.requests == [{"model": "m", "max_tokens": 50, "messages": [{"role": "user", "content": "there"}]}]


def test_tool_use_then_tool_result_round_trip():
    def script(request):
        if len(request["messages"]) == 1:
            return message("Checking.", tool_use("weather", {"city": "Oslo"}, id="toolu_1"))
        assert tool_results(request) == {"toolu_1": "rain"}
        return message("It rains in Oslo.")

    with ScriptedMessagesAPI(script) as api:
        c = client(api)
        messages = [{"role": "user", "content": "Weather in Oslo?"}]
        first = c.messages.create(model="m", max_tokens=50, messages=messages, tools=[WEATHER])
        assert first.stop_reason == "tool_use"
        call = first.content[1]
        assert (call.type, call.id, call.name, call.input) == ("tool_use", "toolu_1", "weather", {"city": "Oslo"})
        messages += [{"role": "assistant", "content": first.content},
                     {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "content": "rain"}]}]
        second = c.messages.create(model="m", max_tokens=50, messages=messages, tools=[WEATHER])
    assert second.content[0].text == "It rains in Oslo."
    assert len(api.requests) == 2 and api.requests[0]["tools"] == [WEATHER]


def test_streaming_sends_the_same_message_as_events():
    long_text = "A sentence long enough to arrive in several text deltas. " * 3
    arguments = {"city": "Oslo", "days": [1, 2, 3], "note": "x" * 100}
    with ScriptedMessagesAPI(lambda request: message(long_text, tool_use("weather", arguments, id="toolu_9"))) as api:
        with client(api).messages.stream(model="m", max_tokens=50, messages=[{"role": "user", "content": "hi"}]) as stream:
            events = [event.type for event in stream]
            final = stream.get_final_message()
    assert api.requests[0]["stream"] is True
    assert final.content[0].text == long_text
    assert final.content[1].input == arguments and final.content[1].id == "toolu_9"
    assert final.stop_reason == "tool_use"
    assert events.count("text") > 1 and "input_json" in events
    assert events[0] == "message_start" and events[-1] == "message_stop"


def test_an_error_status_with_headers_is_retried_by_the_sdk():
    replies = iter([error(429, "slow down", headers={"retry-after": "0"}), message("ok")])
    with ScriptedMessagesAPI(lambda request: next(replies)) as api:
        reply = client(api, max_retries=1).messages.create(model="m", max_tokens=5, messages=[{"role": "user", "content": "x"}])
    assert reply.content[0].text == "ok" and len(api.requests) == 2


def test_an_error_reaches_the_caller_typed():
    with ScriptedMessagesAPI(lambda request: error(529, "overloaded")) as api:
        with pytest.raises(anthropic.APIStatusError) as caught:
            client(api, max_retries=0).messages.create(model="m", max_tokens=5, messages=[{"role": "user", "content": "x"}])
    assert caught.value.status_code == 529
    assert caught.value.body == {"type": "error", "error": {"type": "overloaded_error", "message": "overloaded"}}


def test_a_failed_script_assertion_fails_the_test_with_its_message():
    def script(request):
        assert request["model"] == "expected-model", "wrong model"
        return message("unreachable")

    with pytest.raises(AssertionError, match="wrong model"):
        with ScriptedMessagesAPI(script) as api:
            with pytest.raises(anthropic.BadRequestError, match="wrong model"):
                client(api).messages.create(model="other", max_tokens=5, messages=[{"role": "user", "content": "x"}])


def test_count_tokens_and_unknown_paths():
    with ScriptedMessagesAPI(lambda request: pytest.fail("the script sees only /v1/messages")) as api:
        c = client(api, max_retries=0)
        counted = c.messages.count_tokens(model="m", messages=[{"role": "user", "content": "hello"}])
        with pytest.raises(anthropic.NotFoundError):
            c.models.list()
    assert counted.input_tokens > 0
    assert api.requests == [] and ("GET", "/v1/models") in api.traffic


def test_helpers_build_the_documented_shapes():
    body = message(text("a"), tool_use("t", {}, id="toolu_x"))
    assert body["type"] == "message" and body["role"] == "assistant" and body["stop_reason"] == "tool_use"
    assert body["content"] == [{"type": "text", "text": "a"}, {"type": "tool_use", "id": "toolu_x", "name": "t", "input": {}}]
    assert message("b", stop_reason="max_tokens")["stop_reason"] == "max_tokens"
    assert error(429)["error"]["type"] == "rate_limit_error"
