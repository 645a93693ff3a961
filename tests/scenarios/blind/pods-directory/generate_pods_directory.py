"""Generate the /var/log/pods copy for the pods-directory scenario (deterministic, seeded).

Writes pods/<ns>_<pod>_<uid>/<container>/0.log[.<rotation>][.gz] in CRI format and rewrites the
`logs:` block of scenario.yaml between the BEGIN/END markers. Run: python3 generate_pods_directory.py
"""
import gzip
import io
import json
import random
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "pods"
R = random.Random(20240611)
UTC = timezone.utc
DAY_START = datetime(2024, 6, 11, 6, 0, 0, tzinfo=UTC)
COPY_AT = datetime(2024, 6, 11, 10, 32, 0, tzinfo=UTC)
ORDERS_ONSET = datetime(2024, 6, 11, 10, 5, 48, 412037, tzinfo=UTC)
ALNUM = "bcdfghjklmnpqrstvwxz2456789"


def rid(n):
    return "".join(R.choice(ALNUM) for _ in range(n))


def uid():
    return str(uuid.UUID(int=R.getrandbits(128), version=4))


def cri(ts, stream, text):
    ns = R.randrange(0, 1000)
    return f"{ts.strftime('%Y-%m-%dT%H:%M:%S')}.{ts.microsecond:06d}{ns:03d}Z {stream} F {text}\n"


def poisson_times(start, end, per_minute, rng):
    t = start
    while True:
        t = t + timedelta(seconds=rng.expovariate(per_minute / 60.0))
        if t >= end:
            return
        yield t


def write_rotated(pod_dir, container, lines, rotations, gz_before=None):
    """lines: list of (ts, text). rotations: sorted datetimes at which kubelet rotated 0.log."""
    d = OUT / pod_dir / container
    d.mkdir(parents=True, exist_ok=True)
    cuts = list(rotations) + [None]
    chunk_start = 0
    files = []
    for cut in cuts:
        chunk = [l for (ts, l) in lines if (cut is None or ts < cut)][chunk_start:]
        chunk_start += len(chunk)
        if cut is None:
            name = "0.log"
        else:
            name = "0.log." + cut.strftime("%Y%m%d-%H%M%S")
        files.append((name, "".join(chunk)))
    # kubelet compresses every rotated file but the newest one
    for i, (name, text) in enumerate(files):
        compress = name != "0.log" and i < len(files) - 2
        if compress:
            buf = io.BytesIO()
            with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0) as g:
                g.write(text.encode())
            (d / (name + ".gz")).write_bytes(buf.getvalue())
        else:
            (d / name).write_text(text)


