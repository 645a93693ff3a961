"""Secrets out of everything the tool shows: the one redaction every output path goes through.

`redact` replaces secret values with `[REDACTED]` and keeps what names them (`password=[REDACTED]`,
`Authorization: Bearer [REDACTED]`), so a reader still sees that a secret was there and which one.
It must leave ordinary log text alone: order ids, timestamps, 40-hex commit ids, versions and
config values like `paymentTimeout: 500` are the evidence an investigation is made of.
"""

from __future__ import annotations

import os
import re
from enum import Enum
from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel

from wicked_platform.tools.redaction_shapes import is_algorithm_name, is_constant_or_state

REDACTED = "[REDACTED]"

PERSONAL_DATA_ENV = "WICKED_PLATFORM_REDACT_PERSONAL"
REDACT_PERSONAL_DATA = os.environ.get(PERSONAL_DATA_ENV, "1").strip().lower() not in ("0", "false", "no", "off")
"""Also redact e-mail addresses and (Luhn-valid) card numbers: on unless `WICKED_PLATFORM_REDACT_PERSONAL=0`
(an on-call team that needs the customer's address to follow up). Secrets are redacted either way.
Read at call time, so it can be switched."""

# Words that end the name of a secret: `db_password`, `PGPASSWORD`, `clientSecret`, `x-api-key`,
# `aws_secret_access_key`. They must END the name, so `tokenCount`, `max_tokens`, `secretName`
# and `passwordMinLength` stay visible.
_SECRET_NAME = (
    r"(?:pass(?:word|wd|phrase)|pwd|secret|token|api[_-]?key|access[_-]?key|secret[_-]?key(?:[_-]?base)?"
    r"|private[_-]?key|master[_-]?key|signing[_-]?key|encryption[_-]?key|credentials?|amz[_-]signature)"
)
_SECRET_KEY_NAME = re.compile(rf"^[\w.-]*?{_SECRET_NAME}$", re.IGNORECASE)

# key=value, key: value, "key": "value", KEY = 'value', {\"key\": \"value\"} (escaped JSON in a log).
_KEY_VALUE = re.compile(
    rf"""(?P<key>(?<![\w./-])[\w.-]*?{_SECRET_NAME}\\?["']?[ \t]*(?::=|=|:)[ \t]*)"""
    # A bare value stops at a backslash before a quote: inside JSON text that is the string's end.
    r"""(?P<value>\[REDACTED\]|\\"[^"\n]*?\\"|"[^"\n]*"|'[^'\n]*'|(?:[^\s,;&"'}\]\\]|\\\\|\\(?!["'\\]))+)""",
    re.IGNORECASE,
)
# Prose: `my password is Correct-Horse-42`, `the passcode was 4711`. Only a value with a digit is
# taken for a secret, so `password is incorrect` and `password was reset` stay readable.
_PROSE_SECRET = re.compile(
    r"(?P<head>\b(?:pass(?:word|wd|phrase|code)|pwd)\s+(?:is|was|is\s+now|:)\s+[\"']?)(?P<secret>[^\s\"',;\\]*\d[^\s\"',;\\]*)",
    re.IGNORECASE,
)
# References to a secret are not the secret: `password: ${DB_PASSWORD}`, `token = os.environ[...]`.
_REFERENCE_PREFIXES = ("${", "{{", "process.env", "os.environ", "os.getenv", "env(", "secretkeyref")

