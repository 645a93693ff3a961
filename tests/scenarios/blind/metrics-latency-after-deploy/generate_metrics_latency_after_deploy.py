#!/usr/bin/env python3
"""Generate the data of the metrics-latency-after-deploy scenario (seeded, deterministic).

quote-api (Go, namespace pricing) runs 3 replicas of v4.7.1. At 10:02:00 UTC on 2024-09-17 the
Deployment rolls to v4.8.0, whose config sets RateCardCacheEntries to 0: every POST /v1/quotes now
loads its rate card from Postgres. Requests are simulated one by one (arrival, pod, handler, status,
duration) and written twice: as the pods' slog JSON request lines (no durations) and as the
Prometheus series a 1-minute scrape of those pods would hold (http_requests_total,
http_request_duration_seconds), beside kube-state-metrics and cAdvisor series.

Writes, beside this script: metrics.om, logs/quote-api/<pod>.log, quote-api-replicasets.json.
Run: python3 generate_metrics_latency_after_deploy.py
"""
import hashlib
import json
import math
import random
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
UTC = timezone.utc
SEED = 20240917
rng = random.Random(SEED)

M_START = datetime(2024, 9, 17, 8, 0, tzinfo=UTC)     # metrics window
M_END = datetime(2024, 9, 17, 11, 30, tzinfo=UTC)
L_START = datetime(2024, 9, 17, 9, 30, tzinfo=UTC)    # kubectl logs --since-time
DEPLOY = datetime(2024, 9, 17, 10, 2, 0, tzinfo=UTC)
RPM = 120                                             # requests per minute, all pods
BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]  # prometheus.DefBuckets

OLD_RS, NEW_RS = "7c9d8b6f4", "5f6c8d9b7d"
# pod -> (created, serving from, serving until, ip)
PODS = {
    f"quote-api-{OLD_RS}-x2k8p": (datetime(2024, 9, 11, 14, 21, 7, tzinfo=UTC), None, datetime(2024, 9, 17, 10, 2, 32, tzinfo=UTC), "10.42.3.17"),
    f"quote-api-{OLD_RS}-h7vqd": (datetime(2024, 9, 11, 14, 21, 38, tzinfo=UTC), None, datetime(2024, 9, 17, 10, 2, 59, tzinfo=UTC), "10.42.1.88"),
    f"quote-api-{OLD_RS}-m4n9t": (datetime(2024, 9, 11, 14, 22, 9, tzinfo=UTC), None, datetime(2024, 9, 17, 10, 3, 25, tzinfo=UTC), "10.42.2.41"),
    f"quote-api-{NEW_RS}-q8wzr": (datetime(2024, 9, 17, 10, 2, 1, tzinfo=UTC), datetime(2024, 9, 17, 10, 2, 31, tzinfo=UTC), None, "10.42.1.93"),
    f"quote-api-{NEW_RS}-b3lfx": (datetime(2024, 9, 17, 10, 2, 32, tzinfo=UTC), datetime(2024, 9, 17, 10, 2, 58, tzinfo=UTC), None, "10.42.3.22"),
    f"quote-api-{NEW_RS}-t6jcs": (datetime(2024, 9, 17, 10, 2, 59, tzinfo=UTC), datetime(2024, 9, 17, 10, 3, 24, tzinfo=UTC), None, "10.42.2.57"),
}
NEW = sorted(p for p in PODS if NEW_RS in p)


def serving(pod, t):
    created, start, stop, _ = PODS[pod]
    return (start or created) <= t and (stop is None or t < stop)


REGIONS = ["EU-STD", "EU-EXP", "UK-STD", "US-STD", "US-EXP", "CH-STD", "NO-STD"]


def simulate():
    """Every request of the window: (t, pod, handler, method, code, seconds, extra)."""
    reqs = []
    t = M_START
    while t < M_END:
        t += timedelta(seconds=rng.expovariate(RPM / 60.0))
        pods = sorted(p for p in PODS if serving(p, t))
        pod = rng.choice(pods)
        slow = pod in NEW
        if rng.random() < 0.85:
            handler, method = "/v1/quotes", "POST"
            u = rng.random()
            if u < 0.002:
                code = "500"
            elif u < 0.017:
                code = "422"
            else:
                code = "200"
            median = 0.400 if slow else 0.028
            sigma = 0.35 if slow else 0.5
        else:
            handler, method = "/v1/quotes/{id}", "GET"
            u = rng.random()
            if u < 0.002:
                code = "500"
            elif u < 0.032:
                code = "404"
            else:
                code = "200"
            median, sigma = 0.008, 0.45
        secs = median * math.exp(rng.gauss(0, sigma))
        if code in ("422", "404"):
            secs = min(secs, 0.004 + rng.random() * 0.01)
        reqs.append((t, pod, handler, method, code, secs, rng.randrange(10**15)))
    return reqs


