"""Generate the logs of the old-and-new-logs scenario (deterministic, seeded).

ledger-service-2023-11-21.log: a whole day of ledger-service from last year, with its own burst of
serialization failures at 16:41-17:06. access.log and ledger-service.log: today (2024-11-19),
13:30-14:40Z; v4.8.0 rolls out at 14:02:10-14:03:05, pods are OOM-killed from 14:22:37 and nginx
answers 502. Run: python3 generate_old_and_new_logs.py
"""
import random
from datetime import datetime, timedelta, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
UTC = timezone.utc


def poisson(start, end, per_minute, rng):
    t = start
    while True:
        t += timedelta(seconds=rng.expovariate(per_minute / 60.0))
        if t >= end:
            return
        yield t


def logrus(ts, level, msg, **fields):
    stamp = ts.strftime("%Y-%m-%dT%H:%M:%SZ")
    extra = "".join(f" {k}={v}" for k, v in fields.items())
    q = msg.replace('"', '\\"')
    return f'time="{stamp}" level={level} msg="{q}"{extra}\n'


def old_day():
    rng = random.Random("ledger-2023")
    start = datetime(2023, 11, 21, 0, 0, 0, tzinfo=UTC)
    end = start + timedelta(days=1)
    burst = (datetime(2023, 11, 21, 16, 41, 12, tzinfo=UTC), datetime(2023, 11, 21, 17, 6, 40, tzinfo=UTC))
    out = [logrus(start + timedelta(seconds=1), "info", "ledger-service v3.2.1 starting", go="go1.21.3", pod="ledger-service-84c6d9f7b-qz8xk")]
    for ts in poisson(start + timedelta(seconds=2), end, 4, rng):
        acct = f"ACC-{rng.randrange(10000000, 99999999)}"
        if burst[0] <= ts < burst[1] and rng.random() < 0.55:
            err = rng.choice(["pq: could not serialize access due to concurrent update",
                              "pq: could not serialize access due to read/write dependencies among transactions",
                              "pq: deadlock detected"])
            out.append(logrus(ts, "error", "posting failed", account=acct, error=f'"{err}"', attempt=rng.randrange(1, 4)))
        elif rng.random() < 0.002:
            out.append(logrus(ts, "warning", "slow posting", account=acct, duration_ms=rng.randrange(800, 2500)))
        else:
            out.append(logrus(ts, "info", "posting committed", account=acct, batch=f"b-{rng.randrange(16**8):08x}",
                              lines=rng.randrange(2, 12), duration_ms=rng.randrange(4, 40)))
    # the month-end reconciliation job that ran that evening
    out.append(logrus(datetime(2023, 11, 21, 17, 7, 2, tzinfo=UTC), "info", "reconciliation finished", retried=412, failed=0))
    out.sort()
    return out


ONSET = datetime(2024, 11, 19, 14, 22, 37, tzinfo=UTC)


