"""Logs of the mysql-slow-listing scenario (2024-07-09, 13:00-14:30 UTC, namespace catalog).

- logs/catalog-api.log: catalog-api's stdout from all its pods (structlog's logfmt renderer, one
  "request finished" line per request with status= and duration_ms=). v3.1.0 rolls 13:42:10-13:43:40;
  from its pods on, GET /v1/categories/{slug}/products runs a query that ORs a LIKE '%slug%' onto the
  indexed category_id filter: full scans, ~2 s at the median instead of ~30 ms.
- logs/api-gateway/access.log: the edge nginx in front (combined + $request_time
  $upstream_response_time); proxy_read_timeout 5s turns the slowest listings into 504s.
- logs/mysql/catalog-mysql-slow.log: MySQL 8.0's slow query log (long_query_time = 1).
Seeded; byte-identical on every run. Run: python3 generate_mysql_slow_listing.py
"""
import math
import random
from datetime import datetime, timedelta, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
UTC = timezone.utc
rng = random.Random(709)

START = datetime(2024, 7, 9, 13, 0, tzinfo=UTC)
END = datetime(2024, 7, 9, 14, 30, tzinfo=UTC)
DEPLOY = datetime(2024, 7, 9, 13, 42, 10, tzinfo=UTC)


def at(h, m, s=0, us=0):
    return datetime(2024, 7, 9, h, m, s, us, tzinfo=UTC)


# pod -> (version, ready, stopped)
PODS = {
    "catalog-api-6f7d8c9b5-2lq8x": ("3.0.4", None, at(13, 42, 58)),
    "catalog-api-6f7d8c9b5-p9kzr": ("3.0.4", None, at(13, 43, 41)),
    "catalog-api-79b5c6d4f8-wx4nh": ("3.1.0", at(13, 42, 31), None),
    "catalog-api-79b5c6d4f8-f6tjd": ("3.1.0", at(13, 43, 16), None),
}
CATEGORIES = [("running-shoes", 412), ("trail-shoes", 413), ("rain-jackets", 230), ("backpacks", 118),
              ("tents", 121), ("headlamps", 144), ("base-layers", 236), ("kids-boots", 507)]
AGENTS = ["Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36",
          "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
          "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36",
          "okhttp/4.12.0"]
COLS = ("products.id, products.sku, products.name, products.price_cents, products.currency, "
        "products.image_url, products.created_at")


def serving(pod, t):
    _, ready, stopped = PODS[pod]
    return (ready is None or ready <= t) and (stopped is None or t < stopped)


def iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def lf(t, level, event, **kv):
    parts = [f"timestamp={iso(t)}", f"level={level}", f'event="{event}"' if " " in event else f"event={event}"]
    for k, v in kv.items():
        v = str(v)
        parts.append(f'{k}="{v}"' if (" " in v or "=" in v or '"' in v) else f"{k}={v}")
    return (t, " ".join(parts))


def slow_entry(t_end, secs, conn, user, ip, sql, sent, examined, lock):
    start = t_end - timedelta(seconds=secs)
    return (t_end, f"# Time: {t_end.strftime('%Y-%m-%dT%H:%M:%S.%fZ')}\n"
                   f"# User@Host: {user}[{user}] @  [{ip}]  Id: {conn:>6}\n"
                   f"# Query_time: {secs:.6f}  Lock_time: {lock:.6f} Rows_sent: {sent}  Rows_examined: {examined}\n"
                   f"SET timestamp={int(start.timestamp())};\n{sql}")


