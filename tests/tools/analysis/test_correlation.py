from datetime import timedelta

from support.scans import at, commit, diff_with, history, make_scan, seed_scan_lines

from wicked_platform.tools.analysis.correlation import rank_candidates
from wicked_platform.tools.analysis.deploys import deploys_from_logs
from wicked_platform.tools.analysis.rates import find_onset
from wicked_platform.tools.changes.models import ConfigValueChange, ManifestPlace
from wicked_platform.tools.report import Deploy

TIMEOUT = ConfigValueChange(file="services/checkout-api/config.ts", key="paymentTimeout", before="5000", after="500", line=2)


def _seed():
    scan = make_scan(seed_scan_lines())
    return scan, find_onset(scan)


def test_the_erroring_services_deploy_with_a_suspicious_config_change_is_high():
    scan, onset = _seed()
    perf = commit("a", "perf(checkout-api): Optimize timeout settings", scan.start - timedelta(minutes=30), ["checkout-api"])
    deploys, _ = deploys_from_logs(scan.events, history(perf))
    ranked = rank_candidates(onset, ["checkout-api"], ["payment-service"], deploys, history(perf),
                             {perf.sha: diff_with(perf, TIMEOUT)}, ["Payment timeout for order <*>"])
    top = ranked[0]
    assert top.confidence == "HIGH"
    assert top.lag_seconds == 165  # from deploy completion 14:20:30 to onset 14:23:15
    assert top.change.change.key == "paymentTimeout" and top.change.big
    assert top.change.shared_words == ["payment", "timeout"]
    assert any("165 s" in e for e in top.evidence)


def test_a_deploy_after_the_onset_is_never_blamed():
    scan, onset = _seed()
    late = Deploy(service="checkout-api", version="v2.4.2", at=onset.at + timedelta(seconds=30), commit=None, source="log")
    ranked = rank_candidates(onset, ["checkout-api"], [], [late], history(), {}, [])
    assert ranked[0].confidence == "NONE"
    assert "cannot have caused it" in ranked[0].evidence[0]


def test_most_recent_deploy_loses_to_the_erroring_services_own_deploy():
    scan, onset = _seed()
    own = Deploy(service="checkout-api", version="v2.4.1", at=onset.at - timedelta(minutes=20), commit=None, source="log")
    other = Deploy(service="search-api", version="v9.0.0", at=onset.at - timedelta(minutes=1), commit=None, source="log")
    ranked = rank_candidates(onset, ["checkout-api"], [], [own, other], history(), {}, [])
    assert ranked[0].service == "checkout-api"
    assert ranked[0].confidence in ("HIGH", "MEDIUM")
    assert ranked[1].confidence == "LOW"


def test_bare_commits_are_candidates_when_no_deploy_is_logged():
    lines = [(at(m), "INFO", "cart-api", "ok") for m in range(60)]
    lines += [(at(30 + s / 60), "ERROR", "cart-api", f"NullPointerException in handler {s}") for s in range(0, 900, 10)]
    scan = make_scan(lines)
    onset = find_onset(scan)
    fix = commit("f", "fix(cart-api): refactor pricing", at(25), ["cart-api"])
    old = commit("e", "feat(search): x", at(-60 * 24 * 30), ["search"])
    ranked = rank_candidates(onset, ["cart-api"], [], [], history(fix, old), {}, [])
    assert [c.commit.sha for c in ranked] == ["f" * 40]  # the month-old commit is out of the lookback
    assert ranked[0].confidence == "HIGH"  # 5 minutes before, on the erroring service


def test_errors_that_begin_mid_rollout_count_from_the_start_and_say_so():
    scan, onset = _seed()
    rolling = Deploy(service="checkout-api", version="v2.4.1", at=onset.at - timedelta(seconds=41),
                     completed_at=onset.at + timedelta(seconds=71), commit=None, source="log")
    [top] = rank_candidates(onset, ["checkout-api"], [], [rolling], history(), {}, [])
    assert top.lag_seconds == 41 and top.confidence == "HIGH"
    assert "after checkout-api v2.4.1 started deploying" in top.evidence[0]
    assert "finished deploying only at 14:24:26" in top.evidence[1]


