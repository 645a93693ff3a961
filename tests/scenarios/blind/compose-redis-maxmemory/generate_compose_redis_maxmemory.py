"""What the on-call pasted from `docker compose logs` on the shop's single host (2024-06-11, UTC).

Each line carries compose's prefix (`api-1     | `, `redis-1   | `, `worker-1  | `) and, inside it, the
service's own layout: redis 7.2's `pid:role dd Mon yyyy hh:mm:ss.mmm <level>` lines, the Node api's
pino JSON (epoch-ms `time`, numeric `level`), the worker's Celery lines. The api container was recreated
at 08:35 (a release of the api), redis at 09:47:52 (the compose change to --maxmemory 256mb): compose
only shows the current containers' logs, so redis starts with its banner and the api with its startup.
Redis loads a 171 MB dataset and fills to 256 MB with carts and sessions; from 10:11 on every write
fails with "OOM command not allowed when used memory > 'maxmemory'." (noeviction).
Seeded; byte-identical on every run. Run: python3 generate_compose_redis_maxmemory.py
"""
import json
import random
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
UTC = timezone.utc
rng = random.Random(1106)

API_START = datetime(2024, 6, 11, 8, 35, 12, 402000, tzinfo=UTC)
REDIS_START = datetime(2024, 6, 11, 9, 47, 52, 614000, tzinfo=UTC)
FULL = datetime(2024, 6, 11, 10, 11, 37, 0, tzinfo=UTC)
END = datetime(2024, 6, 11, 10, 19, 30, tzinfo=UTC)
LOG_START = datetime(2024, 6, 11, 8, 0, tzinfo=UTC)
OOM = "OOM command not allowed when used memory > 'maxmemory'."
HOST = "4f2a9c1b7e3d"
CALLS = {"record_cart_event": '    r.xadd("cart-events", event, maxlen=100000)\n',
         "refresh_stock_cache": '    r.hset("stock", mapping=levels)\n'}


def prefix(svc):
    return f"{svc:<10}| "


def rtime(t):
    return f"{t.day:02d} {t.strftime('%b %Y %H:%M:%S')}.{t.microsecond // 1000:03d}"


def ctime(t):
    return t.strftime("%Y-%m-%d %H:%M:%S,") + f"{t.microsecond // 1000:03d}"


