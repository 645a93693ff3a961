"""Capacity for a resource at its limit: a worker killed at its memory limit gets a higher limit, a service whose
requests spread over its replicas gets more of them; each name in the command from the evidence."""

import pytest

from wicked_platform.tools.analysis.capacity import doubled_quantity, relief
from wicked_platform.tools.analysis.commands import CommandEvidence, Grounded, find_target
from wicked_platform.tools.changes.manifests import workloads_in
from wicked_platform.tools.changes.models import RepoGrounds
from wicked_platform.tools.context import IncidentContext

WORKER = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: export-worker
  namespace: exports
spec:
  template:
    spec:
      containers:
        - name: export-worker
          image: registry.example.com/export-worker:2.1.0
          resources:
            requests: {memory: 768Mi}
            limits:
              memory: 1.5Gi
        - name: log-shipper
          image: fluent/fluent-bit:3.0
          resources:
            limits: {memory: 64Mi}
"""
# The kernel's cgroup OOM killer, as journald on the node writes it, and the kubelet's own words.
KERNEL = ("node-7: Memory cgroup out of memory: Killed process 4242 (python) total-vm:2113640kB, anon-rss:1572012kB; "
          "task_memcg=/kubepods/burstable/pod1f0e/export-worker")
KUBELET = 'kubelet: "Container export-worker in pod exports/export-worker-6d8f-2kq9x was OOMKilled" exitCode=137'


def _evidence(requests: list[str] = ()) -> CommandEvidence:
    grounds = RepoGrounds(commit="c" * 40, workloads=workloads_in("deploy/export-worker.yaml", WORKER))
    return CommandEvidence(grounds=grounds, log_services={"export-worker": 900}, request_services=list(requests))


@pytest.mark.parametrize("signal", [KERNEL, KUBELET])
def test_a_worker_killed_at_its_memory_limit_gets_twice_the_limit(signal):
    evidence = _evidence()
    target = find_target("export-worker", IncidentContext(), evidence)
    relieved = relief(target, evidence, [signal])
    assert isinstance(relieved.command, Grounded)
    assert relieved.command.command == ("kubectl set resources deployment/export-worker -c export-worker "
                                        "--limits=memory=3Gi -n exports")
    sources = {part.role: part.source for part in relieved.command.parts}
    assert sources["resource"] == "deploy/export-worker.yaml:15: limits.memory 1.5Gi, doubled"
    assert sources["container"] == "deploy/export-worker.yaml:15: containers.export-worker"
    assert relieved.alternative is not None and relieved.alternative.command.startswith("kubectl scale deployment/export-worker")
    assert relieved.why


def test_a_service_whose_requests_spread_over_its_replicas_is_scaled_out():
    evidence = _evidence(requests=["export-worker"])  # its own lines are requests: more replicas share them
    relieved = relief(find_target("export-worker", IncidentContext(), evidence), evidence, [KUBELET])
    assert relieved.command.command.startswith("kubectl scale deployment/export-worker -n exports")
    assert relieved.alternative is None and relieved.why is None


def test_without_a_kill_of_its_own_or_a_stated_limit_the_worker_is_scaled_out():
    evidence = _evidence()
    target = find_target("export-worker", IncidentContext(), evidence)
    other = 'kubelet: "Container billing-api in pod billing/billing-api-5c7d-h2j4k was OOMKilled" exitCode=137'
    cpu = "export-worker: CPU throttled: 98% of periods"
    for signals in ([other], [cpu]):
        assert relief(target, evidence, signals).command.command.startswith("kubectl scale")
    unstated = CommandEvidence(grounds=RepoGrounds(commit="c" * 40), log_services={"export-worker": 900})
    unstated_target = find_target("export-worker", IncidentContext(), unstated)
    relieved = relief(unstated_target, unstated, [KUBELET])
    assert relieved.command.command.startswith("kubectl scale")
    assert relieved.note.endswith("no manifest in the repository sets the memory limit of deployment/export-worker: "
                                  "the limit to raise is unknown")


@pytest.mark.parametrize("value,expected", [("512Mi", "1024Mi"), ("1Gi", "2Gi"), ("1.5Gi", "3Gi"), ("500M", "1000M"),
                                            ("536870912", "1073741824"), ("512m", None), ("1e9", None), ("lots", None)])
def test_a_memory_quantity_is_doubled_in_its_own_unit(value, expected):
    assert doubled_quantity(value) == expected


def test_a_manifest_states_each_containers_memory_limit():
    (workload,) = workloads_in("deploy/export-worker.yaml", WORKER)
    assert [(limit.container, limit.value, limit.line) for limit in workload.memory_limits] == [
        ("export-worker", "1.5Gi", 15), ("log-shipper", "64Mi", 19)]