def _deploy_of(service: str, head, onset):
    return Deploy(service=service, version="v2.7.0", at=onset.at - timedelta(minutes=2), commit=head.sha,
                  subject=head.subject, source="log")


def test_the_repositorys_first_commit_is_not_what_a_deploy_shipped():
    """Its values were all 'added' long ago: an unlabelled timeout in the initial import is no regression."""
    scan, onset = _seed()
    root = commit("0", "Initial setup", onset.at - timedelta(days=1), ["checkout-api"])
    head = commit("b", "perf(checkout-api): Subtract reservations in the stock query", onset.at - timedelta(hours=1),
                  ["checkout-api"])
    added = ConfigValueChange(file="services/checkout-api/config.ts", key="paymentTimeout", before=None, after="5000")
    [top] = rank_candidates(onset, ["checkout-api"], [], [_deploy_of("checkout-api", head, onset)], history(root, head),
                            {root.sha: diff_with(root, added), head.sha: diff_with(head)}, ["Payment timeout for order <*>"])
    assert top.commit.sha == head.sha and top.change is None


def test_a_deploy_is_not_blamed_for_another_services_files_in_a_shared_commit():
    scan, onset = _seed()
    shared = commit("c", "chore: tune clients", onset.at - timedelta(hours=2), ["cart-api", "checkout-api"],
                    files=["services/cart-api/client.ts", "services/checkout-api/x.ts"])
    head = commit("d", "feat(checkout-api): receipts", onset.at - timedelta(hours=1), ["checkout-api"])
    root = commit("0", "Initial setup", onset.at - timedelta(days=2), ["checkout-api"])
    other = ConfigValueChange(file="services/cart-api/client.ts", key="paymentTimeout", before="5000", after="500")
    [top] = rank_candidates(onset, ["checkout-api"], [], [_deploy_of("checkout-api", head, onset)],
                            history(root, shared, head),
                            {shared.sha: diff_with(shared, other), head.sha: diff_with(head)}, ["Payment timeout <*>"])
    assert top.change is None and top.commit.sha == head.sha  # cart-api's timeout did not ship with checkout-api


def test_a_release_that_shipped_only_documentation_is_no_likely_cause():
    """A related service's release 28 minutes before the onset, tagged on a changelog commit: the errors' timing
    fits it, what it shipped cannot have caused them. The same release shipping code would be MEDIUM."""
    lines = [(at(m), "INFO", "payment-gateway", "ok") for m in range(60)]
    lines += [(at(30 + s / 60), "ERROR", "payment-gateway", f"CPU throttled: request {s} exceeded its budget")
              for s in range(0, 900, 10)]
    scan = make_scan(lines)
    onset = find_onset(scan)
    notes = commit("6", "docs(orders-gateway): Describe release v3.5.0", at(1), ["orders-gateway"],
                   files=["services/orders-gateway/CHANGELOG.md"])
    code = commit("7", "feat(orders-gateway): batch lookups", at(1), ["orders-gateway"])
    top = {}
    for shipped in (notes, code):
        release = Deploy(service="orders-gateway", version="v3.5.0", at=at(2), commit=shipped.sha, source="log")
        top[shipped.sha] = rank_candidates(onset, ["payment-gateway"], ["orders-gateway"], [release], history(shipped),
                                           {}, [])[0]
    assert top[code.sha].confidence == "MEDIUM" and top[notes.sha].confidence == "LOW"
    assert "orders-gateway v3.5.0 shipped only documentation (services/orders-gateway/CHANGELOG.md)" in top[notes.sha].evidence


def test_documentation_only_commits_are_not_candidates():
    lines = [(at(m), "INFO", "cart-api", "ok") for m in range(60)]
    lines += [(at(30 + s / 60), "ERROR", "cart-api", f"NullPointerException in handler {s}") for s in range(0, 900, 10)]
    scan = make_scan(lines)
    onset = find_onset(scan)
    docs = commit("9", "docs(cart-api): explain retries", at(28), ["cart-api"],
                  files=["services/cart-api/README.md", "services/cart-api/docs/retries.rst"])
    code = commit("8", "fix(cart-api): refactor pricing", at(20), ["cart-api"])
    ranked = rank_candidates(onset, ["cart-api"], [], [], history(code, docs), {}, [])
    assert [c.commit.sha for c in ranked] == ["8" * 40]