def go_time(t):
    s = t.strftime("%Y-%m-%dT%H:%M:%S.%f").rstrip("0").rstrip(".")
    return s + "Z"


def write_logs(reqs):
    out = HERE / "logs" / "quote-api"
    out.mkdir(parents=True, exist_ok=True)
    lines = {p: [] for p in PODS}

    def emit(pod, t, level, msg, **kv):
        rec = {"time": go_time(t), "level": level, "msg": msg}
        rec.update(kv)
        lines[pod].append((t, json.dumps(rec, separators=(",", ":"))))

    for pod in NEW:
        created = PODS[pod][0]
        t0 = created + timedelta(seconds=6, microseconds=rng.randrange(10**6))
        emit(pod, t0, "INFO", "starting quote-api", version="v4.8.0", go="go1.23.1", listen=":8080")
        emit(pod, t0 + timedelta(milliseconds=41), "INFO", "connected to postgres", host="pricing-pg.pricing.svc", max_open_conns=40)
        emit(pod, t0 + timedelta(milliseconds=43), "INFO", "rate card cache configured", max_entries=0, ttl="10m0s")
        emit(pod, t0 + timedelta(milliseconds=45), "INFO", "fx rates client ready", base_url="http://fx-rates.pricing.svc:8080")
        emit(pod, t0 + timedelta(milliseconds=47), "INFO", "listening", addr=":8080")
    for pod, (created, start, stop, _) in PODS.items():
        if stop is not None:
            emit(pod, stop - timedelta(milliseconds=300), "INFO", "shutting down", signal="terminated")
            emit(pod, stop + timedelta(milliseconds=rng.randrange(200, 900)), "INFO", "server stopped", drained_requests=rng.randrange(0, 3))
    for (t, pod, handler, method, code, secs, rid) in reqs:
        if t < L_START:
            continue
        if handler == "/v1/quotes":
            region = REGIONS[rid % len(REGIONS)]
            path = "/v1/quotes"
        else:
            region = None
            path = f"/v1/quotes/q_{rid % 10**10:010d}"
        done = t + timedelta(seconds=secs)
        req_id = f"{rid:015x}"[:16]
        if code == "500":
            err = (f"ratecard: load {region}: pq: canceling statement due to statement timeout"
                   if region else "store: get quote: pq: canceling statement due to conflict with recovery")
            emit(pod, done, "ERROR", "request failed", request_id=req_id, err=err)
        kv = {"method": method, "path": path, "status": int(code), "request_id": req_id,
              "remote_addr": f"10.42.{rid % 4}.{rid % 200 + 20}:{40000 + rid % 20000}"}
        if region:
            kv["region"] = region
        emit(pod, done, "INFO", "request", **kv)
    for pod, ls in lines.items():
        ls.sort(key=lambda x: x[0])
        (out / f"{pod}.log").write_text("".join(l + "\n" for _, l in ls))


def fmt(v):
    if isinstance(v, int) or (isinstance(v, float) and v.is_integer() and abs(v) < 1e15):
        return str(int(v))
    return repr(round(v, 6))


def labels(d):
    return "{" + ",".join(f'{k}="{v}"' for k, v in d.items()) + "}"


def scrape_times(pod):
    created, start, stop, _ = PODS[pod]
    offset = 7 + (sum(map(ord, pod)) % 50) + 0.312
    t = M_START + timedelta(seconds=offset)
    first = max(created + timedelta(seconds=5), M_START)
    out = []
    while t < M_END:
        if t >= first and (stop is None or t < stop):
            out.append(t)
        t += timedelta(minutes=1)
    return out


