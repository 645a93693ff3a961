"""Logs of the kubelet-oomkilled scenario (2024-06-09 00:00 to 2024-06-11 03:15 UTC).

- logs/report-worker/report-worker.log: report-worker's JSON lines (both pods, from the log store).
  Every night at 02:00 one pod takes the nightly batch; on 06-09 and 06-10 it holds ~9,900 accounts
  and finishes at a peak RSS of ~290 MB. On 06-11 it holds 49,340 accounts (5x) and the pod's RSS
  reaches the container limit (512Mi) after ~7 minutes: OOMKilled, restarted, resumed from the
  checkpoint, killed again, then the other pod takes the batch over, and both loop into back-off.
- logs/node-ip-10-0-3-117/kubelet.log: that node's kubelet (klog, year-less), with its usual noise.
No deploy of report-worker since 2024-06-08 (v1.8.2). Seeded; byte-identical on every run.
Run: python3 generate_kubelet_oomkilled.py
"""
import json
import random
from datetime import datetime, timedelta, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
UTC = timezone.utc
rng = random.Random(611)

START = datetime(2024, 6, 9, 0, 0, tzinfo=UTC)
END = datetime(2024, 6, 11, 3, 15, tzinfo=UTC)
KPID = 1187
PODS = {"report-worker-7c5d9b8f6-k2tqz": "3f9a1c52-8e4b-4d7a-9b21-6c0d5e7f8a13",
        "report-worker-7c5d9b8f6-p8wmx": "b71e0d94-2a6c-4f38-8d15-e49a7c3b2f60"}
NIGHTS = [(datetime(2024, 6, 9, 2, 0, tzinfo=UTC), 9812), (datetime(2024, 6, 10, 2, 0, tzinfo=UTC), 9905),
          (datetime(2024, 6, 11, 2, 0, tzinfo=UTC), 49340)]
LIMIT_MB = 512


def ms(t):
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def klog(t, sev, src, msg):
    return (t, f"{sev}{t.strftime('%m%d %H:%M:%S.')}{t.microsecond:06d}    {KPID} {src}] {msg}")


def cid():
    return f"{rng.getrandbits(256):064x}"


