"""Generate the logs of the saturation-with-docs-deploy scenario (deterministic, seeded).

thumbnailer.log: Go log/slog text lines of the six thumbnailer pods (shipped to one file);
access.log: the upload gateway's nginx access log for /v1/thumbnails. Normal traffic is ~40
requests a minute; the autumn upload campaign starts at 09:00:00Z and brings ~160 a minute. The
six pods (8 workers each, 1 CPU) saturate: queue depth warnings from 09:03, the first timeout /
"worker pool exhausted" at 09:05:12Z, nginx 503/504s. Run: python3 generate_saturation_with_docs_deploy.py
"""
import random
from datetime import datetime, timedelta, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
UTC = timezone.utc
START = datetime(2024, 10, 2, 8, 20, 0, tzinfo=UTC)
END = datetime(2024, 10, 2, 9, 35, 0, tzinfo=UTC)
CAMPAIGN = datetime(2024, 10, 2, 9, 0, 0, tzinfo=UTC)
ONSET = datetime(2024, 10, 2, 9, 5, 12, 418000, tzinfo=UTC)
DEPLOY = [datetime(2024, 10, 2, 8, 50, 31, tzinfo=UTC) + timedelta(seconds=14 * i) for i in range(6)]
PODS_OLD = [f"thumbnailer-5c7b9d6f84-{s}" for s in ["2hq7x", "8kzlm", "c4wnp", "jr6tv", "p9xbd", "wm3sf"]]
PODS_NEW = [f"thumbnailer-68d4f7c9b5-{s}" for s in ["4xg2k", "9fqzn", "bk7wd", "hs2mc", "n5rtl", "v8jpx"]]


def slog(ts, level, msg, **kv):
    stamp = ts.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ts.microsecond // 1000:03d}Z"
    parts = [f"time={stamp}", f"level={level}", f'msg="{msg}"' if " " in msg else f"msg={msg}"]
    for k, v in kv.items():
        v = str(v)
        parts.append(f'{k}="{v}"' if " " in v else f"{k}={v}")
    return " ".join(parts) + "\n"


def rate(ts):
    if ts < CAMPAIGN:
        return 40.0
    ramp = min(1.0, (ts - CAMPAIGN).total_seconds() / 120.0)
    return 40.0 + 120.0 * ramp


def pod_at(i, ts):
    return PODS_NEW[i] if ts >= DEPLOY[i] else PODS_OLD[i]


def main():
    rng = random.Random(20241002)
    app, access = [], []
    for i, t in enumerate(DEPLOY):
        app.append((t - timedelta(seconds=2), slog(t - timedelta(seconds=2), "INFO", "shutting down", pod=PODS_OLD[i], drained_jobs=rng.randrange(0, 4))))
        app.append((t, slog(t, "INFO", "starting thumbnailer", version="v3.3.1", go="go1.23.1", pod=PODS_NEW[i], workers=8, queue_capacity=2000)))
    # arrivals: thinning of a 170/min Poisson stream down to the rate at each moment
    t = START
    onset_done = False
    while True:
        t += timedelta(seconds=rng.expovariate(170 / 60.0))
        if t >= END:
            break
        if not onset_done and t >= ONSET:
            t, onset_done = ONSET, True
            forced = True
        else:
            forced = False
            if rng.random() > rate(t) / 170.0:
                continue
        i = rng.randrange(6)
        pod = pod_at(i, t)
        key = f"uploads/2024/10/02/{rng.getrandbits(64):016x}.jpg"
        load = 0.0 if t < CAMPAIGN else min(1.0, (t - CAMPAIGN).total_seconds() / 300.0)
        p_fail = 0.0 if t < ONSET else 0.18 + 0.1 * load
        ip = f"10.20.{rng.randrange(0, 4)}.{rng.randrange(2, 250)}"
        ua = rng.choice(["upload-api/4.2.0", "upload-api/4.2.0", "media-backfill/0.9.1"])
        if forced or rng.random() < p_fail:
            if forced or rng.random() < 0.6:
                status, rt = 503, rng.uniform(0.002, 0.02)
                app.append((t, slog(t, "ERROR", "worker pool exhausted", pod=pod, pool="resize", busy=8, size=8,
                                    queued=rng.randrange(1800, 2000), key=key)))
            else:
                status, rt = 504, 30.0
                app.append((t, slog(t, "ERROR", "resize timed out", pod=pod, key=key, timeout="30s",
                                    err="context deadline exceeded")))
        elif rng.random() < 0.005:
            status, rt = 415, rng.uniform(0.005, 0.02)
            app.append((t, slog(t, "ERROR", "decode failed", pod=pod, key=key, err="image: unknown format")))
        else:
            if t < CAMPAIGN:
                took = rng.randrange(180, 420)
            else:
                took = int(rng.randrange(180, 420) * (1 + 5 * load))
            status, rt = 202, rng.uniform(0.01, 0.04) + (0 if t < CAMPAIGN else load * rng.uniform(0.2, 2.5))
            app.append((t, slog(t, "INFO", "thumbnail generated", pod=pod, key=key, sizes="160,480,1080", took_ms=took)))
        size = {202: 61, 415: 52, 503: 48, 504: 167}[status]
        access.append(f'{ip} - - [{t.strftime("%d/%b/%Y:%H:%M:%S +0000")}] "POST /v1/thumbnails HTTP/1.1" {status} {size} '
                      f'"-" "{ua}" rt={rt:.3f} urt="{rt:.3f}"\n')
    # per-pod gauges every 30 s: CPU in millicores against a 1000m limit, queue depth
    g = START
    while g < END:
        load = 0.0 if g < CAMPAIGN else min(1.0, (g - CAMPAIGN).total_seconds() / 300.0)
        for i in range(6):
            ts = g + timedelta(milliseconds=137 * i + rng.randrange(0, 90))
            cpu = int(min(1000, 230 + rng.randrange(-40, 40) + 770 * load + (rng.randrange(0, 30) if load else 0)))
            depth = int(rng.randrange(0, 6) + 1990 * load ** 1.5) if load else rng.randrange(0, 6)
            app.append((ts, slog(ts, "INFO", "resource usage", pod=pod_at(i, ts), cpu_millicores=cpu, cpu_limit_millicores=1000,
                                 workers_busy=min(8, 1 + int(7 * load + rng.random())), workers=8)))
            if depth > 500:
                app.append((ts, slog(ts, "WARN", "queue depth above threshold", pod=pod_at(i, ts), queue="resize",
                                     depth=min(depth, 2000), threshold=500)))
            else:
                app.append((ts, slog(ts, "INFO", "queue depth", pod=pod_at(i, ts), queue="resize", depth=depth)))
        g += timedelta(seconds=30)
    app.sort(key=lambda x: x[0])
    (HERE / "thumbnailer.log").write_text("".join(l for _, l in app))
    (HERE / "access.log").write_text("".join(access))


if __name__ == "__main__":
    main()
