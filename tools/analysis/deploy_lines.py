"""Is this log message a deploy? Read by structure: fields first, then deploy systems' phrasings, then prose.

Three readings, in order (the catalogue in deploy_shapes holds what each knows):

1. Structured: a field that says what happened (`event`, `type`, `action`, ...) holds a deploy word
   (`deploy`, `deployment.succeeded`, `rollout`, `release` with a version). Service, version and
   phase come from their own fields (`service`/`app`, `version`/`image`/`sha`, `status`/`phase`).
2. A deploy system's own phrasing (`Scaled up replica set billing-api-7c9f8d6b5 to 3`, `Sync
   operation to 9f1c2ab succeeded`, ...), one catalogue row each.
3. Prose: a deploy word that is a word of the message's own sentence, with evidence of what was
   deployed beside it: a version (`v2.4.1`, a commit, an image tag), a service named like one
   (`cart-api`, `checkout-api-v2.4.1`, `registry/billing-api:v2`), or fields of the same message
   (`deployment started service=auth-service version=v1.2.3`). A message that is only the deploy
   clause (`deploy started`) is about the line's own service.

A deploy word is never read where it is someone's value: inside a field other than an action
(`user=deploy`, `PWD=/home/deploy`), inside quotes, glued into a path, address or identifier
(`/deploy/`, `deploy@host`, `deploy-bot`), or after a noun that introduces a value (`Invalid user
deploy from 187.141.143.180`, `query: deploy`). An IP address is never a version.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import NamedTuple

from pydantic import BaseModel, ConfigDict

from wicked_platform.tools.analysis.deploy_shapes import (
    ACTION_KEYS, COMMIT_KEYS, CONNECTORS, DEPLOY_PHRASINGS, DEPLOY_WORDS, DESTINATIONS, IMAGE_KEYS, NEEDS_VERSION,
    PHASE_KEYS, PHASE_WORDS, ROLL_OUT, SERVICE_KEYS, SERVICE_PATHS, SOURCES, VALUE_NOUNS, VERSION_KEYS, Phase,
)
from wicked_platform.tools.analysis.message_fields import message_fields
from wicked_platform.tools.changes.image_refs import image_reference, looks_like_sha

MAX_MESSAGE_CHARS = 4000  # the scan cuts messages shorter; a longer one is read by its head
BARE_CLAUSE_WORDS = 4  # `Deployment completed successfully`: the whole message is the deploy clause
LOOKAHEAD = 6  # words after a deploy word that may name what it deployed
LOOKBEHIND = 3  # `checkout-api v2.4.1 deployed`
SKIPPED = frozenset({"skip", "skipped", "skipping", "dryrun", "noop"})

_VERSION = re.compile(r"[vV]?\d+(?:\.\d+){1,3}(?:[-+][0-9A-Za-z][0-9A-Za-z.+-]*)?|[vV]\d+")
_IPV4 = re.compile(r"(?:\d{1,3}\.){3}\d{1,3}(?::\d+)?")
_SHA = re.compile(r"[0-9a-f]{7,40}")
# checkout-api-v2.4.1, cart-api@1.8.0, search_svc-2.0: a service name joined to its version.
_NAME_VERSION = re.compile(r"(?P<name>[A-Za-z][\w.-]*?[A-Za-z0-9])[-_@:](?P<version>[vV]?\d+(?:\.\d+)+[\w.+-]*)")
_SERVICE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_.-]*[A-Za-z0-9]")
_IDENTIFIER = re.compile(r".*(?:[-_]|\d).*")  # a service named like one: billing-api, cart_svc, web2
_TOKEN = re.compile(r'"[^"]*"|\'[^\']*\'|\S+')
_CAMEL = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")
_PUNCTUATION = ".,;:!?()[]{}<>"
# One word, or words joined by . _ - : or case, and nothing else: what structured writers put in an
# `event` key, which the scan hands over as the message (`deployment.succeeded`, `DeployStarted`).
_EVENT_NAME = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[._:-]?[A-Za-z0-9]+)+")


class DeployMention(BaseModel):
    """What one message says about a deploy; `shape` names the reading that found it."""

    model_config = ConfigDict(frozen=True)

    service: str
    version: str | None
    phase: Phase
    commit: str | None = None
    rollover: bool = False
    shape: str


class _Token(NamedTuple):
    raw: str
    word: str  # without surrounding punctuation, lower-cased
    quoted: bool


def _tokens(prose: str) -> list[_Token]:
    tokens = []
    for match in _TOKEN.finditer(prose):
        raw = match.group(0)
        quoted = raw[0] in "\"'" and len(raw) > 1 and raw[-1] == raw[0]
        tokens.append(_Token(raw, raw.strip(_PUNCTUATION + "\"'").lower(), quoted))
    return tokens


def _words(value: str) -> list[str]:
    """`deployment.succeeded`, `DeploymentSucceeded`, `deploy_started` -> their words, lower-cased."""
    return [w.lower() for part in re.split(r"[^A-Za-z0-9]+", value) for w in _CAMEL.findall(part)]


def _segment(key: str) -> str:
    return key.rsplit(".", 1)[-1].lower()


def _is_version(text: str) -> bool:
    return bool(_VERSION.fullmatch(text)) and not _IPV4.fullmatch(text)


# Fields --------------------------------------------------------------------------------------


def _field(fields: Mapping[str, str], names: tuple[str, ...] | frozenset[str]) -> str | None:
    """The first field whose whole key or last segment is one of `names` (in the order of `names`)."""
    for name in names:
        for key, value in fields.items():
            if value and (key.lower() == name or _segment(key) == name):
                return value
    return None


def _service_field(fields: Mapping[str, str]) -> str | None:
    for key, value in fields.items():
        if value and (key.lower() in SERVICE_PATHS or _segment(key) in SERVICE_KEYS) and _SERVICE_NAME.fullmatch(value):
            return value
    return None


def _shipped(fields: Mapping[str, str]) -> tuple[str | None, str | None, str | None]:
    """(version, commit, image name) the fields say shipped."""
    commit = next((v for v in (_field(fields, (k,)) for k in COMMIT_KEYS) if v and looks_like_sha(v.lower())), None)
    version = _field(fields, VERSION_KEYS)
    image_name = None
    for key in IMAGE_KEYS:
        image = image_reference(_field(fields, (key,)) or "")
        if image:
            image_name = image[0]
            version = version or image[1]
            break
    return version or commit or _field(fields, ("revision",)), commit, image_name


def _phase_of(texts: list[str]) -> Phase | None:
    for text in texts:
        for word in _words(text):
            if word in PHASE_WORDS:
                return PHASE_WORDS[word]
    return None


def _structured(fields: Mapping[str, str], prose: str, line_service: str) -> DeployMention | None:
    actions = [(key, value) for key, value in fields.items() if _segment(key) in ACTION_KEYS and value]
    kinds = set()
    for key, value in actions:
        if _segment(key) == "kind" and re.fullmatch(r"[A-Z][A-Za-z]+", value):
            continue  # an object's kind (`"kind": "Deployment"`), not an event
        kinds |= {DEPLOY_WORDS[w] for w in _words(value) if w in DEPLOY_WORDS}
    if not kinds:
        return None
    version, commit, image_name = _shipped(fields)
    if kinds <= NEEDS_VERSION and not version:
        return None
    phases = [v for k, v in fields.items() if _segment(k) in PHASE_KEYS]
    said = [prose, *(v for k, v in fields.items() if k.lower() in ("msg", "message"))]
    phase = _phase_of(phases) or _phase_of([v for _, v in actions]) or _phase_of(said) or "other"
    service = _service_field(fields) or image_name or line_service
    return DeployMention(service=service, version=version, phase=phase, commit=commit, shape="structured")


# Deploy systems' phrasings ------------------------------------------------------------------


def _phrasing(message: str, fields: Mapping[str, str], line_service: str) -> DeployMention | None:
    for row in DEPLOY_PHRASINGS:
        match = row.regex.search(message)
        if not match:
            continue
        groups = match.groupdict()
        said = PHASE_WORDS.get(groups["phase"].split()[-1].lower()) if groups.get("phase") else None
        phase = row.phase or said or "other"
        service = groups.get("service") or (_service_field(fields) if row.service_from_line else None) or line_service
        version = groups.get("version")
        commit = version if row.version_is_commit and version and _SHA.fullmatch(version) else None
        return DeployMention(service=service, version=version, phase=phase, commit=commit, rollover=row.rollover,
                             shape=row.name)
    return None


# Prose ---------------------------------------------------------------------------------------


def _deploy_word(tokens: list[_Token], i: int) -> tuple[str | None, int]:
    """(kind, width) of a deploy word at i: `deploy`, `rollout`, `rolled out` (width 2), ..."""
    token = tokens[i]
    # Only a word of the sentence: not quoted (`"deploy`, a quote left open, too), not glued into a
    # path, an address or a name (`/deploy/`, `deploy@host`, `deploy-bot`).
    if token.quoted or not token.word.isalpha() or not token.raw.strip(_PUNCTUATION).isalpha():
        return None, 0
    if token.word in DEPLOY_WORDS:
        return DEPLOY_WORDS[token.word], 1
    if token.word in ROLL_OUT and i + 1 < len(tokens) and tokens[i + 1].word == "out":
        return "rollout", 2
    return None, 0


def _in_value_position(tokens: list[_Token], i: int) -> bool:
    """The word right before names a value's kind: `user deploy`, `query: deploy`, `by deploy`."""
    return i > 0 and tokens[i - 1].word in VALUE_NOUNS


