"""Metrics of the prometheus-only-latency scenario: what Prometheus scraped from search-api and
suggest-api (namespace search) and from kube-state-metrics on 2024-10-08, 13:00-15:30 UTC, scraped every minute.

search-api v8.1.0 rolls out at 14:05:00 (new ReplicaSet search-api-7f9c6d5b4, observed generation
31 -> 32); its pods ask Elasticsearch for 10,000 hits per query instead of 100, and every request they
serve takes ~0.46 s at the median instead of ~0.03 s. suggest-api rolled v2.3.1 at 13:20 (unrelated,
its latency unchanged). 5xx stay at ~0.1% throughout. No log file exists in this story.

Writes metrics.om beside this file; seeded, byte-identical on every run.
Run: python3 generate_prometheus_only_latency.py
"""
import math
import random
from datetime import datetime, timedelta, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
UTC = timezone.utc
rng = random.Random(81008)

START = datetime(2024, 10, 8, 13, 0, tzinfo=UTC)
END = datetime(2024, 10, 8, 15, 30, tzinfo=UTC)
SCRAPE = timedelta(seconds=60)
BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
NS = "search"

SEARCH_DEPLOY = datetime(2024, 10, 8, 14, 5, 0, tzinfo=UTC)
SUGGEST_DEPLOY = datetime(2024, 10, 8, 13, 20, 0, tzinfo=UTC)


def t(h, m, s=0):
    return datetime(2024, 10, 8, h, m, s, tzinfo=UTC)


# pod -> (service, version, created, serving from, serving until, slow)
PODS = {
    "search-api-6d4b9c7f8-2xkqp": ("search-api", "8.0.3", datetime(2024, 10, 1, 9, 14, 3, tzinfo=UTC), None, t(14, 5, 41), False),
    "search-api-6d4b9c7f8-9hn4w": ("search-api", "8.0.3", datetime(2024, 10, 1, 9, 14, 40, tzinfo=UTC), None, t(14, 6, 19), False),
    "search-api-6d4b9c7f8-tq7vz": ("search-api", "8.0.3", datetime(2024, 10, 1, 9, 15, 12, tzinfo=UTC), None, t(14, 6, 58), False),
    "search-api-7f9c6d5b4-kd8ms": ("search-api", "8.1.0", t(14, 5, 1), t(14, 5, 39), None, True),
    "search-api-7f9c6d5b4-r5wbn": ("search-api", "8.1.0", t(14, 5, 42), t(14, 6, 17), None, True),
    "search-api-7f9c6d5b4-x3fjl": ("search-api", "8.1.0", t(14, 6, 20), t(14, 6, 56), None, True),
    "suggest-api-5b7f6c9d8-hw2pt": ("suggest-api", "2.3.0", datetime(2024, 9, 24, 11, 2, 9, tzinfo=UTC), None, t(13, 20, 44), False),
    "suggest-api-5b7f6c9d8-m8qzc": ("suggest-api", "2.3.0", datetime(2024, 9, 24, 11, 2, 47, tzinfo=UTC), None, t(13, 21, 20), False),
    "suggest-api-84c9d7f6b5-c4lrk": ("suggest-api", "2.3.1", t(13, 20, 1), t(13, 20, 42), None, False),
    "suggest-api-84c9d7f6b5-v9dxs": ("suggest-api", "2.3.1", t(13, 20, 45), t(13, 21, 18), None, False),
}
IPS = {p: f"10.60.{i % 3 + 1}.{40 + i * 7}" for i, p in enumerate(sorted(PODS))}

# service -> (requests per minute, [(handler, method, share, median s fast, median s slow, sigma)])
TRAFFIC = {
    "search-api": (300, [("/v1/search", "GET", 1.0, 0.032, 0.46, 0.38)]),
    "suggest-api": (420, [("/v1/suggest", "GET", 1.0, 0.009, 0.009, 0.5)]),
}


def serving(pod, at):
    _, _, created, start, stop, _ = PODS[pod]
    return (start or created) <= at and (stop is None or at < stop)


