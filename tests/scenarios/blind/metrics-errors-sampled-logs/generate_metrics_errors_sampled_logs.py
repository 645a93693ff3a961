#!/usr/bin/env python3
"""Generate the data of the metrics-errors-sampled-logs scenario (seeded, deterministic).

cart-api (Node.js, namespace shop, 3 replicas) serves ~600 requests a minute. Argo CD syncs v2.3.1
at 14:05:06 UTC on 2024-11-19; the new pods (ready 14:05:31, 14:06:04, 14:06:38) fail guest-cart
totals with a TypeError, ~12% of all requests, against 0.3% (Redis timeouts) before. Every request
is simulated; the pods' pino output holds the request lines of a 1-in-20 sample (sha1 of the request
id, as src/logging.js samples) and, unsampled, the error handler's line for every 5xx; the
Prometheus series (http_requests_total per pod, 1-minute scrapes) count every request.

Writes, beside this script: metrics.om, logs/cart-api/<pod>.log, argocd-cart-api.json.
Run: python3 generate_metrics_errors_sampled_logs.py
"""
import hashlib
import json
import random
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
UTC = timezone.utc
rng = random.Random(20241143)  # picked: the 1-in-20 sample shows ~13.7% where the counters say ~12.4%

M_START = datetime(2024, 11, 19, 12, 30, tzinfo=UTC)
M_END = datetime(2024, 11, 19, 16, 0, tzinfo=UTC)
L_START = datetime(2024, 11, 19, 13, 30, tzinfo=UTC)
L_END = datetime(2024, 11, 19, 15, 10, tzinfo=UTC)   # when the logs were collected
SYNC = datetime(2024, 11, 19, 14, 5, 6, tzinfo=UTC)
HEALTHY = datetime(2024, 11, 19, 14, 6, 41, tzinfo=UTC)
RPM = 600
SAMPLE_RATE = 0.05
OLD_RS, NEW_RS = "7b4d9c6f58", "5c8f6d7b9d"
# pod -> (created, serving from, serving until, pod ip)
PODS = {
    f"cart-api-{OLD_RS}-gx2lp": (datetime(2024, 11, 12, 10, 2, 31, tzinfo=UTC), None, datetime(2024, 11, 19, 14, 5, 32, tzinfo=UTC), "10.42.1.41"),
    f"cart-api-{OLD_RS}-r8kqz": (datetime(2024, 11, 12, 10, 3, 2, tzinfo=UTC), None, datetime(2024, 11, 19, 14, 6, 5, tzinfo=UTC), "10.42.2.118"),
    f"cart-api-{OLD_RS}-vw5jn": (datetime(2024, 11, 12, 10, 3, 36, tzinfo=UTC), None, datetime(2024, 11, 19, 14, 6, 39, tzinfo=UTC), "10.42.3.27"),
    f"cart-api-{NEW_RS}-2mhtx": (datetime(2024, 11, 19, 14, 5, 8, tzinfo=UTC), datetime(2024, 11, 19, 14, 5, 31, tzinfo=UTC), None, "10.42.3.54"),
    f"cart-api-{NEW_RS}-k7pwc": (datetime(2024, 11, 19, 14, 5, 33, tzinfo=UTC), datetime(2024, 11, 19, 14, 6, 4, tzinfo=UTC), None, "10.42.1.96"),
    f"cart-api-{NEW_RS}-t9dqs": (datetime(2024, 11, 19, 14, 6, 6, tzinfo=UTC), datetime(2024, 11, 19, 14, 6, 38, tzinfo=UTC), None, "10.42.2.71"),
}
NEW = sorted(p for p in PODS if NEW_RS in p)
# route, method, share, share failing on the new pods (guest carts without a shipping address)
ROUTES = [("/v1/carts/:id", "GET", 0.60, 0.14), ("/v1/carts/:id/lines", "POST", 0.25, 0.12),
          ("/v1/carts/:id/lines/:lineId", "DELETE", 0.05, 0.12), ("/v1/carts", "POST", 0.10, 0.0)]