def orders_pod(pod, started, rng, force_onset=False):
    host = pod
    lines = []

    def pino(ts, level, extra):
        rec = {"level": level, "time": int(ts.timestamp() * 1000), "pid": 1, "hostname": host}
        rec.update(extra)
        return cri(ts, "stdout", json.dumps(rec, separators=(",", ":")))

    t = started
    lines.append((t, pino(t, 30, {"msg": "orders-api 7.2.0 starting", "version": "7.2.0", "node": "v20.14.0"})))
    t += timedelta(milliseconds=640)
    lines.append((t, pino(t, 30, {"pool": {"min": 0, "max": 4}, "msg": "knex pool configured", "client": "pg"})))
    t += timedelta(milliseconds=210)
    lines.append((t, pino(t, 30, {"msg": "Server listening at http://0.0.0.0:8080"})))
    routes = [("GET", "/v1/orders/{id}", 5), ("POST", "/v1/orders", 3), ("GET", "/v1/orders?customer={c}", 2),
              ("GET", "/healthz", 2)]
    weighted = [r for r in routes for _ in range(r[2])]
    times = list(poisson_times(t, COPY_AT, 30, rng))
    if force_onset:
        times = sorted(times + [ORDERS_ONSET])
    for ts in times:
        method, path, _ = rng.choice(weighted)
        if ts == ORDERS_ONSET:
            method, path = "POST", "/v1/orders"
        url = path.replace("{id}", f"ORD-{rng.randrange(400000, 499999)}").replace("{c}", f"C{rng.randrange(10000, 99999)}")
        req_id = f"req-{rng.randrange(16**6):06x}"
        base = {"reqId": req_id, "req": {"method": method, "url": url, "remoteAddress": f"10.0.{rng.randrange(1,6)}.{rng.randrange(2,250)}"}}
        failing = path != "/healthz" and ts >= ORDERS_ONSET and (ts == ORDERS_ONSET or rng.random() < 0.34)
        if failing:
            rt = 5000 + rng.uniform(0.5, 40)
            rec = dict(base)
            rec["res"] = {"statusCode": 503}
            rec["err"] = {"type": "KnexTimeoutError",
                          "message": "Knex: Timeout acquiring a connection. The pool is probably full. Are you missing a .transacting(trx) call?",
                          "stack": "KnexTimeoutError: Knex: Timeout acquiring a connection. The pool is probably full. Are you missing a .transacting(trx) call?\n    at Client_PG.acquireConnection (/app/node_modules/knex/lib/client.js:312:26)\n    at async Runner.ensureConnection (/app/node_modules/knex/lib/execution/runner.js:287:28)\n    at async OrderRepository.findById (/app/src/repositories/orders.js:41:19)",
                          "sql": "select * from \"orders\" where \"id\" = $1"}
            rec["responseTime"] = round(rt, 3)
            rec["msg"] = "request errored"
            lines.append((ts, pino(ts, 50, rec)))
        else:
            status = 201 if method == "POST" else (404 if rng.random() < 0.01 else 200)
            if ts >= ORDERS_ONSET and path != "/healthz":
                rt = rng.uniform(30, 900)
            else:
                rt = rng.uniform(3, 28)
            rec = dict(base)
            rec["res"] = {"statusCode": status}
            rec["responseTime"] = round(rt, 3)
            rec["msg"] = "request completed"
            lines.append((ts, pino(ts, 30, rec)))
        if ts >= ORDERS_ONSET and rng.random() < 0.01:
            lines.append((ts, pino(ts, 40, {"pool": {"used": 4, "free": 0, "pendingAcquires": rng.randrange(6, 40)},
                                            "msg": "db pool saturated"})))
    lines.sort(key=lambda x: x[0])
    return lines


def migrate_lines(started):
    t = started - timedelta(seconds=9)
    out = []
    for msg in ["Using environment: production", "Already up to date"]:
        out.append((t, cri(t, "stdout", msg)))
        t += timedelta(milliseconds=830)
    return out


def billing_pod(pod, rng):
    lines = []
    msgs_info = ["billing.api: GET /v2/invoices/{inv} 200", "billing.erp_sync: pushed invoice {inv} to ERP in {ms} ms",
                 "billing.api: POST /v2/invoices 201", "billing.ledger: posted {n} line items for {inv}"]
    for ts in poisson_times(DAY_START, COPY_AT, 3, rng):
        inv = f"INV-2024-{rng.randrange(100000, 199999)}"
        stamp = ts.strftime("%Y-%m-%d %H:%M:%S") + f",{ts.microsecond // 1000:03d}"
        if rng.random() < 0.045:
            text = (f"{stamp} ERROR billing.erp_sync: Failed to push invoice {inv} to ERP: "
                    f"409 Conflict (duplicate external_id {inv}), will retry in 300s")
            lines.append((ts, cri(ts, "stderr", text)))
        else:
            m = rng.choice(msgs_info).replace("{inv}", inv).replace("{ms}", str(rng.randrange(80, 400))).replace("{n}", str(rng.randrange(1, 9)))
            lines.append((ts, cri(ts, "stderr", f"{stamp} INFO {m}")))
    return lines