# A block cut short (a bounded diff, a cut message) ends at the end of the text — or at a `"` (or `\"`),
# which no key holds: inside a JSON document that is the end of the string it sits in, not of the document.
_PRIVATE_KEY = re.compile(
    r'(-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----)((?:[^"\\]|\\[^"])*?)'
    r'(-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|(?=\\?")|\\?\Z)',
    re.DOTALL,
)
# scheme://user:password@host — keep the user, the host and the rest of the URL.
# The user may be empty: `redis://:password@cache:6379`.
_URL_CREDENTIALS = re.compile(r"(?P<head>\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s:/@]*:)(?P<secret>[^\s@/]+)(?=@)")
_AUTHORIZATION = re.compile(
    r"""(?P<head>\b(?:proxy-)?authorization["']?[ \t]*[:=][ \t]*["']?"""
    r"""(?:(?:bearer|basic|token|digest|negotiate|ntlm)[ \t]+)?)(?P<secret>[^\s"',;\\]+)""",
    re.IGNORECASE,
)
_BEARER = re.compile(r"(?P<head>\bbearer[ \t]+)(?P<secret>[A-Za-z0-9._~+/=-]{8,})", re.IGNORECASE)
# A cookie header's value is `name=value` pairs split by `; ` — all of them, not just the first.
_COOKIE = re.compile(
    r"""(?P<head>\b(?:set-)?cookie["']?[ \t]*[:=][ \t]*["']?)(?P<secret>[^\s;,"'\\]+(?:;[ \t]*[^\s;,"'\\]+)*)""",
    re.IGNORECASE,
)
_JWT = re.compile(r"\beyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")
_AWS_KEY_ID = re.compile(r"\b(?:AKIA|ASIA)[A-Z0-9]{16}\b")
_VENDOR_TOKEN = re.compile(
    r"\b(?:sk-ant-[A-Za-z0-9_-]{10,}"  # Anthropic
    r"|sk-[A-Za-z0-9_-]{20,}"  # OpenAI (sk-proj-..., sk-...)
    r"|gh[pousr]_[A-Za-z0-9]{30,}"  # GitHub classic tokens
    r"|github_pat_[A-Za-z0-9_]{20,}"  # GitHub fine-grained tokens
    r"|xox[bpars]-[A-Za-z0-9-]{10,}"  # Slack
    r"|[sr]k_(?:live|test)_[A-Za-z0-9]{10,}"  # Stripe secret and restricted keys
    r"|AIza[0-9A-Za-z_-]{35}"  # Google API keys
    r"|glpat-[A-Za-z0-9_-]{20,}"  # GitLab personal access tokens
    r"|npm_[A-Za-z0-9]{36,})"  # npm tokens
)
# A secret given to a command as a flag's next word: `mysql --password s3cret`, `cli --api-key k1`.
# Values here and below stop at a backslash: inside JSON text, `\"` ends the string they are in.
_FLAG = re.compile(
    r"""(?P<head>(?<![\w-])--(?:[\w-]*?[_-])?(?:pass(?:word|wd)|token|secret|api[_-]?key)[ \t]+)(?P<secret>[^\s"'\\]+)""",
    re.IGNORECASE,
)
# Incoming-webhook URLs are their own credential: the path is the secret.
_WEBHOOK = re.compile(r"(?P<head>\bhooks\.slack\.com/(?:services|workflows|triggers)/)(?P<secret>[A-Za-z0-9_/-]+)")
_EMAIL = re.compile(r"(?<![\w%+-])[A-Za-z0-9_%+-][A-Za-z0-9._%+-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")
# 13-19 digits, optionally in groups split by one space or dash; `_is_card_number` then wants a
# card's first digits (so epoch milliseconds and compact `20240115...` timestamps never qualify)
# and a valid Luhn check digit.
_CARD = re.compile(r"(?<![\w.-])\d(?:[ -]?\d){12,18}(?![\w-])")
_CARD_PREFIX = re.compile(r"^(?:4|5[1-5]|2[2-7]|3[0-9]|6)")

# Substrings at least one secret pattern needs (lower-cased): without any, the text is returned
# untouched after one cheap scan.
_TRIGGERS = (
    "pass", "pwd", "secret", "token", "key", "credential", "auth", "bearer", "cookie", "eyj",
    "akia", "asia", "private", "://", "sk-", "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "xox",
    "k_live_", "k_test_", "aiza", "glpat-", "npm_", "hooks.slack.com", "signature",
)


def is_secret_key(name: str) -> bool:
    """True for a key that names a secret (`DB_PASSWORD`, `apiKey`), whatever its value looks like."""
    return bool(_SECRET_KEY_NAME.match(name.strip().strip("\"'")))


def redact(text: str) -> str:
    """`text` with every secret it contains replaced by `[REDACTED]`."""
    if not text:
        return text
    lowered = text.lower()
    if any(trigger in lowered for trigger in _TRIGGERS):
        text = _redact_secrets(text)
    if REDACT_PERSONAL_DATA:
        text = _redact_personal_data(text)
    return text


def _redact_secrets(text: str) -> str:
    # Whole blocks and structured forms first, so the key=value pass does not half-eat them.
    text = _PRIVATE_KEY.sub(_private_key, text)
    text = _URL_CREDENTIALS.sub(_keep_head, text)
    text = _AUTHORIZATION.sub(_keep_head, text)
    text = _BEARER.sub(lambda m: _keep_head(m) if _looks_random(m.group("secret")) else m.group(0), text)
    text = _COOKIE.sub(_keep_head, text)
    text = _JWT.sub(REDACTED, text)
    text = _AWS_KEY_ID.sub(REDACTED, text)
    text = _VENDOR_TOKEN.sub(_vendor_token, text)
    text = _WEBHOOK.sub(_keep_head, text)
    text = _FLAG.sub(lambda m: m.group(0) if m.group("secret").startswith(("-", REDACTED))
                     or is_constant_or_state(m.group("secret")) else _keep_head(m), text)
    text = _KEY_VALUE.sub(_redact_value, text)
    return _PROSE_SECRET.sub(lambda m: m.group(0) if is_constant_or_state(m.group("secret")) else _keep_head(m), text)