def main():
    lines = []

    def redis(t, pid, role, lvl, msg):
        lines.append((t, prefix("redis-1") + f"{pid}:{role} {rtime(t)} {lvl} {msg}"))

    def api(t, level, msg, **kv):
        rec = {"level": level, "time": int(t.timestamp() * 1000), "pid": 1, "hostname": HOST, **kv, "msg": msg}
        lines.append((t, prefix("api-1") + json.dumps(rec, separators=(",", ":"))))

    def worker(t, text):
        for i, l in enumerate(text.split("\n")):
            lines.append((t + timedelta(microseconds=i), prefix("worker-1") + l))

    # redis: the new container's banner and load
    t = REDIS_START
    redis(t, 1, "C", "#", "WARNING Memory overcommit must be enabled! Without it, a background save or replication may fail under low memory condition. Being disabled, it can also cause failures without low memory condition, see https://github.com/jemalloc/jemalloc/issues/1328. To fix this issue add 'vm.overcommit_memory = 1' to /etc/sysctl.conf and then reboot or run the command 'sysctl vm.overcommit_memory=1' for this to take effect.")
    redis(t, 1, "C", "*", "oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo")
    redis(t, 1, "C", "*", "Redis version=7.2.5, bits=64, commit=00000000, modified=0, pid=1, just started")
    redis(t, 1, "C", "*", "Configuration loaded")
    redis(t + timedelta(milliseconds=1), 1, "M", "*", "monotonic clock: POSIX clock_gettime")
    redis(t + timedelta(milliseconds=2), 1, "M", "*", "Running mode=standalone, port=6379.")
    redis(t + timedelta(milliseconds=3), 1, "M", "*", "Server initialized")
    redis(t + timedelta(milliseconds=3), 1, "M", "*", "Loading RDB produced by version 7.2.5")
    redis(t + timedelta(milliseconds=3), 1, "M", "*", "RDB age 4 seconds")
    redis(t + timedelta(milliseconds=3), 1, "M", "*", "RDB memory usage when created 171.32 Mb")
    redis(t + timedelta(milliseconds=2288), 1, "M", "*", "Done loading RDB, keys loaded: 412803, keys expired: 1207.")
    redis(t + timedelta(milliseconds=2288), 1, "M", "*", "DB loaded from disk: 2.285 seconds")
    redis(t + timedelta(milliseconds=2288), 1, "M", "*", "Ready to accept connections tcp")
    t = REDIS_START + timedelta(minutes=5, seconds=3)
    pid = 21
    while t < END:
        redis(t, 1, "M", "*", "100 changes in 300 seconds. Saving...")
        redis(t + timedelta(milliseconds=4), 1, "M", "*", f"Background saving started by pid {pid}")
        d = timedelta(milliseconds=rng.randrange(1900, 2600))
        redis(t + d, pid, "C", "*", "DB saved on disk")
        cow = rng.randrange(2, 9)
        redis(t + d + timedelta(milliseconds=1), pid, "C", "*", f"Fork CoW for RDB: current {cow} MB, peak {cow} MB, average {max(1, cow - 2)} MB")
        redis(t + d + timedelta(milliseconds=98), 1, "M", "*", "Background saving terminated with success")
        pid += 1
        t += timedelta(seconds=300 + rng.randrange(0, 4), milliseconds=rng.randrange(1000))

    # api: startup, then pino-http request lines
    api(API_START, 30, "loaded config", env="production", redisUrl="redis://redis:6379", databaseHost="postgres")
    api(API_START + timedelta(milliseconds=212), 30, "connected to postgres")
    api(API_START + timedelta(milliseconds=241), 30, "connected to redis")
    api(API_START + timedelta(milliseconds=250), 30, "Server listening at http://0.0.0.0:3000")
    routes = [("GET", "/api/products?page={p}", 38, False), ("GET", "/api/products/{id}", 25, False), ("GET", "/api/cart", 15, False),
              ("POST", "/api/cart/items", 14, True), ("POST", "/api/auth/login", 5, True), ("POST", "/api/checkout", 3, True)]
    total = sum(r[2] for r in routes)
    stats = {"before": [0, 0], "after": [0, 0]}
    t, rid = API_START + timedelta(seconds=2), 0
    redis_down = (REDIS_START - timedelta(seconds=1), REDIS_START + timedelta(milliseconds=2300))
    while t < END:
        t += timedelta(seconds=rng.expovariate(45 / 60.0))
        rid += 1
        u = rng.random() * total
        for method, tmpl, w, writes in routes:
            u -= w
            if u < 0:
                break
        url = tmpl.format(p=rng.randrange(1, 9), id=rng.randrange(1000, 9999))
        rt = max(1, int(rng.lognormvariate(2.4, 0.5)))
        done = t + timedelta(milliseconds=rt)
        req = {"id": rid, "method": method, "url": url, "remoteAddress": f"::ffff:172.18.0.{rng.randrange(2, 6)}"}
        if writes and done >= FULL:
            cmd = {"/api/cart/items": "hset", "/api/auth/login": "set", "/api/checkout": "xadd"}[tmpl]
            api(done, 50, "request errored", req=req, res={"statusCode": 500}, responseTime=rt,
                err={"type": "ReplyError", "message": OOM,
                     "stack": f"ReplyError: {OOM}\n    at parseError (/app/node_modules/redis-parser/lib/parser.js:179:12)\n    at parseType (/app/node_modules/redis-parser/lib/parser.js:302:14)",
                     "command": {"name": cmd, "args": ["[redacted]"]}})
            code = 500
        elif redis_down[0] <= done < redis_down[1] and writes:
            api(done, 50, "request errored", req=req, res={"statusCode": 500}, responseTime=rt,
                err={"type": "Error", "message": "Connection is closed.", "stack": "Error: Connection is closed.\n    at close (/app/node_modules/ioredis/built/redis/event_handler.js:189:25)"})
            code = 500
        elif rng.random() < 0.002:
            api(done, 50, "request errored", req=req, res={"statusCode": 500}, responseTime=rt + 5000,
                err={"type": "Error", "message": "Connection terminated due to connection timeout",
                     "stack": "Error: Connection terminated due to connection timeout\n    at /app/node_modules/pg-pool/index.js:45:11"})
            code = 500
        else:
            code = 404 if ("{id}" in tmpl and rng.random() < 0.01) else (201 if method == "POST" and tmpl != "/api/auth/login" else 200)
            api(done, 30, "request completed", req=req, res={"statusCode": code}, responseTime=rt)
        key = "before" if done < FULL else "after"
        stats[key][0] += 1
        stats[key][1] += code >= 500
    # ioredis reconnect when redis was recreated
    api(REDIS_START - timedelta(milliseconds=640), 40, "redis connection lost, reconnecting", attempt=1)
    api(REDIS_START + timedelta(milliseconds=2410), 30, "connected to redis")

    # worker: celery, running since yesterday; a beat schedule and tasks from the api
    tasks = [("shop.tasks.record_cart_event", True, 6), ("shop.tasks.send_order_email", False, 1), ("shop.tasks.refresh_stock_cache", True, 1)]
    t = LOG_START
    while t < END:
        t += timedelta(seconds=rng.expovariate(8 / 60.0))
        u = rng.random() * 8
        for name, writes, w in tasks:
            u -= w
            if u < 0:
                break
        tid = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        worker(t, f"[{ctime(t)}: INFO/MainProcess] Task {name}[{tid}] received")
        done = t + timedelta(milliseconds=rng.randrange(20, 900))
        n = rng.randrange(1, 5)
        if writes and done >= FULL:
            fn = name.rsplit(".", 1)[1]
            worker(done, f"[{ctime(done)}: ERROR/ForkPoolWorker-{n}] Task {name}[{tid}] raised unexpected: OutOfMemoryError(\"command not allowed when used memory > 'maxmemory'.\")\n"
                         "Traceback (most recent call last):\n"
                         '  File "/usr/local/lib/python3.12/site-packages/celery/app/trace.py", line 453, in trace_task\n'
                         "    R = retval = fun(*args, **kwargs)\n"
                         "                 ^^^^^^^^^^^^^^^^^^^^\n"
                         '  File "/usr/local/lib/python3.12/site-packages/celery/app/trace.py", line 736, in __protected_call__\n'
                         "    return self.run(*args, **kwargs)\n"
                         "           ^^^^^^^^^^^^^^^^^^^^^^^^^\n"
                         f'  File "/app/shop/tasks.py", line {41 if fn == "record_cart_event" else 67}, in {fn}\n'
                         + CALLS[fn] +
                         '  File "/usr/local/lib/python3.12/site-packages/redis/client.py", line 1269, in parse_response\n'
                         "    response = connection.read_response()\n"
                         "               ^^^^^^^^^^^^^^^^^^^^^^^^^^\n"
                         '  File "/usr/local/lib/python3.12/site-packages/redis/connection.py", line 525, in read_response\n'
                         "    raise response\n"
                         "redis.exceptions.OutOfMemoryError: command not allowed when used memory > 'maxmemory'.")
        else:
            worker(done, f"[{ctime(done)}: INFO/ForkPoolWorker-{n}] Task {name}[{tid}] succeeded in {(done - t).total_seconds():.3f}s: None")
    lines = [l for l in lines if l[0] < END]
    lines.sort(key=lambda x: x[0])
    (HERE / "docker-compose-logs.txt").write_text("".join(l + "\n" for _, l in lines))
    b, a = stats["before"], stats["after"]
    print(f"api requests: before {b[1]}/{b[0]} = {b[1] / b[0]:.4f} failed, after {a[1]}/{a[0]} = {a[1] / a[0]:.4f}")


if __name__ == "__main__":
    main()
