from datetime import timedelta

from support.scans import commit, history, make_scan, seed_scan_lines

from wicked_platform.tools.analysis.deploys import deploy_events, deploys_from_logs, deploys_from_tags
from wicked_platform.tools.logs.models import LogEvent


def _events(*messages, service="svc"):
    from support.scans import at
    return [LogEvent(at=at(i), service=service, level="INFO", message=m) for i, m in enumerate(messages)]


def test_deploy_wordings_are_understood():
    found = deploy_events(_events(
        "Deployment checkout-api-v2.4.1 started",
        "deploy cart-api version=v1.8.0",
        "Deploying search-svc v3.0.2",
        "release v1.2.3 deployed",
        "Circuit breaker OPEN for payment-service",
    ))
    assert [(e.service, e.version, e.phase) for e in found] == [
        ("checkout-api", "v2.4.1", "started"),
        ("cart-api", "v1.8.0", "other"),
        ("search-svc", "v3.0.2", "started"),  # `Deploying`: under way
        ("svc", "v1.2.3", "completed"),
    ]


def test_logged_deploy_keeps_start_and_completion_and_maps_to_its_tag():
    scan = make_scan(seed_scan_lines())
    t = scan.start
    tagged = commit("a", "perf(checkout-api): Optimize timeout settings", t - timedelta(hours=1), ["checkout-api"],
                    tags=["checkout-api-v2.4.1"])
    later = commit("b", "docs(checkout-api): readme", t - timedelta(minutes=5), ["checkout-api"])
    deploys, notes = deploys_from_logs(scan.events, history(tagged, later))
    assert len(deploys) == 1
    d = deploys[0]
    assert (d.service, d.version, d.source) == ("checkout-api", "v2.4.1", "log")
    assert d.at.strftime("%H:%M:%S") == "14:20:00" and d.completed_at.strftime("%H:%M:%S") == "14:20:30"
    assert d.commit == "a" * 40  # the tag wins over the later commit
    assert "tag checkout-api-v2.4.1" in notes["checkout-api v2.4.1"]


def test_untagged_deploy_maps_to_latest_commit_before_it_else_says_dates_disagree():
    scan = make_scan(seed_scan_lines())
    t = scan.start
    old = commit("a", "feat(checkout-api): x", t - timedelta(hours=2), ["checkout-api"])
    newer = commit("b", "fix(checkout-api): y", t - timedelta(minutes=30), ["checkout-api"])
    future = commit("c", "chore(checkout-api): z", t + timedelta(days=900), ["checkout-api"])
    deploys, _ = deploys_from_logs(scan.events, history(old, newer, future))
    assert deploys[0].commit == "b" * 40
    deploys, notes = deploys_from_logs(scan.events, history(future))
    assert deploys[0].commit == "c" * 40
    assert "disagree" in notes["checkout-api v2.4.1"]


def test_release_tags_become_git_deploys_when_no_log_accounts_for_them():
    t = make_scan(seed_scan_lines()).start
    c = commit("d", "release", t, ["cart-api"], tags=["cart-api-v1.8.0"])
    deploys = deploys_from_tags(history(c), [])
    assert [(d.service, d.version, d.source) for d in deploys] == [("cart-api", "v1.8.0", "git")]


def test_the_deploys_file_names_its_commit_and_wins_over_the_log_line_for_the_same_deploy():
    from wicked_platform.tools.analysis.deploys import deploys_from_records, merge_deploys
    from wicked_platform.tools.changes.deploys_file import DeployRecord

    scan = make_scan(seed_scan_lines())
    t = scan.start
    tagged = commit("a", "perf(checkout-api): Optimize timeout settings", t - timedelta(hours=1), ["checkout-api"],
                    tags=["checkout-api-v2.4.1"])
    other = commit("b", "fix(cart-api): y", t - timedelta(minutes=30), ["cart-api"])
    records = [DeployRecord(service="checkout-api", version="v2.4.1", at=t, commit="aaaaaaa"),
               DeployRecord(service="cart-api", version="v1.8.0", at=t, commit="0123456")]
    recorded, notes = deploys_from_records(records, history(tagged, other))
    by_service = {d.service: d for d in recorded}
    assert by_service["checkout-api"].commit == "a" * 40 and by_service["checkout-api"].source == "deploys-file"
    assert notes["checkout-api v2.4.1"] == "the deploys file names commit " + "a" * 12
    # A sha the history lacks is said so, and the deploy is matched like a logged one.
    assert by_service["cart-api"].commit == "b" * 40
    assert notes["cart-api v1.8.0"].startswith("the deploys file names 0123456, which is not in the history read")
    logged, _ = deploys_from_logs(scan.events, history(tagged, other))
    merged = merge_deploys(recorded, logged)
    assert [(d.service, d.source) for d in merged] == [("cart-api", "deploys-file"), ("checkout-api", "deploys-file")]


