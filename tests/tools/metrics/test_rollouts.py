"""Rollouts from kube-state-metrics' Deployment generation (where ReplicaSets are not scraped), and one deploy
where a log line or record and a ReplicaSet name the same rollout."""

from datetime import UTC, datetime, timedelta

from wicked_platform.tools.metrics.queries import AskedSeries
from wicked_platform.tools.metrics.rollouts import generation_deploys, unseen_rollouts
from wicked_platform.tools.report import Deploy

AT = datetime(2024, 1, 15, 14, 0, tzinfo=UTC)


def generations(service, values):
    points = [((AT + timedelta(minutes=i)).timestamp(), float(v)) for i, v in enumerate(values)]
    return AskedSeries(service=service, kind="rollout_generation", unit="count", query="q", points=points)


def test_generation_rises_are_spec_changes_at_the_step_they_show():
    found = generation_deploys([generations("cart", [7, 7, 8, 8, 8, 9]), generations("search", [3, 3, 3])])
    assert [(d.service, d.at, d.source) for d in found] == [
        ("cart", AT + timedelta(minutes=2), "prometheus"), ("cart", AT + timedelta(minutes=5), "prometheus")]
    assert found[0].subject == "Deployment spec changed: observed generation 7 -> 8 (kube-state-metrics)"
    assert found[0].version is None and found[0].commit is None


def test_a_rollout_a_log_already_names_is_kept_once():
    logged = Deploy(service="cart", version="v1.2.0", at=AT, commit=None, source="log")
    seen = [Deploy(service="cart", version=None, at=AT - timedelta(minutes=3), commit=None, source="prometheus"),
            Deploy(service="cart", version=None, at=AT + timedelta(hours=1), commit=None, source="prometheus"),
            Deploy(service="search", version=None, at=AT, commit=None, source="prometheus")]
    assert [(d.service, d.at) for d in unseen_rollouts(seen, [logged])] == [
        ("cart", AT + timedelta(hours=1)), ("search", AT)]