def _read_around(tokens: list[_Token], i: int, width: int) -> tuple[str | None, str | None, Phase | None]:
    """(service, version, phase) in the words after the deploy word at i, else just before it."""
    service = version = None
    phase = PHASE_WORDS.get(tokens[i].word)  # deploying, deployed, released, rolling, rolled
    destination = named_all = False
    for token in tokens[i + width:i + width + LOOKAHEAD]:
        word, raw = token.word, token.raw.strip(_PUNCTUATION)
        if word in PHASE_WORDS:
            phase = PHASE_WORDS[word]
            break
        if named_all or token.quoted or word in SOURCES:
            if word in SOURCES or token.quoted:
                break
            continue  # what was deployed is read; only a phase word may follow (`... to production completed`)
        if word in DESTINATIONS:
            destination = True
            continue
        if (named := _NAME_VERSION.fullmatch(raw)) and not _IPV4.fullmatch(raw):
            service, version, named_all = (service if destination else named["name"]), named["version"], True
        elif image := image_reference(raw):
            service, version, named_all = (service if destination else image[0]), image[1], True
        elif _is_version(raw) or looks_like_sha(raw):
            version, named_all = raw, True
        elif word in CONNECTORS:
            continue
        elif not destination and service is None and _SERVICE_NAME.fullmatch(raw) and word not in DEPLOY_WORDS:
            service = raw
        else:
            break
    if service is None and version is None:  # `checkout-api v2.4.1 deployed`, `release v1.2.3 deployed`
        for token in reversed(tokens[max(0, i - LOOKBEHIND):i]):
            raw = token.raw.strip(_PUNCTUATION)
            if token.quoted:
                break
            if (named := _NAME_VERSION.fullmatch(raw)) and not _IPV4.fullmatch(raw):
                return named["name"], named["version"], phase
            if _is_version(raw) or looks_like_sha(raw):
                version = raw
                continue
            if version and _SERVICE_NAME.fullmatch(raw) and token.word not in CONNECTORS and token.word not in DEPLOY_WORDS:
                service = raw
            break
    return service, version, phase