def simulate():
    reqs = []  # (done, pod, handler, method, code, seconds)
    for svc, (rpm, routes) in TRAFFIC.items():
        at = START
        while at < END:
            at += timedelta(seconds=rng.expovariate(rpm / 60.0))
            pods = sorted(p for p in PODS if PODS[p][0] == svc and serving(p, at))
            pod = rng.choice(pods)
            u = rng.random()
            acc = 0.0
            for handler, method, share, fast, slow, sigma in routes:
                acc += share
                if u < acc:
                    break
            med = slow if PODS[pod][5] else fast
            secs = med * math.exp(rng.gauss(0, sigma))
            v = rng.random()
            code = "500" if v < 0.001 else ("400" if v < 0.006 else "200")
            if code == "400":
                secs = 0.002 + rng.random() * 0.004
            reqs.append((at + timedelta(seconds=secs), pod, handler, method, code, secs))
    reqs.sort(key=lambda r: r[0])
    return reqs


def fmt(v):
    if isinstance(v, int) or (isinstance(v, float) and v.is_integer() and abs(v) < 1e15):
        return str(int(v))
    return repr(round(v, 6))


def labels(d):
    return "{" + ",".join(f'{k}="{v}"' for k, v in d.items()) + "}"


def scrape_times(offset_s, first=START, stop=None):
    out = []
    at = START + timedelta(seconds=offset_s)
    while at < END:
        if at >= first and (stop is None or at < stop):
            out.append(at)
        at += SCRAPE
    return out