SHAS = {"v2.2.4": "d17074adf1fcbd952858aeafcb35afb4a7afa2e5", "v2.3.0": "3a6fb35e426c4c83c90bf55c4926af80d113bca6",
        "v2.3.1": "d013871247ebf5c8635d58b8865655916b2a584a"}


def serving(pod, t):
    created, start, stop, _ = PODS[pod]
    return (start or created) <= t and (stop is None or t < stop)


def simulate():
    reqs = []
    t = M_START
    while t < M_END:
        t += timedelta(seconds=rng.expovariate(RPM / 60.0))
        pod = rng.choice(sorted(p for p in PODS if serving(p, t)))
        u = rng.random()
        acc = 0.0
        for route, method, share, fail_new in ROUTES:
            acc += share
            if u < acc:
                break
        rid = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        v = rng.random()
        if pod in NEW and v < fail_new:
            code, why = 500, "tax"
        elif v > 1 - 0.003:
            code, why = (503 if rng.random() < 0.3 else 500), "redis"
        elif route != "/v1/carts" and v > 1 - 0.003 - 0.02:
            code, why = 404, None
        elif route == "/v1/carts":
            code, why = 201, None
        else:
            code, why = 200, None
        secs = 0.004 + rng.lognormvariate(-4.2, 0.5) + (0.05 if why == "redis" else 0)
        reqs.append((t, pod, route, method, code, secs, rid, why))
    return reqs


def sampled(rid):
    h = int.from_bytes(hashlib.sha1(rid.encode()).digest()[:4], "big")
    return h / 0xFFFFFFFF < SAMPLE_RATE


def url(route, rid):
    cart = "c_" + hashlib.md5(rid.encode()).hexdigest()[:20]
    return route.replace(":id", cart).replace(":lineId", "l_" + rid[:8])


def write_logs(reqs):
    out = HERE / "logs" / "cart-api"
    out.mkdir(parents=True, exist_ok=True)
    lines = {p: [] for p in PODS}

    def emit(pod, t, rec):
        if L_START <= t < L_END:
            base = {"level": rec.pop("level"), "time": int(t.timestamp() * 1000), "pid": 1, "hostname": pod}
            base.update(rec)
            lines[pod].append((t, json.dumps(base, separators=(",", ":"))))

    for pod in NEW:
        t0 = PODS[pod][0] + timedelta(seconds=4, milliseconds=rng.randrange(1000))
        emit(pod, t0, {"level": 30, "msg": "cart-api 2.3.1 starting (node v20.18.0)"})
        emit(pod, t0 + timedelta(milliseconds=120), {"level": 30, "msg": "request logging sampled at LOG_SAMPLE_RATE=0.05"})
        emit(pod, t0 + timedelta(milliseconds=260), {"level": 30, "msg": "redis connected (cart-redis.shop.svc:6379)"})
        emit(pod, t0 + timedelta(milliseconds=270), {"level": 30, "msg": "listening on :3000"})
    for pod, (_, _, stop, _) in PODS.items():
        if stop:
            emit(pod, stop - timedelta(milliseconds=150), {"level": 30, "msg": "SIGTERM received, closing server"})
    for (t, pod, route, method, code, secs, rid, why) in reqs:
        done = t + timedelta(seconds=secs)
        ip = f"::ffff:10.42.{int(rid[:2], 16) % 4}.{int(rid[2:4], 16) % 200 + 20}"
        req = {"id": rid, "method": method, "url": url(route, rid), "remoteAddress": ip}
        if why == "tax":
            stack = ("TypeError: Cannot destructure property 'country' of 'cart.shippingAddress' as it is undefined.\n"
                     "    at taxRateFor (/app/src/totals.js:4:11)\n    at computeTotals (/app/src/totals.js:15:40)\n"
                     "    at /app/src/routes/carts.js:38:22\n    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)")
            emit(pod, done - timedelta(milliseconds=1), {"level": 50, "req": req, "err": {
                "type": "TypeError", "message": "Cannot destructure property 'country' of 'cart.shippingAddress' as it is undefined.",
                "stack": stack}, "msg": "unhandled error"})
        elif why == "redis":
            emit(pod, done - timedelta(milliseconds=1), {"level": 50, "req": req, "err": {
                "type": "Error", "message": "Command timed out",
                "stack": "Error: Command timed out\n    at Timeout._onTimeout (/app/node_modules/ioredis/built/Redis.js:336:33)\n    at listOnTimeout (node:internal/timers:594:17)"},
                "msg": "unhandled error"})
        if not sampled(rid):
            continue
        rec = {"level": 30, "req": req, "res": {"statusCode": code}, "responseTime": max(1, int(secs * 1000)), "msg": "request completed"}
        if code >= 500:
            rec = {"level": 50, "req": req, "res": {"statusCode": code},
                   "err": {"type": "Error", "message": f"failed with status code {code}",
                           "stack": f"Error: failed with status code {code}\n    at onResFinished (/app/node_modules/pino-http/logger.js:115:39)"},
                   "responseTime": max(1, int(secs * 1000)), "msg": "request errored"}
        emit(pod, done, rec)
    for pod, ls in lines.items():
        ls.sort(key=lambda x: x[0])
        (out / f"{pod}.log").write_text("".join(l + "\n" for _, l in ls))
    return lines