def _deploy_shipping(service: str, head, onset, minutes: float = 8):
    return Deploy(service=service, version="v3.1.0", at=onset.at - timedelta(minutes=minutes), commit=head.sha,
                  subject=head.subject, source="deploys-file")


def test_a_deploy_that_shipped_only_a_changelog_is_not_blamed_for_its_callers_saturation():
    """The caller's release notes went out 8 minutes before the service it calls ran out of threads."""
    scan, onset = _seed()
    root = commit("0", "Initial import", onset.at - timedelta(days=10), ["auth-backend"])
    notes = commit("1", "docs(auth-backend): Describe release v3.1.0", onset.at - timedelta(minutes=20), ["auth-backend"],
                   files=["services/auth-backend/CHANGELOG.md"])
    [top] = rank_candidates(onset, ["inventory-service"], ["auth-backend"], [_deploy_shipping("auth-backend", notes, onset)],
                            history(root, notes), {notes.sha: diff_with(notes)}, ["Thread pool exhausted <*>"])
    assert top.confidence == "LOW"
    assert "auth-backend v3.1.0 shipped only documentation (services/auth-backend/CHANGELOG.md)" in top.evidence


def test_a_deploy_of_the_erroring_service_that_shipped_only_tests_and_ci_is_not_its_cause():
    scan, onset = _seed()
    root = commit("0", "Initial import", onset.at - timedelta(days=10), ["checkout-api"])
    tests = commit("2", "test(checkout-api): cover refunds", onset.at - timedelta(minutes=30), ["checkout-api"],
                   files=["services/checkout-api/refund_test.go", "services/checkout-api/src/refund.spec.ts"])
    ci = commit("3", "ci: cache modules", onset.at - timedelta(minutes=25), ["checkout-api"],
                files=[".github/workflows/ci-checkout.yaml"])
    deploy = _deploy_shipping("checkout-api", ci, onset, minutes=3)
    [top] = rank_candidates(onset, ["checkout-api"], [], [deploy], history(root, tests, ci),
                            {tests.sha: diff_with(tests), ci.sha: diff_with(ci)}, ["Payment timeout for order <*>"])
    assert top.confidence == "LOW"
    assert ("checkout-api v3.1.0 shipped only tests and CI pipelines (.github/workflows/ci-checkout.yaml, "
            "services/checkout-api/refund_test.go, services/checkout-api/src/refund.spec.ts)") in top.evidence
    code = commit("4", "fix(checkout-api): refunds", onset.at - timedelta(minutes=28), ["checkout-api"])
    ranked = rank_candidates(onset, ["checkout-api"], [], [_deploy_shipping("checkout-api", ci, onset, minutes=3)],
                             history(root, tests, code, ci), {}, ["Payment timeout for order <*>"])
    shipped = next(c for c in ranked if c.deploy is not None)
    assert shipped.confidence == "HIGH"  # with one file that runs among them, the deploy is a cause again


def _env_change(file: str, owner: str, kind: str, container: str, variable: str) -> ConfigValueChange:
    return ConfigValueChange(
        file=file, key=f"spec.template.spec.containers.{container}.env.{variable}.value", before="false", after="true",
        line=30, place=ManifestPlace(system="kubernetes", owner=owner, kind=kind, container=container, setting="env",
                                     variable=variable, restore="false"))


def test_a_workload_named_apart_from_its_service_still_ships_the_services_own_env_change():
    """`search-api-prod` runs container `search-api`: its env change is search-api's."""
    scan, onset = _seed()
    root = commit("0", "Initial import", onset.at - timedelta(days=10), ["search-api"])
    for file, owner, kind, container, variable in (
        ("deploy/k8s/search-api/deployment.yaml", "search-api-prod", "Deployment", "search-api", "FEATURE_ASYNC_CAPTURE"),
        ("k8s/ledger.yaml", "ledger-primary", "StatefulSet", "ledger-svc", "LEDGER_STRICT_MODE"),
    ):
        service = container
        flip = commit("5", f"feat({service}): switch it on", onset.at - timedelta(minutes=15), sorted({service, owner}),
                      files=[file])
        change = _env_change(file, owner, kind, container, variable)
        [top] = rank_candidates(onset, [service], [], [_deploy_shipping(service, flip, onset)], history(root, flip),
                                {flip.sha: diff_with(flip, change)}, ["Unhandled error in new code path <*>"])
        assert top.change is not None and top.change.change.place.variable == variable, owner
        assert top.change.feature_flag and top.confidence == "HIGH"


