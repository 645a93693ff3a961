"""Generate the logs of the flag-without-switch scenario (deterministic, seeded).

loyalty-service.log: Spring Boot 3.3 console lines of the three loyalty-service pods as fluent-bit
ships them to one file; ingress-nginx.log: the ingress controller's access lines for loyalty;
replicasets.json: `kubectl get replicasets -n loyalty -l app=loyalty-service -o json`.
Run: python3 generate_flag_without_switch.py
"""
import json
import random
from datetime import datetime, timedelta, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
UTC = timezone.utc
START = datetime(2024, 9, 24, 12, 30, 0, tzinfo=UTC)
END = datetime(2024, 9, 24, 13, 40, 0, tzinfo=UTC)
RS_CREATED = datetime(2024, 9, 24, 13, 4, 22, tzinfo=UTC)
POD_STARTS = [datetime(2024, 9, 24, 13, 4, 24, 870000, tzinfo=UTC), datetime(2024, 9, 24, 13, 4, 49, 120000, tzinfo=UTC),
              datetime(2024, 9, 24, 13, 5, 14, 530000, tzinfo=UTC)]
ONSET = datetime(2024, 9, 24, 13, 5, 3, 211000, tzinfo=UTC)
NPE = ('java.lang.NullPointerException: Cannot invoke "java.math.BigDecimal.multiply(java.math.BigDecimal)" because '
       'the return value of "com.acme.loyalty.points.TierMultipliers.forTier(com.acme.loyalty.member.Tier)" is null')
STACK = [
    "\tat com.acme.loyalty.points.NewPointsCalculator.calculate(NewPointsCalculator.java:29) ~[!/:1.9.0]",
    "\tat com.acme.loyalty.points.PointsService.earn(PointsService.java:24) ~[!/:1.9.0]",
    "\tat com.acme.loyalty.api.PointsController.earn(PointsController.java:29) ~[!/:1.9.0]",
    "\tat java.base/jdk.internal.reflect.DirectMethodHandleAccessor.invoke(DirectMethodHandleAccessor.java:103) ~[na:na]",
    "\tat java.base/java.lang.reflect.Method.invoke(Method.java:580) ~[na:na]",
    "\tat org.springframework.web.method.support.InvocableHandlerMethod.doInvoke(InvocableHandlerMethod.java:255) ~[spring-web-6.1.13.jar!/:6.1.13]",
    "\tat org.springframework.web.servlet.DispatcherServlet.doDispatch(DispatcherServlet.java:1089) ~[spring-webmvc-6.1.13.jar!/:6.1.13]",
    "\tat org.apache.tomcat.util.threads.TaskThread$WrappingRunnable.run(TaskThread.java:61) ~[tomcat-embed-core-10.1.30.jar!/:na]",
    "\tat java.base/java.lang.Thread.run(Thread.java:1583) ~[na:na]",
]


def boot(ts, level, thread, logger, msg):
    stamp = ts.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ts.microsecond // 1000:03d}Z"
    return f"{stamp} {level:>5} 1 --- [loyalty-service] [{thread:>15}] {logger:<40} : {msg}\n"


def poisson(start, end, per_minute, rng):
    t = start
    while True:
        t += timedelta(seconds=rng.expovariate(per_minute / 60.0))
        if t >= end:
            return
        yield t


