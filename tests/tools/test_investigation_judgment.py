"""Issue #17's corpus defects, end to end on hand-made incidents (real git repositories, plain logs) that were
not written from the generator: an innocent release that shipped only documentation, tests or CI beside a
saturated service; a feature flag nested in a config file that the team's config_env overrides by its own
name; a flag only a deploy switches off."""

from support.git_repos import GitRepo
from support.incidents import at, before, deploy, errors, investigate, noise, traffic


def _repo(tmp_path, files: dict[str, str]) -> GitRepo:
    repo = GitRepo(tmp_path / "repo")
    repo.commit("Initial import", {"README.md": "# shop\n", **files}, at=before(days=20))
    return repo


def test_a_callers_changelog_release_is_not_rolled_back_for_the_thread_pool_it_waits_on(tmp_path):
    repo = _repo(tmp_path, {"services/inventory-service/config.yaml": "threads: 200\n",
                            "services/auth-backend/config.yaml": "timeoutMs: 2000\n"})
    repo.commit("docs(auth-backend): Describe release v2.9.0", {"services/auth-backend/CHANGELOG.md": "## v2.9.0\n"},
                at=at(10), tag="auth-backend-v2.9.0")
    report = investigate(repo, [
        *traffic("inventory-service"), *traffic("auth-backend"), *noise("inventory-service"),
        *deploy("auth-backend", "v2.9.0", 12),
        *errors("inventory-service", 30, "Thread pool exhausted (200/200 busy) while serving REQ-{n}"),
        *errors("auth-backend", 30.1, "Upstream inventory-service returned 503 for request REQ-{n}"),
    ], context={"services": {"auth-backend": {"depends_on": ["inventory-service"], "critical": True},
                             "inventory-service": {"namespace": "shop"}}})
    decision = report.rollback_decision
    assert decision.recommendation == "SCALE"
    assert decision.command.startswith("kubectl scale deployment/inventory-service -n shop")
    assert report.root_cause is None or report.root_cause.service == "inventory-service"


def test_a_release_of_only_tests_and_ci_is_no_cause_of_the_same_services_out_of_memory(tmp_path):
    repo = _repo(tmp_path, {"services/orders-api/src/main/resources/application.properties": "orders.batch=50\n"})
    repo.commit("test(orders-api): cover the batch export", {
        "services/orders-api/src/test/java/com/shop/orders/BatchExportTest.java": "class BatchExportTest {}\n",
        ".github/workflows/orders-ci.yaml": "on: push\n"}, at=at(15), tag="orders-api-v4.2.0")
    report = investigate(repo, [
        *traffic("orders-api"), *noise("orders-api"), *deploy("orders-api", "v4.2.0", 18),
        *errors("orders-api", 26, "java.lang.OutOfMemoryError: Java heap space while exporting batch B-{n}"),
    ], context={"services": {"orders-api": {"critical": True}}})
    decision = report.rollback_decision
    assert decision.recommendation == "SCALE", decision.reason
    assert report.root_cause is None
    assert any("orders-api v4.2.0 shipped only tests and CI pipelines" in e for h in report.hypotheses for e in h.evidence)


TOML = "[service]\nledger_timeout_ms = 3000\nfeature_edge_cache = {}\n"


def test_a_flag_in_a_toml_section_is_switched_off_by_the_variable_config_env_names_it_by(tmp_path):
    path = "services/media-api/config.toml"
    repo = _repo(tmp_path, {path: TOML.format("false")})
    repo.commit("feat(media-api): Enable feature edge cache", {path: TOML.format("true")}, at=at(20),
                tag="media-api-v2.8.0")
    report = investigate(repo, [
        *traffic("media-api"), *noise("media-api"), *deploy("media-api", "v2.8.0", 24),
        *errors("media-api", 27, "Feature handler failed for request REQ-{n}: unsupported item type BNDL-{n}"),
    ], context={"services": {"media-api": {"namespace": "web", "config_env": {"feature_edge_cache": "EDGE_CACHE"}}}})
    decision = report.rollback_decision
    assert decision.recommendation == "DISABLE_FEATURE"
    assert decision.command == "kubectl set env deployment/media-api EDGE_CACHE=false -n web"
    assert decision.alternative == "kubectl rollout undo deployment/media-api -n web"


PROPERTIES = "pricing.timeout.ms=3000\nfeature.bulk.pricing={}\n"


def test_a_flag_nothing_overrides_at_run_time_is_rolled_back_with_a_note_saying_why(tmp_path):
    path = "services/pricing-worker/src/main/resources/application.properties"
    repo = _repo(tmp_path, {path: PROPERTIES.format("false")})
    sha = repo.commit("feat(pricing-worker): Enable feature bulk pricing", {path: PROPERTIES.format("true")},
                      at=at(20), tag="pricing-worker-v2.3.0")
    report = investigate(repo, [
        *traffic("pricing-worker"), *noise("pricing-worker"), *deploy("pricing-worker", "v2.3.0", 24),
        *errors("pricing-worker", 27, "Unhandled error in new code path: missing rule for SKU-{n}"),
    ], context={"services": {"pricing-worker": {"critical": False}}})
    decision = report.rollback_decision
    assert decision.recommendation == "ROLLBACK"
    assert decision.command == "kubectl rollout undo deployment/pricing-worker"
    assert decision.alternative == f"git revert --no-edit {sha}"
    assert any(n.startswith("feature flag feature.bulk.pricing has no switch outside a deploy") for n in decision.notes)
