"""How suspicious a commit's diff is, read against the errors it might have caused."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict

from wicked_platform.tools.analysis.relief import eased_by, worsened_by
from wicked_platform.tools.changes.image_refs import image_reference
from wicked_platform.tools.changes.models import CommitDiff, ConfigValueChange

BIG_FACTOR = 5.0  # a value changed by 5x or more either way is a likely typo or a risky tune
_FLAG_KEY = re.compile(r"flag|feature|enable|disable|toggle|experiment|rollout|killswitch|kill_switch", re.I)
_BOOL = {"true", "false", "on", "off", "yes", "no", "enabled", "disabled", "0", "1"}
_STOPWORDS = {"the", "for", "and", "to", "of", "in", "on", "from", "with", "a", "an", "is", "at", "by", "order", "id"}
# A manifest's own version (package.json `version`, Chart.yaml `appVersion`) changes with every
# release: it names the release, it does not configure anything.
_RELEASE_KEYS = {"version", "appversion"}
_VERSION_VALUE = re.compile(r"^v?\d+(?:\.\d+)+(?:[-+][\w.+-]*)?$")
_SUFFIXES = ("ing", "ed", "es", "s")


def words(text: str) -> set[str]:
    """Lower-case words of an identifier or a message: `paymentTimeout` -> {payment, timeout}."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", text)
    return {w for w in re.findall(r"[a-z]{3,}", spaced.lower()) if w not in _STOPWORDS}


def _stem(word: str) -> str:
    """`expires`, `expired` -> `expir`: enough to match a key's word with the same word inflected in a log."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def is_release_metadata(change: ConfigValueChange) -> bool:
    """A version number bumped for the release (`version: 3.1.4 -> 3.2.0`), or the workload's own image moved to the
    release's tag (`cart-api:2.3.0 -> cart-api:2.3.1` in cart-api's manifest): what deploying is, not a setting."""
    values = [v for v in (change.before, change.after) if v is not None]
    last = change.key.rsplit(".", 1)[-1].lower()
    if last in _RELEASE_KEYS and bool(values) and all(_VERSION_VALUE.match(v) for v in values):
        return True
    return _own_image_retagged(change)


def _own_image_retagged(change: ConfigValueChange) -> bool:
    if change.before is None or change.after is None or change.place is None:
        return False
    old, new = image_reference(change.before), image_reference(change.after)
    if old is None or new is None or _repository(change.before) != _repository(change.after):
        return False
    # The workload's own container (named as the workload, or as its prefix: search-api in search-api-prod); a
    # sidecar's image (envoy, redis) moved in the same manifest is a change of what runs beside the service.
    owner, container = change.place.owner or "", change.place.container or ""
    own = old[0] == owner or (old[0] == container and bool(owner) and owner.startswith(container))
    return own


def _repository(image: str) -> str:
    """`registry.example.com/shop/cart-api:2.3.1` -> `registry.example.com/shop/cart-api` (no tag, no digest)."""
    path, _, last = image.partition("@")[0].rpartition("/")
    return f"{path}/{last.partition(':')[0]}" if path else last.partition(":")[0]


# What only the build or the tests use: a devDependency bump ships nothing that runs in production.
_BUILD_ONLY = re.compile(r"^(?:devDependencies|require-dev|dev-dependencies|tool\.poetry\.dev-dependencies"
                         r"|tool\.poetry\.group\.(?:dev|test|lint|docs)\.dependencies)\.")


def is_build_only(change: ConfigValueChange) -> bool:
    """A dependency of the build or the tests (`devDependencies.jest`), not of the running service."""
    return bool(_BUILD_ONLY.match(change.key))


def is_feature_flag(change: ConfigValueChange) -> bool:
    values = {(change.before or "").lower(), (change.after or "").lower()} - {""}
    return bool(_FLAG_KEY.search(change.key)) or (bool(values) and values <= _BOOL)


def is_toggle(change: ConfigValueChange) -> bool:
    """A boolean switched: `false` -> `true`, `enabled` -> `disabled`."""
    before, after = (change.before or "").lower(), (change.after or "").lower()
    return before in _BOOL and after in _BOOL and before != after


class ChangeScore(BaseModel):
    model_config = ConfigDict(frozen=True)

    change: ConfigValueChange
    score: float
    big: bool
    shared_words: list[str]
    feature_flag: bool
    eases: str | None = None
    """The kind of setting (memory, timeout, pool) whose raising eases the leading symptom, when the change raised it."""
    explains: str | None = None
    """The kind of setting whose lowering brings the leading symptom on, when the change lowered it."""

    def describe(self) -> str:
        c = self.change
        if c.before is None:
            text = f"adds {c.key} = {c.after}"
        elif c.after is None:
            text = f"removes {c.key} (was {c.before})"
        else:
            text = f"changes {c.key} from {c.before} to {c.after}"
            factor = c.factor
            if factor is not None and self.big:
                text += f" ({1 / factor:.0f}× lower)" if factor < 1 else f" ({factor:.0f}× higher)"
        if c.source == "comment":
            text += " (the old value is stated in a comment on the line)"
        return f"{text} in {c.file}"


def score_change(change: ConfigValueChange, signatures: Iterable[str]) -> ChangeScore:
    """How suspicious `change` is against the errors' `signatures`, the leading (most frequent) one first."""
    signatures = list(signatures)
    factor = change.factor
    big = factor is not None and (factor <= 1 / BIG_FACTOR or factor >= BIG_FACTOR)
    # A flag switched on or off swaps a whole code path in or out: as big a change as any.
    big = big or is_toggle(change)
    signature_words = set().union(*(words(s) for s in signatures)) if signatures else set()
    signature_stems = {_stem(w) for w in signature_words}
    shared = sorted(w for w in words(change.key) if _stem(w) in signature_stems)
    lead = signatures[0] if signatures else ""
    eases = eased_by(change, lead)
    explains = None if eases else worsened_by(change, lead)
    score = 0.4 + (0.3 if big else 0.0) + (0.3 if shared or explains else 0.0)
    if eases is not None:
        score = 0.1  # more memory, a longer timeout, a bigger pool: the relief, not the cause, of what the errors say
    return ChangeScore(change=change, score=score, big=big, shared_words=shared, feature_flag=is_feature_flag(change),
                       eases=eases.name if eases else None, explains=explains.name if explains else None)


def best_change(diff: CommitDiff, signatures: list[str]) -> ChangeScore | None:
    """The commit's most suspicious configuration change: highest score, then largest factor.
    Release version bumps are not candidates (every release has one), nor are build-only dependencies."""
    scored = [score_change(c, signatures) for c in diff.config_changes if not is_release_metadata(c) and not is_build_only(c)]
    if not scored:
        return None

    def magnitude(s: ChangeScore) -> float:
        factor = s.change.factor
        return abs(math.log10(factor)) if factor else 0.0

    return sorted(scored, key=lambda s: (-s.score, -magnitude(s), s.change.file, s.change.line or 0, s.change.key))[0]