def main():
    rng = random.Random(924)
    app, ingress = [], []

    def startup(t, version):
        out = []
        for dt, logger, msg in [
            (0, "c.a.loyalty.LoyaltyServiceApplication", f"Starting LoyaltyServiceApplication v{version} using Java 21.0.4 with PID 1 (/app/loyalty-service.jar started by app in /app)"),
            (0.02, "c.a.loyalty.LoyaltyServiceApplication", 'The following 1 profile is active: "prod"'),
            (3.1, "o.s.b.w.embedded.tomcat.TomcatWebServer", "Tomcat initialized with port 8080 (http)"),
            (5.9, "com.zaxxer.hikari.HikariDataSource", "HikariPool-1 - Start completed."),
            (7.4, "o.s.b.w.embedded.tomcat.TomcatWebServer", "Tomcat started on port 8080 (http) with context path '/'"),
            (7.45, "c.a.loyalty.LoyaltyServiceApplication", "Started LoyaltyServiceApplication in 7.412 seconds (process running for 8.113)"),
        ]:
            ts = t + timedelta(seconds=dt)
            out.append((ts, boot(ts, "INFO", "main", logger, msg)))
        return out

    for t in POD_STARTS:
        app.extend(startup(t - timedelta(seconds=7.45), "1.9.0"))
    # old pods shut down as the new ones become ready
    for i, t in enumerate(POD_STARTS):
        ts = t + timedelta(seconds=1.2)
        app.append((ts, boot(ts, "INFO", "ionShutdownHook", "o.s.b.w.e.tomcat.GracefulShutdown", "Commencing graceful shutdown. Waiting for active requests to complete")))

    paths = [("POST", "/api/v1/points/earn", 5), ("GET", "/api/v1/members/{m}/balance", 4), ("POST", "/api/v1/points/redeem", 1)]
    weighted = [p for p in paths for _ in range(p[2])]
    times = sorted(list(poisson(START, END, 90, rng)) + [ONSET])
    for ts in times:
        method, path, _ = rng.choice(weighted)
        if ts == ONSET:
            method, path = "POST", "/api/v1/points/earn"
        member = f"M{rng.randrange(1000000, 9999999)}"
        path = path.replace("{m}", member)
        thread = f"nio-8080-exec-{rng.randrange(1, 11)}"
        new_code = ts >= ONSET
        status, rt = 200, rng.uniform(0.008, 0.06)
        if method == "POST" and path.endswith("/earn") and new_code and (ts == ONSET or rng.random() < 0.3):
            status = 500
            msg = ("Servlet.service() for servlet [dispatcherServlet] in context with path [] threw exception "
                   f"[Request processing failed: {NPE}] with root cause")
            app.append((ts, boot(ts, "ERROR", thread, "o.a.c.c.C.[.[.[/].[dispatcherServlet]", msg)))
            app.append((ts, "\n" + NPE + "\n" + "\n".join(STACK) + "\n"))
        elif rng.random() < 0.004:
            status = 500
            msg = "Redis command failed for member " + member + ": io.lettuce.core.RedisConnectionException: Connection reset by peer"
            app.append((ts, boot(ts, "ERROR", thread, "c.a.loyalty.cache.BalanceCache", msg)))
        elif path.endswith("/balance") and rng.random() < 0.02:
            status = 404
            app.append((ts, boot(ts, "WARN", thread, "c.a.loyalty.api.MemberController", f"Member {member} not found")))
        elif rng.random() < 0.05:
            app.append((ts, boot(ts, "INFO", thread, "c.a.loyalty.points.PointsService", f"Earned points for member {member} order O-{rng.randrange(10**7, 10**8)}")))
        size = {200: rng.randrange(60, 240), 404: 98, 500: 112}[status]
        ua = rng.choice(["checkout-service/3.1.0", "mobile-bff/2.8.4", "member-portal/1.22.0"])
        ip = f"10.12.{rng.randrange(0, 4)}.{rng.randrange(2, 250)}"
        up = f"10.12.3.{rng.choice([44, 71, 102])}:8080"
        ingress.append(
            f'{ip} - - [{ts.strftime("%d/%b/%Y:%H:%M:%S +0000")}] "{method} {path} HTTP/1.1" {status} {size} "-" "{ua}" '
            f'{rng.randrange(280, 900)} {rt:.3f} [loyalty-loyalty-service-8080] [] {up} {size} {rt:.3f} {status} '
            f'{rng.getrandbits(128):032x}\n')
    app.sort(key=lambda x: x[0])
    text = "".join(l for _, l in app)
    # the stack trace chunks were stored as separate entries right after their ERROR line: rejoin them
    text = text.replace("\n\n", "\n")
    (HERE / "loyalty-service.log").write_text(text)
    (HERE / "ingress-nginx.log").write_text("".join(ingress))

    def rs(name, revision, version, created, replicas, cause):
        return {
            "apiVersion": "apps/v1", "kind": "ReplicaSet",
            "metadata": {
                "name": name, "namespace": "loyalty",
                "annotations": {"deployment.kubernetes.io/desired-replicas": "3", "deployment.kubernetes.io/max-replicas": "4",
                                "deployment.kubernetes.io/revision": str(revision), "kubernetes.io/change-cause": cause},
                "creationTimestamp": created,
                "labels": {"app": "loyalty-service", "pod-template-hash": name.rsplit("-", 1)[1]},
                "ownerReferences": [{"apiVersion": "apps/v1", "blockOwnerDeletion": True, "controller": True,
                                     "kind": "Deployment", "name": "loyalty-service",
                                     "uid": "5d2b8e71-0c3a-4f69-9b1e-7a40c2d96e13"}],
                "generation": 3 if replicas == 0 else 1,
                "uid": f"{random.Random(name).getrandbits(128):032x}",
            },
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": "loyalty-service", "pod-template-hash": name.rsplit("-", 1)[1]}},
                     "template": {"metadata": {"labels": {"app": "loyalty-service", "pod-template-hash": name.rsplit("-", 1)[1]}},
                                  "spec": {"containers": [{"name": "loyalty-service",
                                                           "image": f"registry.example.com/loyalty/loyalty-service:{version}",
                                                           "ports": [{"containerPort": 8080, "protocol": "TCP"}]}]}}},
            "status": {"replicas": replicas, "readyReplicas": replicas, "availableReplicas": replicas, "fullyLabeledReplicas": replicas,
                       "observedGeneration": 3 if replicas == 0 else 1} if replicas else {"replicas": 0, "observedGeneration": 3},
        }
    doc = {"apiVersion": "v1", "kind": "List", "metadata": {"resourceVersion": ""}, "items": [
        rs("loyalty-service-7f6d8c9b54", 6, "1.8.0", "2024-09-10T14:41:03Z", 0, "release 1.8.0"),
        rs("loyalty-service-6b8f9c7d5d", 7, "1.8.2", "2024-09-17T09:12:48Z", 0, "release 1.8.2"),
        rs("loyalty-service-84d5c9b7f6", 8, "1.9.0", RS_CREATED.strftime("%Y-%m-%dT%H:%M:%SZ"), 3, "release 1.9.0"),
    ]}
    (HERE / "replicasets.json").write_text(json.dumps(doc, indent=4) + "\n")


if __name__ == "__main__":
    main()