def _image(owner: str, system: str, key: str, before: str, after: str, container: str | None = None):
    return ConfigValueChange(file=f"deploy/{owner}.yaml", key=key, before=before, after=after,
                             place=ManifestPlace(system=system, owner=owner, container=container, setting="image"))


def test_a_workloads_own_image_moved_to_the_releases_tag_is_what_deploying_is_not_a_change():
    from wicked_platform.tools.analysis.suspicion import is_release_metadata

    own_k8s = _image("cart-api", "kubernetes", "spec.template.spec.containers.cart-api.image",
                     "registry.example.com/shop/cart-api:2.3.0", "registry.example.com/shop/cart-api:2.3.1", "cart-api")
    own_compose = _image("ledger", "compose", "services.ledger.image", "ghcr.io/acme/ledger:v4.7.2", "ghcr.io/acme/ledger:v4.8.0")
    own_prod = _image("search-api-prod", "kubernetes", "spec.template.spec.containers.search-api.image",
                      "search-api:1.4.0", "search-api:1.5.0", "search-api")
    assert is_release_metadata(own_prod)
    assert is_release_metadata(own_k8s) and is_release_metadata(own_compose)
    # What runs beside the service, or another repository's image, is a change of its own.
    sidecar = _image("cart-api", "kubernetes", "spec.template.spec.containers.envoy.image",
                     "envoyproxy/envoy:v1.27.0", "envoyproxy/envoy:v1.28.0", "envoy")
    moved = _image("ledger", "compose", "services.ledger.image", "ghcr.io/acme/ledger:v4.7.2", "ghcr.io/fork/ledger:v4.7.2")
    assert not is_release_metadata(sidecar) and not is_release_metadata(moved)


def test_where_no_changed_value_ties_to_the_errors_the_commit_changing_the_code_they_fail_in_is_blamed():
    """A release commit (version bump, a dependency's patch) ships a fix committed before it; the stack frames
    name the file the fix changed. Node and Java frames, each with a decoy the release commit carries."""
    scan, onset = _seed()
    for frames, code_file in (
        (["TypeError: Cannot destructure property 'country' of 'cart.shippingAddress'",
          "    at taxRateFor (/app/src/totals.js:4:11)"], "services/checkout-api/src/totals.js"),
        (["java.lang.NullPointerException: Cannot invoke \"Tier.multiplier()\"",
          "\tat com.acme.loyalty.points.PointsCalculator.earn(PointsCalculator.java:42)"],
         "services/checkout-api/src/main/java/com/acme/loyalty/points/PointsCalculator.java"),
    ):
        fix = commit("f", "fix(checkout-api): tax by state", scan.start - timedelta(hours=2), ["checkout-api"],
                     files=[code_file, "services/checkout-api/README.md"])
        release = commit("r", "chore(checkout-api): Release 2.4.1", scan.start - timedelta(hours=1), ["checkout-api"],
                         files=["services/checkout-api/package.json"], tags=["checkout-api-v2.4.1"])
        bump = ConfigValueChange(file="services/checkout-api/package.json", key="dependencies.express",
                                 before="4.21.0", after="4.21.1")
        first = commit("0", "Import the shop", scan.start - timedelta(days=3), ["checkout-api"])
        deploys, _ = deploys_from_logs(scan.events, history(first, fix, release))
        top = rank_candidates(onset, ["checkout-api"], [], deploys, history(first, fix, release),
                              {release.sha: diff_with(release, bump), fix.sha: diff_with(fix)},
                              ["Payment timeout for order <*>", *frames])[0]
        assert (top.commit.sha, top.change, top.failing_file) == (fix.sha, None, code_file)
        assert any(f"which commit {fix.short} changed" in e for e in top.evidence)
        # Without frames naming it, the release commit and its bump stand.
        plain = rank_candidates(onset, ["checkout-api"], [], deploys, history(first, fix, release),
                                {release.sha: diff_with(release, bump), fix.sha: diff_with(fix)},
                                ["Payment timeout for order <*>"])[0]
        assert plain.commit.sha == release.sha and plain.failing_file is None


