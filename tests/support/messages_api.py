"""A scripted stand-in for the Anthropic Messages API, served on 127.0.0.1 for tests.

It stands in for the *model*, nothing else: whatever client talks to it (the `anthropic` SDK, the
Claude Code CLI) is the real thing, and so are the tools that client runs. The test writes the
model's turns as a script and checks what the client sent.

    from support.messages_api import ScriptedMessagesAPI, message, tool_results, tool_use

    def script(request: dict) -> dict:        # one call per POST /v1/messages, in arrival order
        if len(request["messages"]) == 1:      # the first turn: call a tool
            return message("Reading the logs.", tool_use("read_logs", {"logs": ["error.log"]}, id="toolu_1"))
        assert "Payment timeout" in tool_results(request)["toolu_1"]
        return message("Done.")                # a final text; stop_reason end_turn

    with ScriptedMessagesAPI(script) as api:   # serves on a random port until the block ends
        client = anthropic.Anthropic(base_url=api.url, api_key="test")
        ...
    api.requests                                # every /v1/messages request body, in order

The API, all of it:

- `ScriptedMessagesAPI(script)`: a context manager. `.url` is `http://127.0.0.1:<port>` (use it as
  `ANTHROPIC_BASE_URL` or the SDK's `base_url`); `.requests` lists the JSON body of every
  `POST /v1/messages`; `.traffic` lists `(method, path)` of every HTTP request of any kind.
- `script(request_body) -> response_body`: the response in the Messages API's non-streaming shape
  (`message(...)` builds one: id, type "message", role, model, content, stop_reason, usage). When
  the request says `"stream": true`, the server sends the same message as server-sent events
  (message_start, content_block_start / delta / stop with text_delta, input_json_delta or
  thinking_delta, message_delta, message_stop); a non-streaming request gets the JSON.
- An error instead: return `error(429, "slow down", headers={"retry-after": "0"})`, or any dict with
  `"status"` (and optional `"headers"`, `"error": {"type", "message"}`); the server sends that HTTP
  status with an Anthropic error body (`{"type": "error", "error": {...}}`).
- Helpers: `message(*blocks_or_strings, stop_reason=None)`, `text(str)`, `tool_use(name, input, id=None)`,
  `error(status, message, type=None, headers=None)`, and `tool_results(request)`: tool_use_id -> the
  text of each tool_result in the request's last message.
- If the script raises (a failed `assert` about the request, say), the request gets a 400
  `invalid_request_error` carrying the message (a status clients do not retry), and leaving the
  `with` block re-raises the first such exception, so the test fails with the script's own message.
- `POST /v1/messages/count_tokens` is answered by the server (a rough estimate, no script call);
  any other path is a 404 `not_found_error`. Both are recorded in `.traffic` only.
"""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Script = Callable[[dict[str, Any]], dict[str, Any]]

ERROR_TYPES = {400: "invalid_request_error", 401: "authentication_error", 403: "permission_error",
               404: "not_found_error", 413: "request_too_large", 429: "rate_limit_error", 500: "api_error",
               529: "overloaded_error"}
_ids = itertools.count(1)


def text(value: str) -> dict[str, Any]:
    """A text content block."""
    return {"type": "text", "text": value}


def tool_use(name: str, arguments: dict[str, Any], id: str | None = None) -> dict[str, Any]:
    """A tool_use content block; the id is made up when not given."""
    return {"type": "tool_use", "id": id or f"toolu_scripted_{next(_ids):04d}", "name": name, "input": arguments}


def message(*content: dict[str, Any] | str, stop_reason: str | None = None, model: str = "scripted-model",
            usage: dict[str, int] | None = None) -> dict[str, Any]:
    """A Messages API response body. Strings become text blocks; stop_reason defaults to "tool_use"
    when a block is a tool call, else "end_turn"."""
    blocks = [text(c) if isinstance(c, str) else c for c in content]
    if stop_reason is None:
        stop_reason = "tool_use" if any(b["type"] == "tool_use" for b in blocks) else "end_turn"
    return {"id": f"msg_scripted_{next(_ids):04d}", "type": "message", "role": "assistant", "model": model,
            "content": blocks, "stop_reason": stop_reason, "stop_sequence": None,
            "usage": usage or {"input_tokens": 10, "output_tokens": 10}}


def error(status: int, message: str = "scripted error", *, type: str | None = None,
          headers: dict[str, str] | None = None) -> dict[str, Any]:
    """An error response: HTTP `status` with an Anthropic error body."""
    return {"status": status, "headers": headers or {},
            "error": {"type": type or ERROR_TYPES.get(status, "api_error"), "message": message}}


def tool_results(request: dict[str, Any]) -> dict[str, str]:
    """tool_use_id -> the text of each tool_result in the request's last message (text blocks joined)."""
    last = request["messages"][-1]["content"]
    found = {}
    for block in last if isinstance(last, list) else []:
        if block.get("type") == "tool_result":
            content = block.get("content", "")
            if isinstance(content, list):
                content = "".join(part.get("text", "") for part in content if part.get("type") == "text")
            found[block["tool_use_id"]] = content
    return found


