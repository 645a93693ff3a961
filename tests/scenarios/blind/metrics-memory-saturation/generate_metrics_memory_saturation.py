#!/usr/bin/env python3
"""Generate the data of the metrics-memory-saturation scenario (seeded, deterministic).

search-indexer (Python, namespace search, 3 replicas, memory limit 2 GiB) consumes catalog updates
from Kafka and bulk-writes them to OpenSearch. At 05:58 UTC on 2024-10-08 a merchant's full
catalog re-upload starts; the indexer's pending-document buffer grows with the backlog and its
working set climbs for three hours until the pods are OOMKilled (first at 09:07:43); restarted
containers replay the backlog and reach the limit again in 11-14 minutes. No deploy since
2024-10-02.

Writes, beside this script: metrics.om (cAdvisor + kube-state-metrics, 1-minute scrapes),
logs/search-indexer/<pod>.log (Python logging, zone-less UTC), logs/nodes/journal.log (journalctl
-o short-iso from the three nodes: kernel OOM kills, kubelet), search-indexer-helm-history.json.
Run: python3 generate_metrics_memory_saturation.py
"""
import hashlib
import json
import random
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
UTC = timezone.utc
rng = random.Random(20241008)

M_START = datetime(2024, 10, 8, 6, 0, tzinfo=UTC)
M_END = datetime(2024, 10, 8, 10, 0, tzinfo=UTC)
L_START = datetime(2024, 10, 8, 7, 30, tzinfo=UTC)
CLIMB = datetime(2024, 10, 8, 6, 4, tzinfo=UTC)
GiB, MiB = 1024 ** 3, 1024 ** 2
LIMIT = 2 * GiB
RS = "6b8f7d9c5"
# pod -> (node, pod ip, first OOM kill)
PODS = {
    f"search-indexer-{RS}-4kq2m": ("10.0.2.31", "10.42.2.73", datetime(2024, 10, 8, 9, 7, 43, tzinfo=UTC)),
    f"search-indexer-{RS}-w9xtl": ("10.0.1.14", "10.42.1.105", datetime(2024, 10, 8, 9, 16, 12, tzinfo=UTC)),
    f"search-indexer-{RS}-zp5hc": ("10.0.3.9", "10.42.3.66", datetime(2024, 10, 8, 9, 22, 50, tzinfo=UTC)),
}
OTHER = {  # flat neighbours in the same namespace
    "search-api-58d7c9f6b4-8rj2v": ("10.0.1.14", 702 * MiB),
    "search-api-58d7c9f6b4-lq7nd": ("10.0.3.9", 688 * MiB),
}


def node_name(ip):
    return f"ip-{ip.replace('.', '-')}.eu-west-1.compute.internal"


def uid(s):
    return str(uuid.UUID(hashlib.md5(s.encode()).hexdigest(), version=4))


def cid(s):
    return hashlib.sha256(s.encode()).hexdigest()


def containers(pod):
    """[(container id, started, died or None)] from the pod's history; the first ran since Oct 2."""
    _, _, kill = PODS[pod]
    out = [(cid(pod + ":0"), datetime(2024, 10, 2, 8, 44, 5, tzinfo=UTC), kill)]
    t = kill
    n = 1
    while True:
        start = t + timedelta(seconds=1 if n == 1 else 10 + rng.random() * 2)
        died = start + timedelta(minutes=11 + rng.random() * 3)
        out.append((cid(f"{pod}:{n}"), start, died if died < M_END else None))
        if died >= M_END:
            return out
        t, n = died, n + 1


HIST = {p: containers(p) for p in sorted(PODS)}


def working_set(pod, t):
    """bytes, or None when no container runs."""
    for i, (_, start, died) in enumerate(HIST[pod]):
        if start <= t and (died is None or t < died):
            if i == 0:
                base = 1.06 * GiB
                if t < CLIMB:
                    return base
                frac = (t - CLIMB) / (died - CLIMB)
                return base + (LIMIT - 6 * MiB - base) * frac ** 1.15
            frac = (t - start) / ((died or start + timedelta(minutes=12.5)) - start)
            return 390 * MiB + (LIMIT - 6 * MiB - 390 * MiB) * min(frac, 1.0) ** 0.9
    return None


def fmt(v):
    if isinstance(v, int) or (isinstance(v, float) and v.is_integer()):
        return str(int(v))
    return repr(round(v, 6))


def labels(d):
    return "{" + ",".join(f'{k}="{v}"' for k, v in d.items()) + "}"