def main():
    reqs = simulate()
    fams = {}

    def add(fam, typ, hlp, name, lab, ts, val):
        fams.setdefault(fam, (typ, hlp, {}))[2].setdefault((name, tuple(lab.items())), []).append((ts, val))

    by_pod = {p: [] for p in PODS}
    for r in reqs:
        by_pod[r[1]].append(r)
    for pod in sorted(PODS):
        svc, version, created, start, stop, _ = PODS[pod]
        tgt = {"instance": f"{IPS[pod]}:8000", "job": f"{NS}/{svc}",
               "namespace": NS, "pod": pod, "service": svc}
        rs = by_pod[pod]
        counts, hist, sums, i = {}, {}, {}, 0
        first = max(created + timedelta(seconds=4), START)
        for ts in scrape_times(3.25 + sum(map(ord, pod)) % 27, first, stop + timedelta(seconds=10) if stop else None):
            while i < len(rs) and rs[i][0] <= ts:
                _, _, handler, method, code, secs = rs[i]
                counts[(code, handler, method)] = counts.get((code, handler, method), 0) + 1
                h = hist.setdefault((handler, method), [0] * (len(BUCKETS) + 1))
                for j, b in enumerate(BUCKETS):
                    if secs <= b:
                        h[j] += 1
                h[-1] += 1
                sums[(handler, method)] = sums.get((handler, method), 0.0) + secs
                i += 1
            for (code, handler, method), n in sorted(counts.items()):
                add("http_requests", "counter", "Total number of requests by method, status and handler.",
                    "http_requests_total", {**tgt, "handler": handler, "method": method, "status": code}, ts, n)
            for (handler, method), h in sorted(hist.items()):
                lab = {**tgt, "handler": handler, "method": method}
                for j, b in enumerate(BUCKETS + ["+Inf"]):
                    add("http_request_duration_seconds", "histogram", "Latency with only few buckets by handler.",
                        "http_request_duration_seconds_bucket", {**lab, "le": str(b)}, ts, h[j])
                add("http_request_duration_seconds", "histogram", "Latency with only few buckets by handler.",
                    "http_request_duration_seconds_sum", lab, ts, round(sums[(handler, method)], 6))
                add("http_request_duration_seconds", "histogram", "Latency with only few buckets by handler.",
                    "http_request_duration_seconds_count", lab, ts, h[-1])

    ksm = {"instance": "10.60.0.12:8080", "job": "kube-state-metrics"}
    rsets = {  # replicaset -> (deployment, created, replicas until/after switch)
        "search-api-5c8b7d6f9": ("search-api", datetime(2024, 9, 17, 10, 40, 12, tzinfo=UTC), None),
        "search-api-6d4b9c7f8": ("search-api", datetime(2024, 10, 1, 9, 14, 2, tzinfo=UTC), ("old", SEARCH_DEPLOY)),
        "search-api-7f9c6d5b4": ("search-api", t(14, 5, 0), ("new", SEARCH_DEPLOY)),
        "suggest-api-5b7f6c9d8": ("suggest-api", datetime(2024, 9, 24, 11, 2, 8, tzinfo=UTC), ("old", SUGGEST_DEPLOY)),
        "suggest-api-84c9d7f6b5": ("suggest-api", t(13, 20, 0), ("new", SUGGEST_DEPLOY)),
    }
    for ts in scrape_times(11.6):
        for dep, gen in (("search-api", 32 if ts >= SEARCH_DEPLOY else 31),
                         ("suggest-api", 14 if ts >= SUGGEST_DEPLOY else 13)):
            lab = {**ksm, "deployment": dep, "namespace": NS}
            add("kube_deployment_status_observed_generation", "gauge", "The generation observed by the deployment controller.",
                "kube_deployment_status_observed_generation", lab, ts, gen)
            add("kube_deployment_metadata_generation", "gauge", "Sequence number representing a specific generation of the desired state.",
                "kube_deployment_metadata_generation", lab, ts, gen)
        for rsname, (dep, created, switch) in sorted(rsets.items()):
            if created > ts:
                continue
            lab = {**ksm, "namespace": NS, "replicaset": rsname}
            add("kube_replicaset_created", "gauge", "Unix creation timestamp",
                "kube_replicaset_created", lab, ts, int(created.timestamp()))
            add("kube_replicaset_owner", "gauge", "Information about the ReplicaSet's owner.",
                "kube_replicaset_owner", {**lab, "owner_is_controller": "true", "owner_kind": "Deployment", "owner_name": dep}, ts, 1)
            full = 3 if dep == "search-api" else 2
            if switch is None:
                n = 0
            elif switch[0] == "old":
                n = full if ts < switch[1] else max(0, full - int((ts - switch[1]).total_seconds() // 40) - 1)
            else:
                n = min(full, int((ts - switch[1]).total_seconds() // 40) + 1)
            add("kube_replicaset_spec_replicas", "gauge", "Number of desired pods for a ReplicaSet.",
                "kube_replicaset_spec_replicas", lab, ts, n)
        for pod in sorted(PODS):
            svc, version, created, start, stop, _ = PODS[pod]
            if created <= ts and (stop is None or ts < stop + timedelta(seconds=30)):
                add("kube_pod_container_info", "gauge", "Information about a container in a pod.",
                    "kube_pod_container_info",
                    {**ksm, "namespace": NS, "pod": pod, "container": svc,
                     "image": f"registry.example.com/search/{svc}:{version}",
                     "image_spec": f"registry.example.com/search/{svc}:{version}"},
                    ts, 1)
                add("kube_pod_container_status_restarts", "counter", "The number of container restarts per container.",
                    "kube_pod_container_status_restarts_total",
                    {**ksm, "namespace": NS, "pod": pod, "container": svc}, ts, 0)

    with open(HERE / "metrics.om", "w") as f:
        for fam, (typ, hlp, series) in fams.items():
            f.write(f"# HELP {fam} {hlp}\n# TYPE {fam} {typ}\n")
            for (name, lab), samples in series.items():
                for ts, v in samples:
                    f.write(f"{name}{labels(dict(lab))} {fmt(v)} {ts.timestamp():.3f}\n")
        f.write("# EOF\n")

    # what the story says, measured on the simulated requests (for the expectations)
    for name, lo, hi in (("before", SEARCH_DEPLOY - timedelta(minutes=60), SEARCH_DEPLOY),
                         ("after", SEARCH_DEPLOY + timedelta(minutes=3), END)):
        win = [r for r in reqs if lo <= r[0] < hi and PODS[r[1]][0] == "search-api"]
        err = sum(r[4] == "500" for r in win) / len(win)
        cum = [sum(r[5] <= b for r in win) / len(win) for b in BUCKETS]
        j = next(i for i, c in enumerate(cum) if c >= 0.95)
        lo_b, lo_c = (BUCKETS[j - 1], cum[j - 1]) if j else (0.0, 0.0)
        p95 = lo_b + (BUCKETS[j] - lo_b) * (0.95 - lo_c) / (cum[j] - lo_c)
        print(f"search-api {name}: {len(win)} requests, 5xx {err:.4f}, histogram p95 {p95:.3f} s")


if __name__ == "__main__":
    main()