def web_pod(pod, rng):
    lines = []
    assets = ["/", "/static/js/app.3f9c1e.js", "/static/css/main.8b21a0.css", "/products/{n}", "/cart",
              "/static/img/logo.svg", "/favicon.ico"]
    uas = ["Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Safari/537.36",
           "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
           "kube-probe/1.29"]
    for ts in poisson_times(DAY_START, COPY_AT, 6, rng):
        path = rng.choice(assets).replace("{n}", str(rng.randrange(1000, 9999)))
        ua = rng.choice(uas)
        status = 304 if path.startswith("/static") and rng.random() < 0.4 else (404 if rng.random() < 0.004 else 200)
        size = 0 if status == 304 else rng.randrange(300, 60000)
        ip = f"10.0.{rng.randrange(1, 6)}.{rng.randrange(2, 250)}"
        text = (f'{ip} - - [{ts.strftime("%d/%b/%Y:%H:%M:%S")} +0000] "GET {path} HTTP/1.1" {status} {size} '
                f'"https://shop.example.com/" "{ua}" "{rng.randrange(80, 220)}.{rng.randrange(0, 255)}.{rng.randrange(0, 255)}.{rng.randrange(1, 254)}"')
        lines.append((ts, cri(ts, "stdout", text)))
    return lines


def reloader_lines(rng):
    t = DAY_START + timedelta(minutes=rng.randrange(0, 30))
    out = []
    while t < COPY_AT:
        stamp = t.strftime("%Y/%m/%d %H:%M:%S")
        out.append((t, cri(t, "stderr", f"{stamp} config-reloader: watching /etc/nginx/conf.d, no change")))
        t += timedelta(minutes=60)
    return out


def main():
    if OUT.exists():
        import shutil
        shutil.rmtree(OUT)
    OUT.mkdir()
    orders_rs = "7c9d5b6f48"
    starts = [datetime(2024, 6, 11, 10, 2, 31, 118000, tzinfo=UTC), datetime(2024, 6, 11, 10, 2, 58, 604000, tzinfo=UTC),
              datetime(2024, 6, 11, 10, 3, 27, 9000, tzinfo=UTC), datetime(2024, 6, 11, 10, 3, 55, 771000, tzinfo=UTC)]
    for i, st in enumerate(starts):
        pod = f"orders-api-{orders_rs}-{rid(5)}"
        pdir = f"shop_{pod}_{uid()}"
        rng = random.Random(f"orders:{i}")
        lines = orders_pod(pod, st, rng, force_onset=(i == 0))
        rot = [datetime(2024, 6, 11, 10, 15, 0 + 10 * i, tzinfo=UTC)] if i < 2 else []
        write_rotated(pdir, "orders-api", lines, rot)
        write_rotated(pdir, "migrate", migrate_lines(st), [])
    billing_rs = "6d8f7b9c5"
    for i in range(4):
        pod = f"billing-api-{billing_rs}-{rid(5)}"
        pdir = f"billing_{pod}_{uid()}"
        rng = random.Random(f"billing:{i}")
        rot = [datetime(2024, 6, 11, 7, 40 + 3 * i, 10 * i, tzinfo=UTC), datetime(2024, 6, 11, 9, 20 + 2 * i, 0, tzinfo=UTC)]
        write_rotated(pdir, "billing-api", billing_pod(pod, rng), rot)
    web_rs = "5b7f9d8c4d"
    for i in range(4):
        pod = f"web-{web_rs}-{rid(5)}"
        pdir = f"shop_{pod}_{uid()}"
        rng = random.Random(f"web:{i}")
        rot = [datetime(2024, 6, 11, 8, 30 + 5 * i, 0, tzinfo=UTC)]
        write_rotated(pdir, "nginx", web_pod(pod, rng), rot)
        write_rotated(pdir, "config-reloader", reloader_lines(rng), [])

    entries = []
    for f in sorted(p for p in OUT.rglob("*") if p.is_file()):
        rel = f.relative_to(HERE).as_posix()
        entries.append(f"  - path: node-logs/{rel}\n    file: {rel}\n")
    y = (HERE / "scenario.yaml").read_text()
    head, rest = y.split("# BEGIN generated logs\n")
    _, tail = rest.split("# END generated logs\n")
    (HERE / "scenario.yaml").write_text(head + "# BEGIN generated logs\n" + "".join(entries) + "# END generated logs\n" + tail)
    print(len(entries), "files")


if __name__ == "__main__":
    main()
