"""Capacity for a resource at its limit: more replicas where a service's requests spread over them, a higher memory
limit where a container was killed at it in a service that serves none.

A worker's memory follows the work it holds (a batch, a job), not how many replicas there are: a second pod takes
the same batch over and dies the same way. A request-serving service's memory follows its requests in flight, which
more replicas share. So a memory kill (the kubelet's OOMKilled, the kernel's cgroup OOM killer) of a service whose
own lines are no requests is relieved by the limit, raised to twice what its manifest sets; anything else, or a
limit no manifest states, by more replicas. Nothing here runs anything.
"""

from __future__ import annotations

import re
import shlex

from pydantic import BaseModel, ConfigDict

from wicked_platform.tools.analysis.commands import ROLLOUT_KINDS, CommandEvidence, Grounded, Refusal, Target, kubectl, workload_for
from wicked_platform.tools.report import CommandPart

MEMORY_KILL = re.compile(r"oomkill|memory cgroup out of memory|out of memory: kill(?:ed|ing)? process", re.I)


class Relief(BaseModel):
    """The command that adds capacity, the other one as the alternative, and why the first."""

    model_config = ConfigDict(frozen=True)

    command: Grounded | Refusal
    alternative: Grounded | None
    why: str | None = None  # set when the memory limit, not the replicas, is raised
    note: str | None = None  # why the limit of a worker killed at it is not raised (no manifest states it)


def relief(target: Target, evidence: CommandEvidence, resources: list[str]) -> Relief:
    """What relieves `target` of the resource signals (`service: text`, resource_signals' shape)."""
    scaled = scale_out(target)
    named = re.compile(rf"(?<![\w-])(?:{re.escape(target.service)}|{re.escape(target.name)})(?![\w-])")
    killed = [signal for signal in resources if MEMORY_KILL.search(signal)
              and (signal.partition(": ")[0] == target.service or named.search(signal.partition(": ")[2]))]
    if killed and target.service not in evidence.request_services:
        raised = raise_memory_limit(target, evidence)
        if isinstance(raised, Grounded):
            return Relief(command=raised, alternative=scaled if isinstance(scaled, Grounded) else None,
                          why=f"{target.service}'s container was killed at its memory limit and it serves no requests "
                              "(a worker's memory follows its work, not its replicas)")
        return Relief(command=scaled, alternative=None,
                      note=f"{target.service} was killed at its memory limit and serves no requests, so a higher limit "
                           f"would relieve it more surely than more replicas; {raised.note}")
    return Relief(command=scaled, alternative=None)


def scale_out(target: Target) -> Grounded | Refusal:
    """Twice the replicas running now: runnable as printed, the count read by kubectl when a human runs it."""
    if target.kind == "daemonset":
        return Refusal(note=f"{target.ref} is a DaemonSet: one pod per node, it cannot be scaled out")
    ns = f" -n {shlex.quote(target.namespace)}" if target.namespace else ""
    current = f"$(kubectl get {target.ref}{ns} -o jsonpath='{{.spec.replicas}}')"
    return Grounded(command=f"kubectl scale {target.ref}{ns} --replicas=$(( {current} * 2 ))", parts=target.parts)


_QUANTITY = re.compile(r"^(?P<number>[0-9]+(?:\.[0-9]+)?)(?P<unit>Ki|Mi|Gi|Ti|k|M|G|T)?$")


def doubled_quantity(value: str) -> str | None:
    """A Kubernetes memory quantity twice as large, in its own unit: `512Mi` -> `1024Mi`; None for one it cannot
    read (`1e9`, `512m`: milli-bytes)."""
    match = _QUANTITY.match(value.strip())
    if match is None:
        return None
    number = float(match["number"]) * 2
    return f"{int(number) if number.is_integer() else round(number, 3)}{match['unit'] or ''}"


def raise_memory_limit(target: Target, evidence: CommandEvidence) -> Grounded | Refusal:
    """Twice the memory limit the repository's manifest sets on the target's container: `kubectl set resources
    ... -c CONTAINER --limits=memory=1024Mi`, the old limit cited. A workload of several limited containers names
    the one that runs the service (by its name or the workload's)."""
    workload = workload_for(target.service, evidence.grounds)
    if workload is None or ROLLOUT_KINDS.get(workload.kind) != target.kind or workload.name != target.name:
        return Refusal(note=f"no manifest in the repository sets the memory limit of {target.ref}: the limit to raise is unknown")
    limits = workload.memory_limits
    if len(limits) > 1:
        limits = [limit for limit in limits if limit.container in (target.service, workload.name)]
    if len(limits) != 1:
        return Refusal(note=f"{workload.file}: which of {target.ref}'s containers to give more memory is not for a guess to say")
    limit = limits[0]
    raised = doubled_quantity(limit.value)
    if raised is None:
        return Refusal(note=f"{workload.file}:{limit.line}: the memory limit {limit.value!r} is not a quantity this reads")
    parts = [*target.parts,
             CommandPart(role="container", name=limit.container, source=f"{workload.file}:{limit.line}: containers.{limit.container}"),
             CommandPart(role="resource", name=f"memory={raised}",
                         source=f"{workload.file}:{limit.line}: limits.memory {limit.value}, doubled")]
    return Grounded(command=kubectl("set resources", target, "-c", limit.container, f"--limits=memory={raised}"),
                    parts=parts)