def sse_events(body: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """The streaming form of a non-streaming response body, as (event, data) pairs."""
    usage = body.get("usage", {})
    events = [("message_start", {"type": "message_start", "message": {
        **body, "content": [], "stop_reason": None, "stop_sequence": None,
        "usage": {**usage, "output_tokens": 1}}})]
    for index, block in enumerate(body["content"]):
        kind = block["type"]
        if kind == "text":
            start, deltas = {"type": "text", "text": ""}, [
                {"type": "text_delta", "text": piece} for piece in _pieces(block["text"])]
        elif kind == "tool_use":
            start = {"type": "tool_use", "id": block["id"], "name": block["name"], "input": {}}
            deltas = [{"type": "input_json_delta", "partial_json": piece} for piece in _pieces(json.dumps(block["input"]))]
        elif kind == "thinking":
            start = {"type": "thinking", "thinking": "", "signature": ""}
            deltas = [{"type": "thinking_delta", "thinking": piece} for piece in _pieces(block["thinking"])]
            deltas.append({"type": "signature_delta", "signature": block.get("signature", "scripted")})
        else:  # any other block arrives whole
            start, deltas = block, []
        events.append(("content_block_start", {"type": "content_block_start", "index": index, "content_block": start}))
        events += [("content_block_delta", {"type": "content_block_delta", "index": index, "delta": d}) for d in deltas]
        events.append(("content_block_stop", {"type": "content_block_stop", "index": index}))
    events.append(("message_delta", {"type": "message_delta",
                                     "delta": {"stop_reason": body["stop_reason"], "stop_sequence": body.get("stop_sequence")},
                                     "usage": {"output_tokens": usage.get("output_tokens", 1)}}))
    events.append(("message_stop", {"type": "message_stop"}))
    return events


def _pieces(value: str, size: int = 40) -> list[str]:
    """Split into chunks, so clients must accumulate deltas; an empty string is one empty chunk."""
    return [value[i:i + size] for i in range(0, len(value), size)] or [""]


class ScriptedMessagesAPI:
    """Serves `script`'s responses as the Messages API on 127.0.0.1 (random port) while in `with`."""

    def __init__(self, script: Script) -> None:
        self.script = script
        self.requests: list[dict[str, Any]] = []
        self.traffic: list[tuple[str, str]] = []
        self.failures: list[BaseException] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        assert self._server is not None, "use ScriptedMessagesAPI as a context manager"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> ScriptedMessagesAPI:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="scripted-messages-api", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        assert self._server is not None and self._thread is not None
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)
        if self.failures:
            if exc is None:
                raise self.failures[0]
            exc.add_note(f"the scripted model had failed first: {self.failures[0]!r}")

    def _respond(self, body: dict[str, Any]) -> dict[str, Any]:
        with self._lock:  # one script call at a time, in arrival order
            self.requests.append(body)
            try:
                return self.script(body)
            except BaseException as failure:  # noqa: BLE001 - assert, pytest.fail ...: reported to the test on exit
                self.failures.append(failure)
                return error(400, f"scripted model: {type(failure).__name__}: {failure}")


def _handler(api: ScriptedMessagesAPI) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # quiet test output
            pass

        def _send(self, status: int, payload: bytes, content_type: str, headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            self.send_header("content-type", content_type)
            self.send_header("content-length", str(len(payload)))
            self.send_header("request-id", f"req_scripted_{next(_ids):04d}")
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)

        def _json(self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
            self._send(status, json.dumps(body).encode(), "application/json", headers)

        def _error(self, status: int, message: str) -> None:
            self._json(status, {"type": "error", "error": {"type": ERROR_TYPES.get(status, "api_error"), "message": message}})

        def do_GET(self) -> None:
            api.traffic.append(("GET", self.path))
            self._error(404, f"scripted model: no GET {self.path}")

        def do_HEAD(self) -> None:
            api.traffic.append(("HEAD", self.path))
            self._send(404, b"", "application/json")

        def do_POST(self) -> None:
            path = self.path.split("?", 1)[0]
            api.traffic.append(("POST", self.path))
            raw = self.rfile.read(int(self.headers.get("content-length") or 0))
            try:
                body = json.loads(raw or b"{}")
            except ValueError:
                return self._error(400, "scripted model: the body is not JSON")
            if path.endswith("/v1/messages/count_tokens"):
                return self._json(200, {"input_tokens": max(1, len(raw) // 4)})
            if not path.endswith("/v1/messages"):
                return self._error(404, f"scripted model: no POST {path}")
            response = api._respond(body)
            if "status" in response:
                err = response.get("error") or {}
                status = int(response["status"])
                return self._json(status, {"type": "error", "error": {
                    "type": err.get("type", ERROR_TYPES.get(status, "api_error")),
                    "message": err.get("message", "scripted error")}}, response.get("headers"))
            if body.get("stream"):
                stream = "".join(f"event: {name}\ndata: {json.dumps(data)}\n\n" for name, data in sse_events(response))
                return self._send(200, stream.encode(), "text/event-stream", {"cache-control": "no-cache"})
            return self._json(200, response)

    return Handler
