"""Which configuration change in a diff is suspicious, read against the errors."""

import pytest
from support.scans import T0, commit, diff_with

from wicked_platform.tools.analysis.suspicion import best_change, is_release_metadata, score_change
from wicked_platform.tools.changes.models import ConfigValueChange

EXPIRES_IN = ConfigValueChange(file="services/auth-api/src/jwt.ts", key="expiresIn", before=None, after="5m", line=28)
VERSION = ConfigValueChange(file="services/auth-api/package.json", key="version", before="3.1.4", after="3.2.0", line=3)


@pytest.mark.parametrize(("key", "before", "after", "release"), [
    ("version", "3.1.4", "3.2.0", True),          # package.json: the release names itself
    ("appVersion", "v2.7.3", "v2.8.0", True),     # Chart.yaml
    ("project.version", "1.4.0", "1.5.0-rc.1", True),
    ("version", None, "0.1.0", True),
    ("dependencies.jsonwebtoken", "^8.5.1", "^9.0.2", False),  # an upgrade is a real change
    ("tls.minVersion", "1.2", "1.3", False),
    ("version", "2", "3", False),                 # a schema version, not a release
])
def test_release_metadata(key, before, after, release):
    change = ConfigValueChange(file="x/package.json", key=key, before=before, after=after)
    assert is_release_metadata(change) is release


def test_a_release_version_bump_is_never_the_suspicious_change():
    """Every release bumps its version; reading `version 3.1.4 -> 3.2.0` as the cause (and offering
    `kubectl set env VERSION=3.1.4` as a fix) is what the jwt-expiry scenario caught."""
    release = commit("a", "feat(auth-api): Expire idle sessions after 5 minutes", T0, ["auth-api"])
    best = best_change(diff_with(release, VERSION, EXPIRES_IN), ["JWTValidationError: INVALID_TOKEN invalid token"])
    assert best is not None and best.change.key == "expiresIn"
    assert best_change(diff_with(release, VERSION), []) is None


def test_a_key_shares_a_word_with_the_errors_in_another_inflection():
    scored = score_change(EXPIRES_IN, ["JWTValidationError: TOKEN_EXPIRED jwt expired"])
    assert scored.shared_words == ["expires"]
    assert scored.score == pytest.approx(0.7)
    # Short words are not stemmed into each other.
    assert score_change(ConfigValueChange(file="a.ts", key="passMode", before="a", after="b"), ["pas de deux"]).shared_words == []
