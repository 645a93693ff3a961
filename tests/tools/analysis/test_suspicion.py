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


def test_a_build_only_dependency_is_never_the_suspicious_change():
    """A devDependency bump ships nothing that runs: seen blamed for a compose memory change 112 h later."""
    bump = commit("b", "chore: Bump jest", T0, ["web"])
    changes = [ConfigValueChange(file="services/web/package.json", key=key, before="^29.6.0", after="^29.7.0")
               for key in ("devDependencies.jest", "require-dev.phpunit/phpunit", "tool.poetry.group.dev.dependencies.pytest")]
    assert best_change(diff_with(bump, *changes), ["out of memory"]) is None
    runtime = ConfigValueChange(file="services/web/package.json", key="dependencies.express", before="^4.18.0", after="^5.0.0")
    assert best_change(diff_with(bump, *changes, runtime), ["out of memory"]).change == runtime


def test_a_raised_setting_that_eases_the_leading_symptom_scores_lowest():
    raised = ConfigValueChange(file="k8s/api.yaml", key="spec.template.spec.containers.api.resources.limits.memory",
                               before="256Mi", after="1Gi")
    lowered = raised.model_copy(update={"before": "1Gi", "after": "256Mi"})
    eased = score_change(raised, ["java.lang.OutOfMemoryError: Java heap space"])
    explained = score_change(lowered, ["java.lang.OutOfMemoryError: Java heap space"])
    assert (eased.eases, eased.score) == ("memory", 0.1)
    assert explained.explains == "memory" and explained.score >= 0.7