def _redact_personal_data(text: str) -> str:
    if "@" in text:
        text = _EMAIL.sub(_email, text)
    return _CARD.sub(_card, text)


def _vendor_token(match: re.Match[str]) -> str:
    """A vendor's key, unless it is an algorithm's name that shares the prefix (`sk-ssh-ed25519-cert-v01`:
    a FIDO security-key certificate type, not an OpenAI key)."""
    token = match.group(0)
    return REDACTED if _looks_random(token) and not is_algorithm_name(token) else token


def _email(match: re.Match[str]) -> str:
    """An address, unless it is an algorithm's name (`aes256-gcm@openssh.com`): those are evidence."""
    return match.group(0) if is_algorithm_name(match.group(0).split("@", 1)[0]) else REDACTED


def _card(match: re.Match[str]) -> str:
    """The card in a run of digit groups: the whole run, or the longest stretch of whole groups that is
    one (`4111 1111 1111 1111 2` is a card and a quantity)."""
    text = match.group(0)
    if _is_card_number(text):
        return REDACTED
    bounds = [0] + [i for i, c in enumerate(text) if c in " -"] + [len(text)]
    stretches = sorted(((start, end) for start in bounds for end in bounds if end > start), key=lambda se: se[0] - se[1])
    for start, end in stretches:
        head = start + (start > 0)  # a stretch starts after its separator
        if _is_card_number(text[head:end]):
            return text[:head] + REDACTED + text[end:]
    return text


def _private_key(match: re.Match[str]) -> str:
    """The block's armour lines kept, its body gone; written with the line breaks it was written with,
    so a key inside a JSON string (`\\n` escapes) leaves valid JSON behind."""
    body = match.group(2)
    newline = "\n" if "\n" in body else "\\n" if "\\n" in body else " "
    return f"{match.group(1)}{newline}{REDACTED}{newline}{match.group(3)}"


def _keep_head(match: re.Match[str]) -> str:
    return match.group("head") + REDACTED


def _redact_value(match: re.Match[str]) -> str:
    value = match.group("value")
    if value.lower().lstrip("\\\"'").startswith(_REFERENCE_PREFIXES):
        return match.group(0)
    if is_constant_or_state(value.replace('\\"', "").strip("\"'")):  # `token: INVALID_TOKEN`: a code, not the token
        return match.group(0)
    for quote in ('\\"', '"', "'"):
        if len(value) >= 2 * len(quote) and value.startswith(quote) and value.endswith(quote):
            if len(value) == 2 * len(quote):  # an empty string hides nothing
                return match.group(0)
            return f"{match.group('key')}{quote}{REDACTED}{quote}"
    return match.group("key") + REDACTED


def _looks_random(token: str) -> bool:
    """Tokens mix digits or cases; prose after `Bearer` (`bearer authentication`) does not."""
    has_digit = any(c.isdigit() for c in token)
    return has_digit or (any(c.islower() for c in token) and any(c.isupper() for c in token))


def _is_card_number(candidate: str) -> bool:
    number = "".join(c for c in candidate if c.isdigit())
    if not 13 <= len(number) <= 19 or not _CARD_PREFIX.match(number):
        return False
    digits = [int(c) for c in number]
    total = 0
    for i, digit in enumerate(reversed(digits)):
        if i % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


Model = TypeVar("Model", bound=BaseModel)


def redact_model(model: Model) -> Model:
    """A copy of `model` with every string in it redacted, through lists, dicts and nested models."""
    return _redact_any(model, redact)


def _redact_any(value: Any, redact_text: Callable[[str], str]) -> Any:
    if isinstance(value, Enum):  # a StrEnum member is a name the code chose, not text from outside
        return value
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, BaseModel):
        updates = {
            name: _redact_any(getattr(value, name), redact_text)
            for name in type(value).model_fields
        }
        for name, extra in (value.model_extra or {}).items():
            updates[name] = _redact_any(extra, redact_text)
        return value.model_copy(update=updates)
    if isinstance(value, list):
        return [_redact_any(item, redact_text) for item in value]
    if isinstance(value, tuple):
        return tuple(_redact_any(item, redact_text) for item in value)
    if isinstance(value, dict):
        # Keys too: they are names (services, config keys), which redaction leaves alone, but a name is
        # read from a log line, and a line can put `password=...` where the service goes.
        return {_redact_any(key, redact_text): _redact_any(item, redact_text) for key, item in value.items()}
    if isinstance(value, (set, frozenset)):
        return type(value)(_redact_any(item, redact_text) for item in value)
    return value
