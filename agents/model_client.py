"""One Messages API call, made resilient: retries with backoff and jitter, `retry-after` honoured, usage counted.

Retried: 429 rate limits, 529 overloaded, other 5xx, connection errors and timeouts. Not retried: a
refused key (ModelAuthError, for the CLI to say in one line) or a request the API calls invalid.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt, wait_exponential_jitter

if TYPE_CHECKING:
    import anthropic

    from wicked_platform.tools.report import ModelUsage

# The SDK is imported where a model is called, not here: importing it takes longer than scanning a
# gigabyte of logs, and an offline investigation never needs it.
DEFAULT_MODEL = "claude-sonnet-4-6"
DEFAULT_MAX_INPUT_TOKENS = 20_000
MAX_RETRY_AFTER_SECONDS = 60.0
# US$ per million tokens: input, output, cache write (5 min), cache read. List prices; a model not
# here gets no cost estimate rather than a guessed one.
PRICES: dict[str, tuple[float, float, float, float]] = {
    "claude-opus-4": (15.0, 75.0, 18.75, 1.50),
    "claude-opus-4-1": (15.0, 75.0, 18.75, 1.50),
    "claude-sonnet-4": (3.0, 15.0, 3.75, 0.30),
    "claude-sonnet-4-5": (3.0, 15.0, 3.75, 0.30),
    "claude-sonnet-4-6": (3.0, 15.0, 3.75, 0.30),
    "claude-haiku-4-5": (1.0, 5.0, 1.25, 0.10),
}


class ModelAuthError(ValueError):
    """The API refused the key: one line for the user, no fallback (a wrong key is not a flaky network)."""


class ModelUnavailable(RuntimeError):
    """The model could not answer after the retries, or refused the request: the engine finishes the report."""


def default_model() -> str:
    return os.environ.get("WICKED_PLATFORM_MODEL") or DEFAULT_MODEL


def estimated_cost(usage: ModelUsage) -> float | None:
    price = PRICES.get(usage.model) or PRICES.get(usage.model.rsplit("-", 1)[0])
    if price is None:
        return None
    per_input, per_output, per_write, per_read = price
    total = (usage.input_tokens * per_input + usage.output_tokens * per_output
             + usage.cache_creation_input_tokens * per_write + usage.cache_read_input_tokens * per_read)
    return round(total / 1_000_000, 6)


def _retryable(exc: BaseException) -> bool:
    import anthropic

    if isinstance(exc, anthropic.APIConnectionError):  # includes timeouts
        return True
    if isinstance(exc, anthropic.APIStatusError):
        return exc.status_code == 429 or exc.status_code >= 500
    return False


@dataclass
class ModelClient:
    """A Messages API client with the retry policy and a running count of what was used."""

    model: str
    client: anthropic.AsyncAnthropic
    max_attempts: int = 4
    backoff_seconds: float = 1.0  # first wait; doubles, with jitter, up to 30 s
    usage: ModelUsage = field(init=False)
    sent: list[dict[str, Any]] = field(default_factory=list)  # every request body, for tests and audits
    retries: int = 0

    def __post_init__(self) -> None:
        from wicked_platform.tools.report import ModelUsage

        self.usage = ModelUsage(model=self.model)

    @classmethod
    def from_environment(cls, model: str, *, api_key: str | None = None, **options: Any) -> ModelClient:
        key = api_key or os.environ.get("ANTHROPIC_API_KEY")
        if not key:
            raise ModelAuthError("--agent anthropic: ANTHROPIC_API_KEY is not set (or use --agent offline)")
        import anthropic

        # The SDK's own retries are off: tenacity's policy below is the one that runs, and is tested.
        client = anthropic.AsyncAnthropic(api_key=key, base_url=os.environ.get("ANTHROPIC_BASE_URL") or None,
                                          max_retries=0, timeout=120.0)
        return cls(model=model, client=client, **options)

    def _count_retry(self, state: RetryCallState) -> None:
        self.retries += 1

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        response = getattr(exc, "response", None)
        header = response.headers.get("retry-after") if response is not None else None
        if header is not None:
            try:
                return min(max(float(header), 0.0), MAX_RETRY_AFTER_SECONDS)
            except ValueError:
                pass  # an HTTP date: fall back to the backoff
        return wait_exponential_jitter(initial=self.backoff_seconds, max=30.0, jitter=self.backoff_seconds)(state)

    async def create(self, **request: Any) -> anthropic.types.Message:
        import anthropic

        body = {"model": self.model, **request}
        self.sent.append(body)
        try:
            async for attempt in AsyncRetrying(stop=stop_after_attempt(self.max_attempts), wait=self._wait,
                                               retry=retry_if_exception(_retryable), reraise=True,
                                               before_sleep=self._count_retry):
                with attempt:
                    response = await self.client.messages.create(**body)
        except anthropic.AuthenticationError as exc:
            raise ModelAuthError(f"ANTHROPIC_API_KEY was refused by the API ({exc.status_code}): set a valid key, "
                                 "or use --agent offline") from None
        except anthropic.APIStatusError as exc:
            raise ModelUnavailable(f"the model API answered {exc.status_code} "
                                   f"({_error_type(exc)}) after {self.max_attempts} attempt(s)") from None
        except anthropic.APIConnectionError as exc:
            raise ModelUnavailable(f"could not reach the model API after {self.max_attempts} attempts: "
                                   f"{type(exc).__name__}") from None
        self._count(response.usage)
        return response

    def _count(self, usage: Any) -> None:
        u = self.usage
        u.requests += 1
        u.input_tokens += usage.input_tokens or 0
        u.output_tokens += usage.output_tokens or 0
        u.cache_creation_input_tokens += getattr(usage, "cache_creation_input_tokens", 0) or 0
        u.cache_read_input_tokens += getattr(usage, "cache_read_input_tokens", 0) or 0
        u.estimated_cost_usd = estimated_cost(u)

    @property
    def fresh_input_tokens(self) -> int:
        return self.usage.input_tokens + self.usage.cache_creation_input_tokens


def _error_type(exc: anthropic.APIStatusError) -> str:
    body = exc.body if isinstance(exc.body, dict) else {}
    error = body.get("error") if isinstance(body.get("error"), dict) else body
    return str(error.get("type") or "error")
