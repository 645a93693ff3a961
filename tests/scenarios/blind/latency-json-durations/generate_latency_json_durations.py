"""Generate the log of the latency-json-durations scenario (deterministic, seeded).

inventory-api.log: zap JSON lines (ISO-8601 `ts`) of the three inventory-api pods as shipped to one
file: one `request` line per HTTP request with status and duration_ms, plus startup and DB pool
lines. v5.0.2 rolls out 11:18:31-11:21:04Z; from 11:19:57.5Z (the first new pod Ready; its first listing is logged at 11:20:00.041Z) the warehouse
listing runs without its LIMIT and takes ~2.5 s; nothing fails more than before.
Run: python3 generate_latency_json_durations.py
"""
import json
import math
import random
from datetime import datetime, timedelta, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
UTC = timezone.utc
START = datetime(2024, 7, 16, 10, 50, 0, tzinfo=UTC)
END = datetime(2024, 7, 16, 11, 50, 0, tzinfo=UTC)
OLD = ["inventory-api-6f9b8d7c4d-7kq2x", "inventory-api-6f9b8d7c4d-d8wzm", "inventory-api-6f9b8d7c4d-rt5nv"]
NEW = ["inventory-api-7b5c9f6d88-2mxlp", "inventory-api-7b5c9f6d88-h9vqs", "inventory-api-7b5c9f6d88-x4tzb"]
READY = [datetime(2024, 7, 16, 11, 19, 57, 500000, tzinfo=UTC), datetime(2024, 7, 16, 11, 20, 31, tzinfo=UTC),
         datetime(2024, 7, 16, 11, 21, 4, tzinfo=UTC)]
WAREHOUSES = ["AMS1", "AMS2", "FRA1", "WAW1", "MAD1"]


def line(ts, **kv):
    rec = {"level": kv.pop("level", "info"), "ts": ts.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ts.microsecond // 1000:03d}Z"}
    rec.update(kv)
    return json.dumps(rec, separators=(",", ":")) + "\n"


def main():
    rng = random.Random(716)
    out = []
    for i, r in enumerate(READY):
        s = r - timedelta(seconds=6.2)
        out.append((s, line(s, logger="main", caller="cmd/inventory-api/main.go:44", msg="starting inventory-api",
                            version="v5.0.2", go="go1.22.5", pod=NEW[i])))
        s2 = s + timedelta(seconds=0.4)
        out.append((s2, line(s2, logger="db", caller="internal/store/pg.go:31", msg="database pool ready",
                             max_conns=20, query_timeout="30s", pod=NEW[i])))
        s3 = r + timedelta(seconds=2)
        out.append((s3, line(s3, logger="main", caller="cmd/inventory-api/main.go:71", msg="shutdown complete",
                             pod=OLD[i], inflight=0)))
    routes = [("GET", "/v1/items", 4), ("GET", "/v1/items/{sku}", 4), ("GET", "/v1/stock/{sku}", 3), ("POST", "/v1/reservations", 1),
              ("GET", "/healthz", 1)]
    weighted = [r for r in routes for _ in range(r[2])]
    t = START
    first_slow = True
    while True:
        t += timedelta(seconds=rng.expovariate(120 / 60.0))
        if t >= END:
            break
        if first_slow and t >= READY[0]:
            # the first request the first new pod serves is a listing
            t, first_slow = READY[0] + timedelta(milliseconds=59), False
            method, path = "GET", "/v1/items"
            i = 0
        else:
            method, path, _ = rng.choice(weighted)
            i = rng.randrange(3)
        new = t >= READY[i]
        pod = NEW[i] if new else OLD[i]
        sku = f"SKU-{rng.randrange(100000, 999999)}"
        query = ""
        if path == "/v1/items":
            query = f"warehouse={rng.choice(WAREHOUSES)}&page={rng.randrange(1, 6)}"
        path = path.replace("{sku}", sku)
        status = 200 if method == "GET" else 201
        if path == "/healthz":
            dur, size = rng.uniform(0.2, 0.9), 2
        elif path == "/v1/items" and new:
            dur = 2482.6 if t == READY[0] + timedelta(milliseconds=59) else math.exp(rng.gauss(math.log(2100), 0.18))
            size = rng.randrange(5_200_000, 7_900_000)
        elif path == "/v1/items":
            dur = math.exp(rng.gauss(math.log(31), 0.25))
            size = rng.randrange(14_000, 22_000)
        else:
            dur = math.exp(rng.gauss(math.log(9), 0.4)) * (1.15 if new else 1.0)
            size = rng.randrange(300, 1400)
        level = "info"
        if path != "/healthz" and rng.random() < 0.003:
            status, level, size = 503, "error", 61
            dur = rng.uniform(1, 5)
        elif path.startswith("/v1/items/") and rng.random() < 0.01:
            status, size = 404, 44
        rec = dict(logger="http", caller="internal/httpx/log.go:58", msg="request", method=method, path=path)
        if query:
            rec["query"] = query
        rec.update(status=status, duration_ms=round(dur, 1), bytes=size, request_id=f"{rng.getrandbits(64):016x}",
                   remote_ip=f"10.30.{rng.randrange(0, 4)}.{rng.randrange(2, 250)}", pod=pod)
        if status == 503:
            rec["error"] = "pq: sorry, too many clients already"
        done = t + timedelta(milliseconds=dur)  # the middleware logs when the response is written
        out.append((done, line(done, level=level, **rec)))
    out.sort(key=lambda x: x[0])
    (HERE / "inventory-api.log").write_text("".join(l for _, l in out))


if __name__ == "__main__":
    main()