def write_metrics(reqs):
    fams = {}  # family -> (type, help, {label-tuple: [(ts, value)]})

    def add(fam, typ, hlp, name, lab, ts, val):
        fams.setdefault(fam, (typ, hlp, {}))[2].setdefault((name, tuple(lab.items())), []).append((ts, val))

    by_pod = {p: [] for p in PODS}
    for r in reqs:
        by_pod[r[1]].append(r)
    for pod, rs in by_pod.items():
        ip = PODS[pod][3]
        tgt = {"container": "quote-api", "endpoint": "http-metrics", "instance": f"{ip}:8080",
               "job": "quote-api", "namespace": "pricing", "pod": pod, "service": "quote-api"}
        counts, hist, sums = {}, {}, {}
        i = 0
        rs.sort(key=lambda r: r[0] + timedelta(seconds=r[5]))
        for ts in scrape_times(pod):
            while i < len(rs) and rs[i][0] + timedelta(seconds=rs[i][5]) <= ts:
                t, _, handler, method, code, secs, _ = rs[i]
                counts[(code, handler, method)] = counts.get((code, handler, method), 0) + 1
                hk = (handler, method)
                h = hist.setdefault(hk, [0] * (len(BUCKETS) + 1))
                for j, b in enumerate(BUCKETS):
                    if secs <= b:
                        h[j] += 1
                h[-1] += 1
                sums[hk] = sums.get(hk, 0.0) + secs
                i += 1
            for (code, handler, method), n in sorted(counts.items()):
                add("http_requests", "counter", "Total number of HTTP requests by status code, handler and method.",
                    "http_requests_total", {"code": code, "handler": handler, "method": method, **tgt}, ts, n)
            for (handler, method), h in sorted(hist.items()):
                lab = {"handler": handler, "method": method, **tgt}
                for j, b in enumerate(BUCKETS + ["+Inf"]):
                    add("http_request_duration_seconds", "histogram", "Duration of HTTP requests in seconds.",
                        "http_request_duration_seconds_bucket", {**lab, "le": str(b)}, ts, h[j])
                add("http_request_duration_seconds", "histogram", "Duration of HTTP requests in seconds.",
                    "http_request_duration_seconds_sum", lab, ts, round(sums[(handler, method)], 6))
                add("http_request_duration_seconds", "histogram", "Duration of HTTP requests in seconds.",
                    "http_request_duration_seconds_count", lab, ts, h[-1])
        # cAdvisor (kubelet) for the same pod: flat memory, CPU following the traffic
        node_ip = {"10.42.1": "10.0.1.14", "10.42.2": "10.0.2.31", "10.42.3": "10.0.3.9"}[ip.rsplit(".", 1)[0]]
        cad = {"container": "quote-api", "endpoint": "https-metrics", "image": f"registry.example.com/pricing/quote-api:{'4.8.0' if pod in NEW else '4.7.1'}",
               "instance": f"{node_ip}:10250", "job": "kubelet", "metrics_path": "/metrics/cadvisor", "namespace": "pricing",
               "node": f"ip-{node_ip.replace('.', '-')}.eu-west-1.compute.internal", "pod": pod, "service": "kubelet"}
        cpu = 0.0 if pod in NEW else 21873.4 + rng.random() * 300
        mem = 38e6 if pod in NEW else 61e6
        for ts in scrape_times(pod):
            cpu += 60 * (0.055 + rng.random() * 0.01) * (0.7 if pod in NEW else 1.0)
            mem = mem + (64e6 - mem) * 0.2 + rng.gauss(0, 0.6e6)
            add("container_cpu_usage_seconds", "counter", "Cumulative cpu time consumed in seconds.",
                "container_cpu_usage_seconds_total", {**cad, "cpu": "total"}, ts, round(cpu, 6))
            add("container_memory_working_set_bytes", "gauge", "Current working set in bytes.",
                "container_memory_working_set_bytes", cad, ts, int(mem) // 4096 * 4096)
    # kube-state-metrics
    ksm = {"container": "kube-state-metrics", "endpoint": "http", "instance": "10.42.0.9:8080", "job": "kube-state-metrics",
           "pod": "kube-state-metrics-6d5f8b7c4-qrx7n", "service": "kube-state-metrics"}
    t = M_START + timedelta(seconds=41.907)
    while t < M_END:
        for dep, gen in (("quote-api", 24 if t >= DEPLOY else 23), ("fx-rates", 17), ("pricing-web", 9)):
            add("kube_deployment_status_observed_generation", "gauge", "The generation observed by the deployment controller.",
                "kube_deployment_status_observed_generation", {**ksm, "deployment": dep, "namespace": "pricing"}, t, gen)
        for pod in sorted(PODS):
            created, start, stop, _ = PODS[pod]
            if created <= t and (stop is None or t < stop + timedelta(seconds=30)):
                add("kube_pod_container_status_restarts", "counter", "The number of container restarts per container.",
                    "kube_pod_container_status_restarts_total",
                    {**ksm, "namespace": "pricing", "pod": pod, "container": "quote-api",
                     "uid": str(uuid.UUID(hashlib.md5(pod.encode()).hexdigest(), version=4))}, t, 0)
        t += timedelta(minutes=1)
    with open(HERE / "metrics.om", "w") as f:
        for fam, (typ, hlp, series) in fams.items():
            f.write(f"# HELP {fam} {hlp}\n# TYPE {fam} {typ}\n")
            for (name, lab), samples in series.items():
                for ts, v in samples:
                    f.write(f"{name}{labels(dict(lab))} {fmt(v)} {ts.timestamp():.3f}\n")
        f.write("# EOF\n")


def write_replicasets():
    def rs(hash_, rev, version, created, replicas, cause):
        return {
            "apiVersion": "apps/v1", "kind": "ReplicaSet",
            "metadata": {
                "annotations": {"deployment.kubernetes.io/desired-replicas": "3", "deployment.kubernetes.io/max-replicas": "4",
                                "deployment.kubernetes.io/revision": str(rev), "kubernetes.io/change-cause": cause},
                "creationTimestamp": created, "generation": 2 if replicas == 0 else 1,
                "labels": {"app.kubernetes.io/name": "quote-api", "pod-template-hash": hash_},
                "name": f"quote-api-{hash_}", "namespace": "pricing",
                "ownerReferences": [{"apiVersion": "apps/v1", "blockOwnerDeletion": True, "controller": True, "kind": "Deployment",
                                     "name": "quote-api", "uid": "0b8e9a57-3c1f-4d52-9a0e-5e2f7d1c6b43"}],
                "resourceVersion": str(81234000 + rev * 977), "uid": f"9d3c{rev:04d}-7a51-4e0b-b2f6-1c8e{rev:08d}"},
            "spec": {"replicas": replicas,
                     "selector": {"matchLabels": {"app.kubernetes.io/name": "quote-api", "pod-template-hash": hash_}},
                     "template": {"metadata": {"labels": {"app.kubernetes.io/name": "quote-api", "pod-template-hash": hash_}},
                                  "spec": {"containers": [{"name": "quote-api", "image": f"registry.example.com/pricing/quote-api:{version}",
                                                           "ports": [{"containerPort": 8080, "name": "http-metrics", "protocol": "TCP"}]}]}}},
            "status": {"availableReplicas": replicas, "fullyLabeledReplicas": replicas, "observedGeneration": 2 if replicas == 0 else 1,
                       "readyReplicas": replicas, "replicas": replicas} if replicas else {"observedGeneration": 2, "replicas": 0},
        }
    doc = {"apiVersion": "v1", "kind": "List", "metadata": {"resourceVersion": ""}, "items": [
        rs("5f6c8d9b7d", 24, "4.8.0", "2024-09-17T10:02:00Z", 3, "deploy quote-api v4.8.0 (pipeline #5812)"),
        rs("66b8f4d9c7", 22, "4.7.0", "2024-09-05T13:12:44Z", 0, "deploy quote-api v4.7.0 (pipeline #5733)"),
        rs("7c9d8b6f4", 23, "4.7.1", "2024-09-11T14:21:06Z", 0, "deploy quote-api v4.7.1 (pipeline #5790)"),
    ]}
    (HERE / "quote-api-replicasets.json").write_text(json.dumps(doc, indent=4) + "\n")


def main():
    reqs = simulate()
    write_logs(reqs)
    write_metrics(reqs)
    write_replicasets()
    # what the story says, measured on the generated requests (for the expectations)
    for name, lo, hi in (("before", DEPLOY - timedelta(minutes=60), DEPLOY), ("after", DEPLOY + timedelta(minutes=3), M_END)):
        win = [r for r in reqs if lo <= r[0] < hi]
        err = sum(r[4].startswith("5") for r in win) / len(win)
        cum = [sum(r[5] <= b for r in win) / len(win) for b in BUCKETS]
        j = next(i for i, c in enumerate(cum) if c >= 0.95)
        lo_b, lo_c = (BUCKETS[j - 1], cum[j - 1]) if j else (0.0, 0.0)
        p95 = lo_b + (BUCKETS[j] - lo_b) * (0.95 - lo_c) / (cum[j] - lo_c)
        print(f"{name}: {len(win)} requests, 5xx {err:.4f}, histogram p95 {p95:.3f} s")


if __name__ == "__main__":
    main()