def labels(d):
    return "{" + ",".join(f'{k}="{v}"' for k, v in d.items()) + "}"


def write_metrics(reqs):
    fams = {}

    def add(fam, typ, hlp, name, lab, ts, val):
        fams.setdefault(fam, (typ, hlp, {}))[2].setdefault((name, tuple(lab.items())), []).append((ts, val))

    by_pod = {p: sorted((r for r in reqs if r[1] == p), key=lambda r: r[0] + timedelta(seconds=r[5])) for p in PODS}
    for pod in sorted(PODS):
        created, start, stop, ip = PODS[pod]
        tgt = {"container": "cart-api", "endpoint": "http", "instance": f"{ip}:3000", "job": "cart-api",
               "namespace": "shop", "pod": pod, "service": "cart-api"}
        counts = {}
        i, rs = 0, by_pod[pod]
        t = M_START + timedelta(seconds=23.518 + int(hashlib.md5(pod.encode()).hexdigest(), 16) % 30)
        first = max(created + timedelta(seconds=5), M_START)
        while t < M_END:
            if t >= first and (stop is None or t < stop):
                while i < len(rs) and rs[i][0] + timedelta(seconds=rs[i][5]) <= t:
                    _, _, route, method, code, _, _, _ = rs[i]
                    counts[(str(code), route, method)] = counts.get((str(code), route, method), 0) + 1
                    i += 1
                for (code, route, method), n in sorted(counts.items()):
                    add("http_requests", "counter", "Total number of HTTP requests", "http_requests_total",
                        {"code": code, "handler": route, "method": method, **tgt}, t, n)
            t += timedelta(minutes=1)
    ksm = {"container": "kube-state-metrics", "endpoint": "http", "instance": "10.42.0.9:8080", "job": "kube-state-metrics",
           "pod": "kube-state-metrics-6d5f8b7c4-qrx7n", "service": "kube-state-metrics"}
    t = M_START + timedelta(seconds=41.907)
    while t < M_END:
        for dep, gen in (("cart-api", 18 if t >= SYNC else 17), ("checkout-web", 44), ("cart-redis-exporter", 3)):
            add("kube_deployment_status_observed_generation", "gauge", "The generation observed by the deployment controller.",
                "kube_deployment_status_observed_generation", {**ksm, "deployment": dep, "namespace": "shop"}, t, gen)
        t += timedelta(minutes=1)
    with open(HERE / "metrics.om", "w") as f:
        for fam, (typ, hlp, series) in fams.items():
            f.write(f"# HELP {fam} {hlp}\n# TYPE {fam} {typ}\n")
            for (name, lab), samples in series.items():
                for ts, v in samples:
                    f.write(f"{name}{labels(dict(lab))} {v} {ts.timestamp():.3f}\n")
        f.write("# EOF\n")