def main():
    app, edge, slow = [], [], []
    for pod, (version, ready, stopped) in PODS.items():
        if ready:
            t0 = ready - timedelta(seconds=9, microseconds=rng.randrange(10**6))
            app.append(lf(t0, "info", "starting catalog-api", version=version, workers=4, pod=pod))
            app.append(lf(t0 + timedelta(milliseconds=212), "info", "database pool ready", host="catalog-mysql.catalog.svc", pool_size=10))
            app.append(lf(t0 + timedelta(milliseconds=230), "info", "Application startup complete.", pod=pod))
        if stopped:
            app.append(lf(stopped - timedelta(seconds=1), "info", "Shutting down", pod=pod))
    conn_ids = {p: 81200 + i * 37 for i, p in enumerate(PODS)}
    stats = {"before": [], "after": [], "504": 0}
    t = START
    while t < END:
        t += timedelta(seconds=rng.expovariate(70 / 60.0))
        pod = rng.choice(sorted(p for p in PODS if serving(p, t)))
        new = PODS[pod][0] == "3.1.0"
        u = rng.random()
        slug, cid = rng.choice(CATEGORIES)
        page = rng.choice([1, 1, 1, 2, 3])
        if u < 0.45:
            path = f"/v1/categories/{slug}/products?page={page}"
            if new:
                secs = 2.0 * math.exp(rng.gauss(0, 0.35))
                examined = 2_400_000 + rng.randrange(0, 90_000)
                where = (f"(products.category_id = {cid} OR products.category_path LIKE concat('%', '{slug}', '%')) "
                         f"AND products.is_active = 1")
            else:
                secs = 0.030 * math.exp(rng.gauss(0, 0.4))
                examined = rng.randrange(300, 4000)
                where = f"products.category_id = {cid} AND products.is_active = 1"
            sql = (f"SELECT {COLS} \nFROM products \nWHERE {where} ORDER BY products.created_at DESC \n"
                   f" LIMIT {(page - 1) * 24}, 24;")
            db_secs = max(secs - 0.006, 0.001)
            if db_secs >= 1.0:
                conn_ids[pod] += rng.randrange(1, 3)
                slow.append(slow_entry(t + timedelta(seconds=db_secs), db_secs, conn_ids[pod], "catalog",
                                       f"10.44.{1 + sum(map(ord, pod)) % 3}.{20 + sum(map(ord, pod)) % 200}",
                                       sql, 24, examined, 0.000004 + rng.random() * 0.00001))
            status = 200
        elif u < 0.85:
            path = f"/v1/products/{rng.randrange(100000, 2500000)}"
            secs = 0.011 * math.exp(rng.gauss(0, 0.4))
            status = 404 if rng.random() < 0.02 else 200
        else:
            path = "/v1/categories"
            secs = 0.004 * math.exp(rng.gauss(0, 0.3))
            status = 200
        if status == 200 and rng.random() < 0.002:
            status, secs = 500, secs + 0.01
            app.append(lf(t + timedelta(seconds=secs), "error", "unhandled exception", path=path.split("?")[0],
                          exc_info="sqlalchemy.exc.OperationalError: (pymysql.err.OperationalError) (2013, 'Lost connection to MySQL server during query')"))
        done = t + timedelta(seconds=secs)
        app.append(lf(done, "info", "request finished", method="GET", path=path, status=status,
                      duration_ms=f"{secs * 1000:.1f}", request_id=f"{rng.getrandbits(64):016x}"))
        key = "before" if t < DEPLOY else ("after" if t >= DEPLOY + timedelta(minutes=2) else None)
        if key:
            stats[key].append(secs)
        # the edge
        client = f"{rng.choice([81, 88, 93, 176])}.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
        if secs > 5.0:
            est, size, rt, urt = 504, 160, 5.001, "5.000"
            stats["504"] += 1
        else:
            est, size, rt, urt = status, rng.randrange(300, 18000) if status == 200 else 120, secs + 0.002, f"{secs:.3f}"
        edge.append((t + timedelta(seconds=rt), f'{client} - - [{(t + timedelta(seconds=rt)).strftime("%d/%b/%Y:%H:%M:%S +0000")}] '
                     f'"GET {path} HTTP/1.1" {est} {size} "https://www.trailkit.example/" "{rng.choice(AGENTS)}" {rt:.3f} {urt}'))
    # cart-api traffic through the same edge, with its own rare 502s
    t = START
    while t < END:
        t += timedelta(seconds=rng.expovariate(20 / 60.0))
        secs = 0.025 * math.exp(rng.gauss(0, 0.4))
        st = 502 if rng.random() < 0.003 else 200
        meth, p = rng.choice([("GET", "/v1/cart"), ("GET", "/v1/cart"), ("POST", "/v1/cart/items")])
        client = f"{rng.choice([81, 88, 93, 176])}.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
        edge.append((t + timedelta(seconds=secs), f'{client} - - [{(t + timedelta(seconds=secs)).strftime("%d/%b/%Y:%H:%M:%S +0000")}] '
                     f'"{meth} {p} HTTP/1.1" {st} {rng.randrange(200, 3000)} "https://www.trailkit.example/cart" "{rng.choice(AGENTS)}" {secs:.3f} {secs - 0.001:.3f}'))
    # baseline slow queries: the sitemap job and a reporting user
    for m in (3, 18, 33, 48, 63, 78):
        te = START + timedelta(minutes=m, seconds=rng.randrange(60), microseconds=rng.randrange(10**6))
        q = rng.uniform(1.05, 1.6)
        slow.append(slow_entry(te, q, 90211 + m, "sitemap", "10.44.3.71",
                               "SELECT products.id, products.slug, products.updated_at \nFROM products \n"
                               "WHERE products.is_active = 1 ORDER BY products.id \n LIMIT 50000, 50000;",
                               50000, 100000, 0.000011))
    te = at(13, 15, 41, 220911)
    slow.append(slow_entry(te, 4.418822, 77310, "reporting", "10.44.9.12",
                           "SELECT price_history.product_id, min(price_history.price_cents), max(price_history.price_cents) \n"
                           "FROM price_history WHERE price_history.valid_from >= '2024-06-09' GROUP BY price_history.product_id;",
                           18_204, 1_912_334, 0.000009))
    out = HERE / "logs"
    (out / "api-gateway").mkdir(parents=True, exist_ok=True)
    (out / "mysql").mkdir(parents=True, exist_ok=True)
    app.sort(key=lambda x: x[0])
    edge.sort(key=lambda x: x[0])
    slow.sort(key=lambda x: x[0])
    (out / "catalog-api.log").write_text("".join(l + "\n" for _, l in app))
    (out / "api-gateway" / "access.log").write_text("".join(l + "\n" for _, l in edge))
    head = ("/usr/sbin/mysqld, Version: 8.0.37 (MySQL Community Server - GPL). started with:\n"
            "Tcp port: 3306  Unix socket: /var/run/mysqld/mysqld.sock\n"
            "Time                 Id Command    Argument\n"
            "# Time: 2024-07-09T12:58:02.118730Z\n# User@Host: catalog[catalog] @  [10.44.2.31]  Id: 81177\n"
            "# Query_time: 1.031882  Lock_time: 0.000006 Rows_sent: 1  Rows_examined: 2401133\n"
            "use catalog;\nSET timestamp=1720529881;\nSELECT count(*) AS count_1 \nFROM products;\n")
    (out / "mysql" / "catalog-mysql-slow.log").write_text(head + "".join(l + "\n" for _, l in slow))

    def p95(xs):
        xs = sorted(xs)
        return xs[int(0.95 * (len(xs) - 1))]
    print(f"catalog-api p95 before {p95(stats['before']):.3f} s ({len(stats['before'])}), "
          f"after {p95(stats['after']):.3f} s ({len(stats['after'])}); 504s at the edge: {stats['504']}")


if __name__ == "__main__":
    main()