def write_metrics():
    fams = {}

    def add(fam, typ, hlp, name, lab, ts, val):
        fams.setdefault(fam, (typ, hlp, {}))[2].setdefault((name, tuple(lab.items())), []).append((ts, val))

    def cad(pod, node, container, image, cgroup_id=None):
        cg = f"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod{uid(pod).replace('-', '_')}.slice"
        lab = {"container": container, "endpoint": "https-metrics",
               "id": cg + (f"/cri-containerd-{cgroup_id}.scope" if cgroup_id else ""), "image": image,
               "instance": f"{node}:10250", "job": "kubelet", "metrics_path": "/metrics/cadvisor"}
        if cgroup_id:
            lab["name"] = cgroup_id
        lab.update({"namespace": "search", "node": node_name(node), "pod": pod, "service": "kubelet"})
        return lab

    image = "registry.example.com/search/search-indexer:3.14.2"
    for pod, (node, ip, _) in sorted(PODS.items()):
        off = timedelta(seconds=12.804 + (int(hashlib.md5(node.encode()).hexdigest(), 16) % 40))
        t = M_START + off
        cpu = {}
        while t < M_END:
            ws = working_set(pod, t)
            for c, start, died in HIST[pod]:
                if start <= t and (died is None or t < died):
                    noise = rng.gauss(0, 3 * MiB)
                    v = int(min(ws + noise, LIMIT - MiB)) // 4096 * 4096
                    add("container_memory_working_set_bytes", "gauge", "Current working set in bytes.",
                        "container_memory_working_set_bytes", cad(pod, node, "search-indexer", image, c), t, v)
                    load = 0.45 if t < CLIMB else 0.9 + 0.4 * (v / LIMIT)
                    cpu[c] = cpu.get(c, 0.0 if c != HIST[pod][0][0] else 187342.7) + 60 * load * (0.95 + rng.random() * 0.1)
                    add("container_cpu_usage_seconds", "counter", "Cumulative cpu time consumed in seconds.",
                        "container_cpu_usage_seconds_total", {**cad(pod, node, "search-indexer", image, c), "cpu": "total"}, t, round(cpu[c], 6))
            # the pod's own cgroup (container="") holds the pause container and what ran
            pod_ws = (ws or 0) + 5.3 * MiB + rng.gauss(0, 0.2 * MiB)
            add("container_memory_working_set_bytes", "gauge", "Current working set in bytes.",
                "container_memory_working_set_bytes", cad(pod, node, "", ""), t, int(pod_ws) // 4096 * 4096)
            t += timedelta(minutes=1)
    for pod, (node, base) in sorted(OTHER.items()):
        t = M_START + timedelta(seconds=12.804 + (int(hashlib.md5(node.encode()).hexdigest(), 16) % 40))
        c = cid(pod)
        while t < M_END:
            v = int(base + rng.gauss(0, 8 * MiB)) // 4096 * 4096
            add("container_memory_working_set_bytes", "gauge", "Current working set in bytes.",
                "container_memory_working_set_bytes",
                cad(pod, node, "search-api", "registry.example.com/search/search-api:2.31.0", c), t, v)
            t += timedelta(minutes=1)

    ksm = {"container": "kube-state-metrics", "endpoint": "http", "instance": "10.42.0.9:8080",
           "job": "kube-state-metrics", "service": "kube-state-metrics"}
    ksm_pod = "kube-state-metrics-6d5f8b7c4-qrx7n"
    t = M_START + timedelta(seconds=41.907)
    while t < M_END:
        for pod, (node, _, _) in sorted(PODS.items()):
            pl = {**ksm, "namespace": "search", "pod": pod, "uid": uid(pod)}
            add("kube_pod_container_resource_limits", "gauge", "The number of requested limit resource by a container.",
                "kube_pod_container_resource_limits", {**pl, "container": "search-indexer", "node": node_name(node), "resource": "cpu", "unit": "core"}, t, 2)
            add("kube_pod_container_resource_limits", "gauge", "The number of requested limit resource by a container.",
                "kube_pod_container_resource_limits", {**pl, "container": "search-indexer", "node": node_name(node), "resource": "memory", "unit": "byte"}, t, LIMIT)
            restarts = sum(1 for _, start, _ in HIST[pod][1:] if start <= t)
            add("kube_pod_container_status_restarts", "counter", "The number of container restarts per container.",
                "kube_pod_container_status_restarts_total", {**pl, "container": "search-indexer"}, t, restarts)
            if any(d is not None and d <= t for _, _, d in HIST[pod]):
                add("kube_pod_container_status_last_terminated_reason", "gauge", "Describes the last reason the container was in terminated state.",
                    "kube_pod_container_status_last_terminated_reason", {**pl, "container": "search-indexer", "reason": "OOMKilled"}, t, 1)
        for pod in sorted(OTHER):
            add("kube_pod_container_status_restarts", "counter", "The number of container restarts per container.",
                "kube_pod_container_status_restarts_total", {**ksm, "namespace": "search", "pod": pod, "uid": uid(pod), "container": "search-api"}, t, 0)
        for dep, gen in (("search-indexer", 41), ("search-api", 63), ("catalog-sync", 12)):
            add("kube_deployment_status_observed_generation", "gauge", "The generation observed by the deployment controller.",
                "kube_deployment_status_observed_generation", {**ksm, "deployment": dep, "namespace": "search", "pod": ksm_pod}, t, gen)
        t += timedelta(minutes=1)
    # kube_pod_container_status_last_terminated_reason and the restarts family must stay grouped
    with open(HERE / "metrics.om", "w") as f:
        for fam, (typ, hlp, series) in fams.items():
            f.write(f"# HELP {fam} {hlp}\n# TYPE {fam} {typ}\n")
            for (name, lab), samples in series.items():
                for ts, v in samples:
                    f.write(f"{name}{labels(dict(lab))} {fmt(v)} {ts.timestamp():.3f}\n")
        f.write("# EOF\n")


def pyts(t):
    return t.strftime("%Y-%m-%d %H:%M:%S,") + f"{t.microsecond // 1000:03d}"


def write_logs():
    out = HERE / "logs" / "search-indexer"
    out.mkdir(parents=True, exist_ok=True)
    journal = []
    for pod, (node, ip, _) in sorted(PODS.items()):
        lines = []
        host = node_name(node).split(".")[0]

        def log(t, level, name, msg):
            lines.append((t, f"{pyts(t)} {level} [{name}] {msg}"))

        for n, (c, start, died) in enumerate(HIST[pod]):
            if died is not None and died < L_START:
                continue
            if start >= L_START:
                log(start + timedelta(seconds=1.2), "INFO", "search_indexer.main", "Starting search-indexer 3.14.2 (python 3.12.6, opensearch-py 2.7.1)")
                log(start + timedelta(seconds=1.9), "INFO", "search_indexer.consumer", "Joined group search-indexer, assigned partitions catalog-updates-[%s]" % {0: "0,1,2,3", 1: "4,5,6,7", 2: "8,9,10,11"}[sorted(PODS).index(pod)])
                log(start + timedelta(seconds=2.3), "INFO", "uvicorn.error", "Uvicorn running on http://0.0.0.0:8080 (Press CTRL+C to quit)")
            t = max(start, L_START) + timedelta(seconds=rng.random() * 10)
            end = died or M_END
            while t < end:
                ws = working_set(pod, t) or 0
                fill = ws / LIMIT
                pending = int(2000 + 900000 * max(0.0, fill - 0.5) ** 1.3 * (1 + rng.random() * 0.05))
                took = int(180 + 9000 * max(0.0, fill - 0.45) ** 1.6 + rng.random() * 120)
                if took > 2500:
                    log(t, "WARNING", "search_indexer.bulk", f"Slow bulk response from opensearch: {took} ms for 500 docs (pending {pending} docs)")
                else:
                    log(t, "INFO", "search_indexer.bulk", f"Flushed 500 docs to opensearch in {took} ms (pending {pending} docs)")
                if rng.random() < 0.12:
                    status_ms = int(8 + 9000 * max(0.0, fill - 0.6) ** 2 + rng.random() * 20)
                    lvl = "WARNING" if status_ms > 1000 else "INFO"
                    msg = (f"Slow response: GET /v1/index/status 200 in {status_ms} ms" if lvl == "WARNING"
                           else f"GET /v1/index/status 200 in {status_ms} ms")
                    log(t + timedelta(milliseconds=rng.randrange(900)), lvl, "search_indexer.api", msg)
                if fill > 0.8 and rng.random() < 0.02:
                    log(t + timedelta(milliseconds=rng.randrange(900)), "WARNING", "search_indexer.consumer",
                        f"Consumer lag {pending * 3 + rng.randrange(5000)} on catalog-updates, pausing fetch until pending < 200000")
                t += timedelta(seconds=6 + rng.random() * 6)
            if died is not None:
                pid = 1000 + rng.randrange(9000)
                rss = (LIMIT // 1024) - rng.randrange(9000, 20000)
                jt = died.replace(microsecond=0)
                journal.append((died, f"{jt.strftime('%Y-%m-%dT%H:%M:%S')}+0000 {host} kernel: python invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=985"))
                journal.append((died + timedelta(microseconds=1), f"{jt.strftime('%Y-%m-%dT%H:%M:%S')}+0000 {host} kernel: Memory cgroup out of memory: Killed process {pid} (python) total-vm:{rss + 611204}kB, anon-rss:{rss - 21000}kB, file-rss:{21000 - 312}kB, shmem-rss:0kB, UID:10001 pgtables:4496kB oom_score_adj:985"))
                kt = died + timedelta(milliseconds=180 + rng.randrange(300))
                journal.append((kt, f"{kt.strftime('%Y-%m-%dT%H:%M:%S')}+0000 {host} kubelet[1187]: I{kt.strftime('%m%d %H:%M:%S.%f')}    1187 kubelet.go:2461] \"SyncLoop (PLEG): event for pod\" pod=\"search/{pod}\" event={{\"ID\":\"{uid(pod)}\",\"Type\":\"ContainerDied\",\"Data\":\"{c}\"}}"))
                if n >= 1:
                    bt = kt + timedelta(milliseconds=40)
                    journal.append((bt, f"{bt.strftime('%Y-%m-%dT%H:%M:%S')}+0000 {host} kubelet[1187]: E{bt.strftime('%m%d %H:%M:%S.%f')}    1187 pod_workers.go:1298] \"Error syncing pod, skipping\" err=\"failed to \\\"StartContainer\\\" for \\\"search-indexer\\\" with CrashLoopBackOff: \\\"back-off 10s restarting failed container=search-indexer pod={pod}_search({uid(pod)})\\\"\" pod=\"search/{pod}\" podUID=\"{uid(pod)}\""))
        for c, start, died in HIST[pod][1:]:
            st = start + timedelta(milliseconds=420)
            journal.append((st, f"{st.strftime('%Y-%m-%dT%H:%M:%S')}+0000 {host} kubelet[1187]: I{st.strftime('%m%d %H:%M:%S.%f')}    1187 kubelet.go:2461] \"SyncLoop (PLEG): event for pod\" pod=\"search/{pod}\" event={{\"ID\":\"{uid(pod)}\",\"Type\":\"ContainerStarted\",\"Data\":\"{c}\"}}"))
        lines.sort(key=lambda x: x[0])
        (out / f"{pod}.log").write_text("".join(l + "\n" for _, l in lines))
    # unrelated node noise
    for i in range(40):
        t = L_START + timedelta(seconds=rng.randrange(int((M_END - L_START).total_seconds())), microseconds=rng.randrange(10**6))
        node = rng.choice([p[0] for p in PODS.values()])
        host = node_name(node).split(".")[0]
        journal.append((t, rng.choice([
            f"{t.strftime('%Y-%m-%dT%H:%M:%S')}+0000 {host} containerd[902]: time=\"{t.strftime('%Y-%m-%dT%H:%M:%S.%f')}Z\" level=info msg=\"ImageUpdate event name:\\\"registry.example.com/pause:3.9\\\"\"",
            f"{t.strftime('%Y-%m-%dT%H:%M:%S')}+0000 {host} systemd[1]: Started Session {rng.randrange(100, 999)} of User ssm-user.",
            f"{t.strftime('%Y-%m-%dT%H:%M:%S')}+0000 {host} kubelet[1187]: I{t.strftime('%m%d %H:%M:%S.%f')}    1187 prober.go:107] \"Probe failed\" probeType=\"Readiness\" pod=\"search/search-api-58d7c9f6b4-8rj2v\" podUID=\"{uid('search-api-58d7c9f6b4-8rj2v')}\" containerName=\"search-api\" probeResult=\"failure\" output=\"Get \\\"http://10.42.1.77:8080/ready\\\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)\"",
            f"{t.strftime('%Y-%m-%dT%H:%M:%S')}+0000 {host} chronyd[611]: Selected source 169.254.169.123",
        ])))
    journal.sort(key=lambda x: x[0])
    (HERE / "logs" / "nodes").mkdir(parents=True, exist_ok=True)
    (HERE / "logs" / "nodes" / "journal.log").write_text("".join(l + "\n" for _, l in journal))


def write_helm():
    hist = [
        {"revision": 17, "updated": "2024-09-24T13:02:11.48213+02:00", "status": "superseded", "chart": "search-indexer-3.14.0", "app_version": "3.14.0", "description": "Upgrade complete"},
        {"revision": 18, "updated": "2024-09-27T16:20:54.107732+02:00", "status": "superseded", "chart": "search-indexer-3.14.1", "app_version": "3.14.1", "description": "Upgrade complete"},
        {"revision": 19, "updated": "2024-10-02T10:43:58.913544+02:00", "status": "deployed", "chart": "search-indexer-3.14.2", "app_version": "3.14.2", "description": "Upgrade complete"},
    ]
    (HERE / "search-indexer-helm-history.json").write_text(json.dumps(hist, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    write_metrics()
    write_logs()
    write_helm()
    for pod in sorted(PODS):
        print(pod, "kills:", [d.strftime("%H:%M:%S") for _, _, d in HIST[pod] if d], "restarts:", len(HIST[pod]) - 1)