def write_argocd():
    src = lambda tag: {"path": "services/cart-api/deploy", "repoURL": "https://github.com/example/shop.git", "targetRevision": tag}
    app = {
        "apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
        "metadata": {"name": "cart-api", "namespace": "argocd", "creationTimestamp": "2024-03-04T09:12:55Z",
                     "generation": 311, "resourceVersion": "98812731", "uid": "5d0c9a41-7e2b-4f6a-9c1d-2b8e6f3a7c10"},
        "spec": {"destination": {"namespace": "shop", "server": "https://kubernetes.default.svc"}, "project": "shop",
                 "source": src("cart-api-v2.3.1"), "syncPolicy": {"syncOptions": ["CreateNamespace=false"]}},
        "status": {
            "health": {"status": "Healthy"},
            "history": [
                {"deployStartedAt": "2024-10-28T11:40:12Z", "deployedAt": "2024-10-28T11:41:47Z", "id": 40,
                 "revision": SHAS["v2.2.4"], "source": src("d17074adf1fcbd952858aeafcb35afb4a7afa2e5")},
                {"deployStartedAt": "2024-11-12T10:02:24Z", "deployedAt": "2024-11-12T10:03:58Z", "id": 41,
                 "revision": SHAS["v2.3.0"], "source": src("cart-api-v2.3.0")},
                {"deployStartedAt": "2024-11-19T14:05:06Z", "deployedAt": "2024-11-19T14:06:41Z", "id": 42,
                 "revision": SHAS["v2.3.1"], "source": src("cart-api-v2.3.1")},
            ],
            "operationState": {"finishedAt": "2024-11-19T14:06:41Z", "message": "successfully synced (all tasks run)",
                               "operation": {"initiatedBy": {"username": "oliver@example.com"}, "sync": {"revision": SHAS["v2.3.1"]}},
                               "phase": "Succeeded", "startedAt": "2024-11-19T14:05:06Z",
                               "syncResult": {"revision": SHAS["v2.3.1"], "source": src("cart-api-v2.3.1")}},
            "reconciledAt": "2024-11-19T15:09:12Z",
            "summary": {"images": ["registry.example.com/shop/cart-api:2.3.1"]},
            "sync": {"comparedTo": {"destination": {"namespace": "shop", "server": "https://kubernetes.default.svc"},
                                    "source": src("cart-api-v2.3.1")}, "revision": SHAS["v2.3.1"], "status": "Synced"},
        },
    }
    (HERE / "argocd-cart-api.json").write_text(json.dumps(app, indent=4) + "\n")


def main():
    reqs = simulate()
    lines = write_logs(reqs)
    write_metrics(reqs)
    write_argocd()
    for name, lo, hi in (("before", M_START, SYNC), ("after", HEALTHY, M_END), ("after, until logs end", HEALTHY, L_END)):
        win = [r for r in reqs if lo <= r[0] < hi]
        err = sum(r[4] >= 500 for r in win)
        print(f"{name}: all requests {len(win)}, 5xx {err} = {err / len(win):.4f}")
    for name, lo, hi in (("sample before", L_START, SYNC), ("sample after", HEALTHY, L_END)):
        win = [r for r in reqs if lo <= r[0] < hi and sampled(r[6])]
        err = sum(r[4] >= 500 for r in win)
        allerr = sum(1 for r in reqs if lo <= r[0] < hi and r[4] >= 500)
        print(f"{name}: sampled request lines {len(win)}, 5xx among them {err} = {err / len(win):.4f}; "
              f"error-handler lines {allerr}; error lines / sampled lines = {(allerr + err) / len(win):.2f}; "
              f"error-handler lines / ({RPM} rpm x minutes) = {allerr / (RPM * (hi - lo).total_seconds() / 60):.4f}")


if __name__ == "__main__":
    main()