def test_the_topmost_application_frame_decides_and_dependency_frames_are_passed_over():
    scan, onset = _seed()
    t = scan.start
    first = commit("0", "Import the shop", t - timedelta(days=3), ["checkout-api"])
    totals = commit("t", "totals: round per line", t - timedelta(hours=3), ["checkout-api"],
                    files=["services/checkout-api/src/totals.js"])
    middleware = commit("m", "add request-id middleware", t - timedelta(hours=2), ["checkout-api"],
                        files=["services/checkout-api/src/index.js"])
    release = commit("r", "chore(checkout-api): Release 2.4.1", t - timedelta(hours=1), ["checkout-api"],
                     files=["services/checkout-api/package.json"], tags=["checkout-api-v2.4.1"])
    commits = history(first, totals, middleware, release)
    deploys, _ = deploys_from_logs(scan.events, commits)
    frames = ["TypeError: x is undefined", "    at taxRateFor (/app/src/totals.js:4:11)",
              "    at Layer.handle (/app/node_modules/express/lib/router/layer.js:95:5)",
              "    at next (/app/node_modules/express/lib/router/index.js:280:10)"]
    top = rank_candidates(onset, ["checkout-api"], [], deploys, commits, {}, ["Payment timeout", *frames])[0]
    assert (top.commit.subject, top.failing_file) == ("totals: round per line", "services/checkout-api/src/totals.js")
    # Only dependency frames: nothing of the team's is named, the release's own commit stands.
    vendor = [frames[0], *frames[2:]]
    top = rank_candidates(onset, ["checkout-api"], [], deploys, commits, {}, ["Payment timeout", *vendor])[0]
    assert top.commit.sha == release.sha and top.failing_file is None


def test_a_dependencys_change_that_brings_on_what_the_errors_say_outranks_the_erroring_services_own_commit():
    """api's writes fail because Redis refuses them at maxmemory: a commit lowering redis's maxmemory 25 minutes
    before is the cause, over api's own commit of two hours before. A dependency's change that lowered nothing
    the errors name is not."""
    lines = [(at(m), "INFO", "api", "ok") for m in range(180)]
    lines += [(at(150 + s / 60), "ERROR", "api", "request errored: OOM command not allowed when used memory > 'maxmemory'.")
              for s in range(0, 1200, 10)]
    scan = make_scan(lines)
    onset = find_onset(scan)
    own = commit("a", "feat(api): Show the delivery estimate", at(40), ["api"])
    cap = commit("r", "chore: Cap redis memory", at(125), ["redis"], files=["docker-compose.yml"])
    flag = ConfigValueChange(file="docker-compose.yml", key="services.redis.command.maxmemory", before="2gb",
                             after="256mb", line=4,
                             place=ManifestPlace(system="compose", owner="redis", kind=None, setting="other"))
    delivery = ConfigValueChange(file="api/src/delivery.js", key="AT", before=None, after="3", line=3)
    signatures = ["request errored: OOM command not allowed when used memory > <*>."]
    ranked = rank_candidates(onset, ["api"], ["redis", "postgres"], [], history(own, cap),
                             {own.sha: diff_with(own, delivery), cap.sha: diff_with(cap, flag)}, signatures)
    assert ranked[0].service == "redis" and ranked[0].commit is cap
    assert any("brings on what their errors say" in e for e in ranked[0].evidence)
    # The same change that lowered nothing the errors name is no such cause.
    renamed = flag.model_copy(update={"key": "services.redis.command.appendfsync", "before": "always", "after": "no"})
    ranked = rank_candidates(onset, ["api"], ["redis"], [], history(own, cap),
                             {own.sha: diff_with(own, delivery), cap.sha: diff_with(cap, renamed)}, signatures)
    assert ranked[0].service == "api"