def main():
    worker, kube = [], []

    def w(t, pod, level, logger, msg, **kv):
        worker.append((t, json.dumps({"ts": ms(t), "level": level, "logger": logger, "msg": msg, "pod": pod, **kv})))

    # on-demand reports all day long, both pods
    t = START
    while t < END:
        t += timedelta(seconds=rng.expovariate(1 / 240))
        pod = rng.choice(sorted(PODS))
        rid = rng.randrange(10**6, 10**7)
        if rng.random() < 0.01:
            w(t, pod, "ERROR", "report_worker.render", "report render failed", report_id=rid,
              error="jinja2.exceptions.UndefinedError: 'dict object' has no attribute 'vat_id'")
        else:
            w(t, pod, "INFO", "report_worker.jobs", "report generated", report_id=rid, pages=rng.randrange(1, 40),
              duration_ms=rng.randrange(300, 9000))
    # kubelet noise
    t = START + timedelta(seconds=37)
    while t < END:
        t += timedelta(seconds=rng.randrange(120, 420), microseconds=rng.randrange(10**6))
        u = rng.random()
        if u < 0.5:
            kube.append(klog(t, "I", "kubelet_getters.go:218", '"Pod status is inconsistent with cached status for pod, a reconciliation should be triggered" pod="monitoring/node-exporter-9xk2l"'))
        elif u < 0.8:
            kube.append(klog(t, "W", "cri_stats_provider.go:455", '"Failed to get the info of the filesystem with mountpoint" err="unable to find data in memory cache" mountpoint="/var/lib/containerd/io.containerd.snapshotter.v1.overlayfs"'))
        else:
            kube.append(klog(t, "I", "image_gc_manager.go:356", '"Disk usage on image filesystem is over the high threshold, trying to free bytes down to the low threshold" usage=86 highThreshold=85 amountToFree=1288490188 lowThreshold=80'))

    restarts = {p: 0 for p in PODS}

    def kill(t, pod):
        uid = PODS[pod]
        c = cid()
        victim = f"/kubepods/burstable/pod{uid}/{c}"
        kube.append(klog(t, "I", "oom_watcher_linux.go:84", '"Got sys oom event" event=' + json.dumps(
            {"Pid": rng.randrange(3000, 90000), "ProcessName": "python", "TimeOfDeath": ms(t), "ContainerName": victim,
             "VictimContainerName": victim, "Constraint": "CONSTRAINT_MEMCG"}, separators=(",", ":"))))
        t2 = t + timedelta(milliseconds=rng.randrange(300, 900))
        kube.append(klog(t2, "I", "kubelet.go:2443", f'"SyncLoop (PLEG): event for pod" pod="reports/{pod}" event={{"ID":"{uid}","Type":"ContainerDied","Data":"{c}"}}'))
        kube.append(klog(t2 + timedelta(microseconds=412), "I", "kuberuntime_container.go:779",
                         f'"Container report-worker in pod reports/{pod} was OOMKilled" exitCode=137 restartCount={restarts[pod]}'))
        restarts[pod] += 1
        return t2

    def backoff(t, pod, secs):
        uid = PODS[pod]
        kube.append(klog(t, "E", "pod_workers.go:1298", f'"Error syncing pod, skipping" err="failed to \\"StartContainer\\" for \\"report-worker\\" '
                         f'with CrashLoopBackOff: \\"back-off {secs} restarting failed container=report-worker pod={pod}_reports({uid})\\"" '
                         f'pod="reports/{pod}" podUID="{uid}"'))

    def start(t, pod):
        uid = PODS[pod]
        kube.append(klog(t, "I", "kubelet.go:2443", f'"SyncLoop (PLEG): event for pod" pod="reports/{pod}" event={{"ID":"{uid}","Type":"ContainerStarted","Data":"{cid()}"}}'))
        t1 = t + timedelta(milliseconds=rng.randrange(900, 1600))
        w(t1, pod, "INFO", "report_worker.main", "report-worker starting", version="1.8.2", python="3.12.3", queue="reports")
        w(t1 + timedelta(milliseconds=33), pod, "INFO", "report_worker.main", "connected", broker="redis://reports-redis.reports.svc:6379/0")
        return t1

    for night, accounts in NIGHTS:
        pod = "report-worker-7c5d9b8f6-k2tqz" if night.day != 10 else "report-worker-7c5d9b8f6-p8wmx"
        t = night + timedelta(milliseconds=rng.randrange(50, 600))
        w(t, pod, "INFO", "report_worker.nightly", "nightly batch started", batch=str((night - timedelta(days=1)).date()),
          accounts=accounts, chunk_size=1000)
        if accounts < 20000:
            done, rss = 0, 140.0
            while done < accounts:
                t += timedelta(seconds=rng.uniform(150, 190))
                done = min(accounts, done + 1000)
                rss = min(rss + 16 + rng.uniform(-3, 3), 300)
                w(t, pod, "INFO", "report_worker.nightly", "chunk loaded", accounts_done=done, accounts=accounts, rss_mb=round(rss))
            w(t + timedelta(seconds=40), pod, "INFO", "report_worker.nightly", "nightly batch finished",
              accounts=accounts, duration_s=round((t - night).total_seconds()) + 40, peak_rss_mb=round(rss))
            continue
        # the big night: each attempt loads chunks until the container hits its limit
        order = ["report-worker-7c5d9b8f6-k2tqz", "report-worker-7c5d9b8f6-k2tqz", "report-worker-7c5d9b8f6-p8wmx",
                 "report-worker-7c5d9b8f6-k2tqz", "report-worker-7c5d9b8f6-p8wmx", "report-worker-7c5d9b8f6-k2tqz",
                 "report-worker-7c5d9b8f6-p8wmx", "report-worker-7c5d9b8f6-k2tqz", "report-worker-7c5d9b8f6-p8wmx"]
        waits = {p: iter(["10s", "20s", "40s", "1m20s", "2m40s"]) for p in PODS}
        checkpoint = 0
        for i, pod in enumerate(order):
            if i:
                t = start(t, pod) + timedelta(seconds=rng.uniform(2, 6))
                w(t, pod, "INFO", "report_worker.nightly", "resuming nightly batch from checkpoint",
                  batch="2024-06-10", accounts=accounts, accounts_done=checkpoint)
            rss = 150.0 + rng.uniform(0, 10)
            while True:
                t += timedelta(seconds=rng.uniform(38, 52))
                rss += 46 + rng.uniform(-4, 4)     # the batch's rows are held in memory until the report is built
                if rss >= LIMIT_MB - 6:
                    break
                w(t, pod, "INFO", "report_worker.nightly", "chunk loaded", accounts_done=checkpoint + 1000 * (int((rss - 150) // 46)),
                  accounts=accounts, rss_mb=round(rss))
                if rss > 430 and rss < 480:
                    w(t + timedelta(milliseconds=5), pod, "WARNING", "report_worker.nightly", "memory high", rss_mb=round(rss), limit_mb=LIMIT_MB)
            tk = kill(t + timedelta(seconds=rng.uniform(1, 8)), pod)
            # the next attempt: the same pod restarts (with back-off after the first), or the other one takes over
            nxt = order[i + 1] if i + 1 < len(order) else None
            if nxt is None:
                backoff(tk + timedelta(seconds=1, milliseconds=rng.randrange(900)), pod, next(waits[pod]))
                break
            if restarts[pod] >= 2:
                b = next(waits[pod])
                backoff(tk + timedelta(seconds=1, milliseconds=rng.randrange(900)), pod, b)
                secs = {"10s": 10, "20s": 20, "40s": 40, "1m20s": 80, "2m40s": 160}[b]
                t = tk + timedelta(seconds=secs + rng.uniform(0.5, 2))
            else:
                t = tk + timedelta(seconds=rng.uniform(0.5, 1.5))
            if nxt != pod:
                # the batch lock expired: the other pod takes the batch over (its own container restarts in parallel)
                t2 = tk + timedelta(seconds=30 + rng.uniform(0, 5))
                w(t2, nxt, "WARNING", "report_worker.nightly", "batch lock expired, taking over nightly batch",
                  batch="2024-06-10", previous_owner=pod)
                start(t, pod) if restarts[pod] else None
                t = t2

    out = HERE / "logs"
    (out / "report-worker").mkdir(parents=True, exist_ok=True)
    (out / "node-ip-10-0-3-117").mkdir(parents=True, exist_ok=True)
    worker = [x for x in worker if x[0] < END]
    kube = [x for x in kube if x[0] < END]
    worker.sort(key=lambda x: x[0])
    kube.sort(key=lambda x: x[0])
    (out / "report-worker" / "report-worker.log").write_text("".join(l + "\n" for _, l in worker))
    (out / "node-ip-10-0-3-117" / "kubelet.log").write_text("".join(l + "\n" for _, l in kube))
    print("restarts:", restarts, "first OOM:", next(l for _, l in kube if "OOMKilled" in l)[:40])


if __name__ == "__main__":
    main()