def _prose(prose: str, fields: Mapping[str, str], line_service: str) -> DeployMention | None:
    tokens = _tokens(prose)
    if any(t.word in SKIPPED for t in tokens):
        return None
    for i in range(len(tokens)):
        kind, width = _deploy_word(tokens, i)
        if kind is None or _in_value_position(tokens, i):
            continue
        service, version, phase = _read_around(tokens, i, width)
        field_version, commit, image_name = _shipped(fields)
        version = version or field_version
        if service is not None and version is None and not _IDENTIFIER.fullmatch(service):
            service = None  # a plain word after `deploy` (`deploy because ...`) names nothing without a version
        service = service or _service_field(fields) or image_name
        if phase is None:
            phase = _phase_of([v for k, v in fields.items() if _segment(k) in PHASE_KEYS])
        if kind in NEEDS_VERSION and version is None:
            continue
        bare = i == 0 and len(tokens) <= BARE_CLAUSE_WORDS and all(
            t.word in PHASE_WORDS or t.word in DEPLOY_WORDS or t.word == "out" for t in tokens)
        if service is None and version is None and not bare:
            continue
        if commit is None and version and looks_like_sha(version):
            commit = version
        return DeployMention(service=service or line_service, version=version, phase=phase or "other", commit=commit,
                             shape="prose")
    return None


def recognise_deploy(message: str, line_service: str, fields: Mapping[str, str] | None = None) -> DeployMention | None:
    """The deploy a message tells of, or None. `fields` are the line's own structured fields, when
    the reader kept them; those inside the message are read from it."""
    parsed = message_fields(message[:MAX_MESSAGE_CHARS])
    merged = {**(fields or {}), **parsed.fields}
    if _EVENT_NAME.fullmatch(parsed.prose):  # a message that is one event name: `deployment.succeeded`
        merged.setdefault("event", parsed.prose)
    return (_structured(merged, parsed.prose, line_service) or _phrasing(parsed.prose or message, merged, line_service)
            or _prose(parsed.prose, merged, line_service))