def today():
    rng = random.Random("ledger-2024")
    start = datetime(2024, 11, 19, 13, 30, 0, tzinfo=UTC)
    end = datetime(2024, 11, 19, 14, 40, 0, tzinfo=UTC)
    rollout = [datetime(2024, 11, 19, 14, 2, 10, tzinfo=UTC), datetime(2024, 11, 19, 14, 2, 38, tzinfo=UTC),
               datetime(2024, 11, 19, 14, 3, 5, tzinfo=UTC)]
    pods_new = ["ledger-service-7d94b6c5f8-4kzpt", "ledger-service-7d94b6c5f8-m2x9w", "ledger-service-7d94b6c5f8-sq7hd"]
    oom = {0: [ONSET, datetime(2024, 11, 19, 14, 31, 52, tzinfo=UTC)],
           1: [datetime(2024, 11, 19, 14, 23, 41, tzinfo=UTC), datetime(2024, 11, 19, 14, 33, 9, tzinfo=UTC)],
           2: [datetime(2024, 11, 19, 14, 24, 18, tzinfo=UTC), datetime(2024, 11, 19, 14, 35, 2, tzinfo=UTC)]}
    app = []
    for i, t in enumerate(rollout):
        app.append((t, logrus(t, "info", "ledger-service v4.8.0 starting", go="go1.22.4", pod=pods_new[i])))
        app.append((t + timedelta(seconds=1), logrus(t + timedelta(seconds=1), "info", "listening", addr=":8080")))
        for k in oom[i]:
            r = k + timedelta(seconds=4)
            app.append((r, logrus(r, "info", "ledger-service v4.8.0 starting", go="go1.22.4", pod=pods_new[i], restart_count=oom[i].index(k) + 1)))
            app.append((r + timedelta(seconds=1), logrus(r + timedelta(seconds=1), "info", "listening", addr=":8080")))
    # periodic runtime stats: flat before the deploy, climbing after it (heap in MiB, limit 1024)
    t = start
    while t < end:
        for i, pod in enumerate(pods_new):
            if t < rollout[i]:
                heap = 180 + rng.randrange(-15, 15)
                podname = pod.replace("7d94b6c5f8", "5f8c7d9b46")
            else:
                last = max([rollout[i]] + [k + timedelta(seconds=4) for k in oom[i] if k + timedelta(seconds=4) <= t])
                heap = 170 + int((t - last).total_seconds() * 0.68) + rng.randrange(-10, 10)
                podname = pod
                if any(k - timedelta(seconds=30) <= t < k + timedelta(seconds=4) for k in oom[i]):
                    continue
            app.append((t, logrus(t, "info", "runtime stats", pod=podname, heap_alloc_mb=heap, goroutines=rng.randrange(40, 70),
                                  gc_pause_ms=round(rng.uniform(0.2, 1.5) * (1 + heap / 300), 2))))
        t += timedelta(seconds=60)
    for ts in poisson(start, end, 20, rng):
        acct = f"ACC-{rng.randrange(10000000, 99999999)}"
        if ts >= ONSET and rng.random() < 0.12:
            app.append((ts, logrus(ts, "error", "posting failed", account=acct,
                                   error='"write tcp 10.42.3.17:8080->10.42.0.9:51344: write: broken pipe"')))
        else:
            app.append((ts, logrus(ts, "info", "posting committed", account=acct, batch=f"b-{rng.randrange(16**8):08x}",
                                   lines=rng.randrange(2, 12), duration_ms=rng.randrange(4, 40))))
    app.sort(key=lambda x: x[0])

    access = []
    uas = ["payments-worker/2.14.0", "checkout-api/5.3.1", "Go-http-client/1.1", "reporting-job/1.0"]
    times = sorted(list(poisson(start, end, 60, rng)) + [ONSET])
    for ts in times:
        if rng.random() < 0.55:
            req = f"POST /v1/postings HTTP/1.1"
        else:
            req = f"GET /v1/accounts/ACC-{rng.randrange(10000000, 99999999)}/balance HTTP/1.1"
        ip = f"10.42.{rng.randrange(0, 8)}.{rng.randrange(2, 250)}"
        if ts == ONSET or (ts >= ONSET and rng.random() < 0.27):
            status, size = (502, 157) if rng.random() < 0.85 or ts == ONSET else (504, 167)
            rt = rng.uniform(0.001, 0.05) if status == 502 else 60.0
            urt = f"{rt:.3f}"
        elif rng.random() < 0.002:
            status, size, rt = 500, 41, rng.uniform(0.01, 0.05)
            urt = f"{rt:.3f}"
        else:
            status = 201 if req.startswith("POST") else 200
            size = rng.randrange(90, 400)
            rt = rng.uniform(0.004, 0.045)
            urt = f"{rt:.3f}"
        stamp = ts.strftime("%d/%b/%Y:%H:%M:%S +0000")
        access.append(f'{ip} - - [{stamp}] "{req}" {status} {size} "-" "{rng.choice(uas)}" '
                      f'rt={rt:.3f} uct="0.000" uht="{"-" if status == 502 else urt}" urt="{urt}"\n')
    return [l for _, l in app], access


def main():
    (HERE / "ledger-service-2023-11-21.log").write_text("".join(old_day()))
    app, access = today()
    (HERE / "ledger-service.log").write_text("".join(app))
    (HERE / "access.log").write_text("".join(access))


if __name__ == "__main__":
    main()