def test_a_record_naming_only_its_commit_takes_the_version_of_that_commits_release_tag():
    """Argo CD syncing HEAD, a GitHub deployment of a sha: the version is the service's release tag on the commit."""
    from wicked_platform.tools.analysis.deploys import deploys_from_records
    from wicked_platform.tools.changes.deploys_file import DeployRecord

    t = make_scan(seed_scan_lines()).start
    tagged = commit("a", "feat(ledger-service): keep batches", t - timedelta(hours=1), ["ledger-service"],
                    tags=["ledger-service-v4.8.0"])
    two_tags = commit("b", "chore: release both", t - timedelta(hours=2), ["ledger-service", "fx-rates"],
                      tags=["fx-rates-v1.2.0", "ledger-service-v4.7.9"])
    untagged = commit("c", "fix(fx-rates): y", t - timedelta(hours=3), ["fx-rates"])
    records = [DeployRecord(service="ledger-service", version="aaaaaaa", at=t, commit="a" * 40),
               DeployRecord(service="ledger-service", version=None, at=t - timedelta(hours=2), commit="b" * 40),
               DeployRecord(service="fx-rates", version="ccccccc", at=t - timedelta(hours=3), commit="c" * 40),
               DeployRecord(service="ledger-service", version="release-7", at=t, commit="a" * 40)]
    recorded, notes = deploys_from_records(records, history(tagged, two_tags, untagged))
    versions = [(d.service, d.version) for d in recorded]
    assert versions == [("fx-rates", "ccccccc"), ("ledger-service", "v4.7.9"), ("ledger-service", "release-7"),
                        ("ledger-service", "v4.8.0")]
    assert notes["ledger-service v4.8.0"].endswith("the version is its release tag's")


def test_a_release_tag_of_a_service_whose_name_extends_anothers_is_not_that_ones():
    from wicked_platform.tools.analysis.deploys import deploys_from_records
    from wicked_platform.tools.changes.deploys_file import DeployRecord

    t = make_scan(seed_scan_lines()).start
    both = commit("a", "chore: release", t - timedelta(hours=1), ["cart", "cart-api"], tags=["cart-api-v2.3.1"])
    recorded, _ = deploys_from_records([DeployRecord(service="cart", version=None, at=t, commit="a" * 40)], history(both))
    assert recorded[0].version is None


def test_a_version_takes_the_spelling_of_the_release_tag_that_names_it():
    """An image tag `4.8.0` is the release tagged `quote-api-v4.8.0` (a record), `v3.0.2` the one tagged `3.0.2`
    (a log line): one name per release, the team's own; a version no tag names stays as read."""
    from wicked_platform.tools.analysis.deploys import deploys_from_records
    from wicked_platform.tools.changes.deploys_file import DeployRecord

    t = make_scan(seed_scan_lines()).start
    release = commit("a", "chore(quote-api): release", t - timedelta(hours=1), ["quote-api"], tags=["quote-api-v4.8.0"])
    bare = commit("b", "fix(search-svc): y", t - timedelta(hours=2), ["search-svc"], tags=["3.0.2"])
    recorded, notes = deploys_from_records([DeployRecord(service="quote-api", version="4.8.0", at=t),
                                            DeployRecord(service="quote-api", version="4.9.0", at=t)],
                                           history(release, bare))
    assert [d.version for d in recorded] == ["4.9.0", "v4.8.0"]
    assert notes["quote-api v4.8.0"].endswith("the version is spelled as its release tag's")
    logged, _ = deploys_from_logs(_events("Deploying search-svc v3.0.2", service="search-svc"), history(release, bare))
    assert [(d.service, d.version) for d in logged] == [("search-svc", "3.0.2")]


def test_a_rollout_seen_in_metrics_is_matched_to_the_release_its_image_tag_names():
    """kube-state-metrics gives a rollout's time and its pods' image tag, no commit: the tag names the release (and
    so what shipped) as a deploy record's version would; a rollout with no version stays as seen."""
    from wicked_platform.tools.analysis.deploys import matched_rollouts
    from wicked_platform.tools.report import Deploy

    t = make_scan(seed_scan_lines()).start
    older = commit("a", "fix(search-api): page sizes", t - timedelta(days=3), ["search-api"], tags=["search-api-v8.0.3"])
    release = commit("b", "chore(search-api): release", t - timedelta(hours=5), ["search-api"], tags=["search-api-v8.1.0"])
    seen = [Deploy(service="search-api", version="8.1.0", at=t, commit=None, source="prometheus"),
            Deploy(service="suggest-api", version=None, at=t, commit=None, source="prometheus")]
    matched, notes = matched_rollouts(seen, history(release, older))
    assert [(d.service, d.version, d.commit, d.at) for d in matched] == [
        ("search-api", "v8.1.0", release.sha, t), ("suggest-api", None, None, t)]
    assert "search-api v8.1.0" in notes
    # The tag the rollout shipped is that rollout, not a deploy of its own at the tag's time.
    assert [d.version for d in deploys_from_tags(history(release, older), matched)] == ["v8.0.3"]
