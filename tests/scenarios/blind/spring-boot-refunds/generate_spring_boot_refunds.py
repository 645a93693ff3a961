"""Logs of the spring-boot-refunds scenario (2024-06-18, 09:30-11:00 UTC, namespace shop).

- logs/orders-service/<pod>.log: `kubectl logs --since-time=2024-06-18T09:30:00Z` of each orders-service
  pod, Spring Boot 3.2's default console layout (application name in brackets after the pid), stack
  traces under the errors. Old ReplicaSet 5d8f7c6b9 (v2.13.2) until the rollout, new 7b9c4f5d8 (v2.14.0)
  from 10:10:05; the new pods answer every POST /api/orders/{id}/refund with 500 (the request body has
  no reasonCode, which v2.14.0 made a required creator property).
- logs/ingress-nginx/<pod>.log: the ingress-nginx controller's stdout: access lines in its default
  log-format-upstream for orders-service and catalog-service, and a few of the controller's klog lines.
Seeded; byte-identical on every run. Run: python3 generate_spring_boot_refunds.py
"""
import random
from datetime import datetime, timedelta, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
UTC = timezone.utc
rng = random.Random(20240618)

START = datetime(2024, 6, 18, 9, 30, tzinfo=UTC)
END = datetime(2024, 6, 18, 11, 0, tzinfo=UTC)
DEPLOY = datetime(2024, 6, 18, 10, 10, 5, tzinfo=UTC)


def at(h, m, s=0, ms=0):
    return datetime(2024, 6, 18, h, m, s, ms * 1000, tzinfo=UTC)


OLD, NEW = "5d8f7c6b9", "7b9c4f5d8"
# pod -> (version, created, ready, stopped, ip)
PODS = {
    f"orders-service-{OLD}-wq4zt": ("2.13.2", None, None, at(10, 10, 47, 210), "10.42.1.57"),
    f"orders-service-{OLD}-b8xkd": ("2.13.2", None, None, at(10, 11, 36, 902), "10.42.2.19"),
    f"orders-service-{NEW}-m2r7c": ("2.14.0", at(10, 10, 6, 880), at(10, 10, 41, 512), None, "10.42.3.44"),
    f"orders-service-{NEW}-h5vnp": ("2.14.0", at(10, 10, 48, 31), at(10, 11, 30, 77), None, "10.42.1.63"),
}
CATALOG_IPS = ["10.42.1.21", "10.42.2.48"]

ORDER_ROUTES = [  # (method, path template, weight)
    ("GET", "/api/orders?page={p}&size=20", 35),
    ("GET", "/api/orders/{id}", 35),
    ("GET", "/api/orders/{id}/tracking", 20),
    ("POST", "/api/orders/{id}/cancel", 7),
    ("POST", "/api/orders/{id}/refund", 3),
]
CATALOG_ROUTES = [("GET", "/api/catalog/products?category={c}&page={p}", 50), ("GET", "/api/catalog/products/{sku}", 40),
                  ("GET", "/api/catalog/categories", 10)]
CATEGORIES = ["running", "trail", "outdoor", "kids", "sale", "accessories"]
AGENTS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0",
    "ShopApp/4.12.1 (Android 14; Pixel 8)",
]


def serving(pod, t):
    _, created, ready, stopped, _ = PODS[pod]
    return (ready is None or ready <= t) and (stopped is None or t < stopped - timedelta(seconds=1))


def pick(routes):
    total = sum(w for *_, w in routes)
    u = rng.random() * total
    for m, p, w in routes:
        u -= w
        if u < 0:
            return m, p
    return routes[-1][:2]


def spring(t, level, thread, logger, msg):
    th = thread[-15:].rjust(15)
    return (t, f"{t.strftime('%Y-%m-%dT%H:%M:%S.')}{t.microsecond // 1000:03d}Z {level:>5} 1 --- [orders-service] [{th}] {logger:<40.40} : {msg}")


FILTERS = """\tat org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerAdapter.invokeHandlerMethod(RequestMappingHandlerAdapter.java:926)
\tat org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerAdapter.handleInternal(RequestMappingHandlerAdapter.java:831)
\tat org.springframework.web.servlet.mvc.method.AbstractHandlerMethodAdapter.handle(AbstractHandlerMethodAdapter.java:87)
\tat org.springframework.web.servlet.DispatcherServlet.doDispatch(DispatcherServlet.java:1089)
\tat org.springframework.web.servlet.DispatcherServlet.doService(DispatcherServlet.java:979)
\tat org.springframework.web.servlet.FrameworkServlet.processRequest(FrameworkServlet.java:1014)
\tat org.springframework.web.servlet.FrameworkServlet.doPost(FrameworkServlet.java:914)
\tat jakarta.servlet.http.HttpServlet.service(HttpServlet.java:590)
\tat org.springframework.web.servlet.FrameworkServlet.service(FrameworkServlet.java:885)
\tat jakarta.servlet.http.HttpServlet.service(HttpServlet.java:658)
\tat org.apache.catalina.core.ApplicationFilterChain.internalDoFilter(ApplicationFilterChain.java:205)
\tat org.apache.catalina.core.ApplicationFilterChain.doFilter(ApplicationFilterChain.java:149)
\tat org.apache.tomcat.websocket.server.WsFilter.doFilter(WsFilter.java:51)
\tat org.apache.catalina.core.ApplicationFilterChain.internalDoFilter(ApplicationFilterChain.java:174)
\tat org.apache.catalina.core.ApplicationFilterChain.doFilter(ApplicationFilterChain.java:149)
\tat com.example.orders.web.RequestIdFilter.doFilterInternal(RequestIdFilter.java:34)
\tat org.springframework.web.filter.OncePerRequestFilter.doFilter(OncePerRequestFilter.java:116)
\tat org.apache.catalina.core.ApplicationFilterChain.internalDoFilter(ApplicationFilterChain.java:174)
\tat org.apache.catalina.core.ApplicationFilterChain.doFilter(ApplicationFilterChain.java:149)
\tat org.springframework.web.filter.RequestContextFilter.doFilterInternal(RequestContextFilter.java:100)
\tat org.springframework.web.filter.OncePerRequestFilter.doFilter(OncePerRequestFilter.java:116)
\tat org.apache.catalina.core.ApplicationFilterChain.internalDoFilter(ApplicationFilterChain.java:174)
\tat org.apache.catalina.core.ApplicationFilterChain.doFilter(ApplicationFilterChain.java:149)
\tat org.apache.catalina.core.StandardWrapperValve.invoke(StandardWrapperValve.java:167)
\tat org.apache.catalina.core.StandardContextValve.invoke(StandardContextValve.java:90)
\tat org.apache.catalina.authenticator.AuthenticatorBase.invoke(AuthenticatorBase.java:482)
\tat org.apache.catalina.core.StandardHostValve.invoke(StandardHostValve.java:115)
\tat org.apache.catalina.valves.ErrorReportValve.invoke(ErrorReportValve.java:93)
\tat org.apache.catalina.core.StandardEngineValve.invoke(StandardEngineValve.java:74)
\tat org.apache.catalina.connector.CoyoteAdapter.service(CoyoteAdapter.java:344)
\tat org.apache.coyote.http11.Http11Processor.service(Http11Processor.java:391)
\tat org.apache.coyote.AbstractProcessorLight.process(AbstractProcessorLight.java:63)
\tat org.apache.coyote.AbstractProtocol$ConnectionHandler.process(AbstractProtocol.java:896)
\tat org.apache.tomcat.util.net.NioEndpoint$SocketProcessor.doRun(NioEndpoint.java:1744)
\tat org.apache.tomcat.util.net.SocketProcessorBase.run(SocketProcessorBase.java:52)
\tat org.apache.tomcat.util.threads.ThreadPoolExecutor.runWorker(ThreadPoolExecutor.java:1191)
\tat org.apache.tomcat.util.threads.ThreadPoolExecutor$Worker.run(ThreadPoolExecutor.java:659)
\tat org.apache.tomcat.util.threads.TaskThread$WrappingRunnable.run(TaskThread.java:63)
\tat java.base/java.lang.Thread.run(Thread.java:1583)"""

REFUND_TRACE = """org.springframework.http.converter.HttpMessageNotReadableException: JSON parse error: Missing required creator property 'reasonCode' (index 2)
\tat org.springframework.http.converter.json.AbstractJackson2HttpMessageConverter.readJavaType(AbstractJackson2HttpMessageConverter.java:406)
\tat org.springframework.http.converter.json.AbstractJackson2HttpMessageConverter.read(AbstractJackson2HttpMessageConverter.java:354)
\tat org.springframework.web.servlet.mvc.method.annotation.AbstractMessageConverterMethodArgumentResolver.readWithMessageConverters(AbstractMessageConverterMethodArgumentResolver.java:184)
\tat org.springframework.web.servlet.mvc.method.annotation.RequestResponseBodyMethodProcessor.readWithMessageConverters(RequestResponseBodyMethodProcessor.java:161)
\tat org.springframework.web.servlet.mvc.method.annotation.RequestResponseBodyMethodProcessor.resolveArgument(RequestResponseBodyMethodProcessor.java:135)
\tat org.springframework.web.method.support.HandlerMethodArgumentResolverComposite.resolveArgument(HandlerMethodArgumentResolverComposite.java:122)
\tat org.springframework.web.method.support.InvocableHandlerMethod.getMethodArgumentValues(InvocableHandlerMethod.java:224)
\tat org.springframework.web.method.support.InvocableHandlerMethod.invokeForRequest(InvocableHandlerMethod.java:178)
\tat org.springframework.web.servlet.mvc.method.annotation.ServletInvocableHandlerMethod.invokeAndHandle(ServletInvocableHandlerMethod.java:118)
""" + FILTERS + """
Caused by: com.fasterxml.jackson.databind.exc.MismatchedInputException: Missing required creator property 'reasonCode' (index 2)
 at [Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); line: 1, column: {col}] (through reference chain: com.example.orders.refund.RefundRequest["reasonCode"])
\tat com.fasterxml.jackson.databind.exc.MismatchedInputException.from(MismatchedInputException.java:63)
\tat com.fasterxml.jackson.databind.DeserializationContext.reportInputMismatch(DeserializationContext.java:1781)
\tat com.fasterxml.jackson.databind.deser.impl.PropertyValueBuffer._findMissing(PropertyValueBuffer.java:192)
\tat com.fasterxml.jackson.databind.deser.impl.PropertyValueBuffer.getParameters(PropertyValueBuffer.java:158)
\tat com.fasterxml.jackson.databind.deser.ValueInstantiator.createFromObjectWith(ValueInstantiator.java:301)
\tat com.fasterxml.jackson.databind.deser.impl.PropertyBasedCreator.build(PropertyBasedCreator.java:202)
\tat com.fasterxml.jackson.databind.deser.BeanDeserializer._deserializeUsingPropertyBased(BeanDeserializer.java:526)
\tat com.fasterxml.jackson.databind.deser.BeanDeserializerBase.deserializeFromObjectUsingNonDefault(BeanDeserializerBase.java:1493)
\tat com.fasterxml.jackson.databind.deser.BeanDeserializer.deserializeFromObject(BeanDeserializer.java:348)
\tat com.fasterxml.jackson.databind.deser.BeanDeserializer.deserialize(BeanDeserializer.java:185)
\tat com.fasterxml.jackson.databind.deser.DefaultDeserializationContext.readRootValue(DefaultDeserializationContext.java:342)
\tat com.fasterxml.jackson.databind.ObjectReader._bindAndClose(ObjectReader.java:2125)
\tat com.fasterxml.jackson.databind.ObjectReader.readValue(ObjectReader.java:1501)
\tat org.springframework.http.converter.json.AbstractJackson2HttpMessageConverter.readJavaType(AbstractJackson2HttpMessageConverter.java:395)
\t... 118 common frames omitted"""

LOCK_TRACE = """org.springframework.dao.CannotAcquireLockException: could not execute statement [ERROR: canceling statement due to lock timeout
  Where: while updating tuple (1842,7) in relation "orders"] [update orders set status=?,updated_at=?,version=? where id=? and version=?]; SQL [update orders set status=?,updated_at=?,version=? where id=? and version=?]
\tat org.springframework.orm.jpa.vendor.HibernateJpaDialect.convertHibernateAccessException(HibernateJpaDialect.java:280)
\tat org.springframework.orm.jpa.vendor.HibernateJpaDialect.translateExceptionIfPossible(HibernateJpaDialect.java:241)
\tat org.springframework.orm.jpa.JpaTransactionManager.doCommit(JpaTransactionManager.java:565)
\tat org.springframework.transaction.support.AbstractPlatformTransactionManager.processCommit(AbstractPlatformTransactionManager.java:794)
\tat org.springframework.transaction.support.AbstractPlatformTransactionManager.commit(AbstractPlatformTransactionManager.java:757)
\tat org.springframework.transaction.interceptor.TransactionAspectSupport.commitTransactionAfterReturning(TransactionAspectSupport.java:669)
\tat org.springframework.transaction.interceptor.TransactionAspectSupport.invokeWithinTransaction(TransactionAspectSupport.java:419)
\tat org.springframework.transaction.interceptor.TransactionInterceptor.invoke(TransactionInterceptor.java:119)
\tat org.springframework.aop.framework.ReflectiveMethodInvocation.proceed(ReflectiveMethodInvocation.java:184)
\tat org.springframework.aop.framework.CglibAopProxy$DynamicAdvisedInterceptor.intercept(CglibAopProxy.java:765)
\tat com.example.orders.order.OrderService$$SpringCGLIB$$0.cancel(<generated>)
\tat com.example.orders.order.OrderController.cancel(OrderController.java:71)
\tat java.base/jdk.internal.reflect.DirectMethodHandleAccessor.invoke(DirectMethodHandleAccessor.java:103)
\tat java.base/java.lang.reflect.Method.invoke(Method.java:580)
\tat org.springframework.web.method.support.InvocableHandlerMethod.doInvoke(InvocableHandlerMethod.java:255)
\tat org.springframework.web.method.support.InvocableHandlerMethod.invokeForRequest(InvocableHandlerMethod.java:188)
\tat org.springframework.web.servlet.mvc.method.annotation.ServletInvocableHandlerMethod.invokeAndHandle(ServletInvocableHandlerMethod.java:118)
""" + FILTERS + """
Caused by: org.hibernate.exception.LockTimeoutException: could not execute statement [ERROR: canceling statement due to lock timeout
  Where: while updating tuple (1842,7) in relation "orders"] [update orders set status=?,updated_at=?,version=? where id=? and version=?]
\tat org.hibernate.dialect.PostgreSQLDialect.lambda$buildSQLExceptionConversionDelegate$3(PostgreSQLDialect.java:1025)
\tat org.hibernate.exception.internal.StandardSQLExceptionConverter.convert(StandardSQLExceptionConverter.java:58)
\tat org.hibernate.engine.jdbc.spi.SqlExceptionHelper.convert(SqlExceptionHelper.java:108)
\tat org.hibernate.engine.jdbc.internal.ResultSetReturnImpl.executeUpdate(ResultSetReturnImpl.java:197)
\t... 131 common frames omitted
Caused by: org.postgresql.util.PSQLException: ERROR: canceling statement due to lock timeout
  Where: while updating tuple (1842,7) in relation "orders"
\tat org.postgresql.core.v3.QueryExecutorImpl.receiveErrorResponse(QueryExecutorImpl.java:2725)
\tat org.postgresql.core.v3.QueryExecutorImpl.processResults(QueryExecutorImpl.java:2412)
\tat org.postgresql.core.v3.QueryExecutorImpl.execute(QueryExecutorImpl.java:371)
\tat com.zaxxer.hikari.pool.HikariProxyPreparedStatement.executeUpdate(HikariProxyPreparedStatement.java)
\t... 136 common frames omitted"""


def startup(pod, t0):
    version = PODS[pod][0]
    banner = ["", "  .   ____          _            __ _ _", " /\\\\ / ___'_ __ _ _(_)_ __  __ _ \\ \\ \\ \\",
              "( ( )\\___ | '_ | '_| | '_ \\/ _` | \\ \\ \\ \\", " \\\\/  ___)| |_)| | | | | || (_| |  ) ) ) )",
              "  '  |____| .__|_| |_|_| |_\\__, | / / / /", " =========|_|==============|___/=/_/_/_/",
              " :: Spring Boot ::                (v3.2.6)", ""]
    out = [(t0 - timedelta(milliseconds=900 - i), b) for i, b in enumerate(banner)]
    steps = [
        (0, "c.e.orders.OrdersServiceApplication", f"Starting OrdersServiceApplication v{version} using Java 21.0.3 with PID 1 (/app/app.jar started by app in /app)"),
        (6, "c.e.orders.OrdersServiceApplication", 'The following 1 profile is active: "prod"'),
        (1811, "o.s.b.w.embedded.tomcat.TomcatWebServer", "Tomcat initialized with port 8080 (http)"),
        (1830, "o.apache.catalina.core.StandardService", "Starting service [Tomcat]"),
        (1831, "o.apache.catalina.core.StandardEngine", "Starting Servlet engine: [Apache Tomcat/10.1.24]"),
        (1902, "o.a.c.c.C.[Tomcat].[localhost].[/]", "Initializing Spring embedded WebApplicationContext"),
        (1903, "w.s.c.ServletWebServerApplicationContext", "Root WebApplicationContext: initialization completed in 1797 ms"),
        (2240, "o.hibernate.jpa.internal.util.LogHelper", "HHH000204: Processing PersistenceUnitInfo [name: default]"),
        (2301, "org.hibernate.Version", "HHH000412: Hibernate ORM core version 6.4.8.Final"),
        (2630, "com.zaxxer.hikari.HikariDataSource", "HikariPool-1 - Starting..."),
        (2911, "com.zaxxer.hikari.pool.HikariPool", f"HikariPool-1 - Added connection org.postgresql.jdbc.PgConnection@{rng.randrange(16**8):08x}"),
        (2914, "com.zaxxer.hikari.HikariDataSource", "HikariPool-1 - Start completed."),
        (4420, "j.LocalContainerEntityManagerFactoryBean", "Initialized JPA EntityManagerFactory for persistence unit 'default'"),
        (5987, "o.s.b.a.e.web.EndpointLinksResolver", "Exposing 2 endpoint(s) beneath base path '/actuator'"),
        (6203, "o.s.b.w.embedded.tomcat.TomcatWebServer", "Tomcat started on port 8080 (http) with context path ''"),
        (6219, "c.e.orders.OrdersServiceApplication", "Started OrdersServiceApplication in 7.114 seconds (process running for 7.902)"),
    ]
    for ms, logger, msg in steps:
        out.append(spring(t0 + timedelta(milliseconds=ms), "INFO", "main", logger, msg))
    t1 = PODS[pod][2] - timedelta(milliseconds=310)
    out.append(spring(t1, "INFO", "http-nio-8080-exec-1", "o.a.c.c.C.[Tomcat].[localhost].[/]", "Initializing Spring DispatcherServlet 'dispatcherServlet'"))
    out.append(spring(t1 + timedelta(milliseconds=1), "INFO", "http-nio-8080-exec-1", "o.s.web.servlet.DispatcherServlet", "Initializing Servlet 'dispatcherServlet'"))
    out.append(spring(t1 + timedelta(milliseconds=3), "INFO", "http-nio-8080-exec-1", "o.s.web.servlet.DispatcherServlet", "Completed initialization in 2 ms"))
    return out


def shutdown(pod):
    t = PODS[pod][3] - timedelta(seconds=1, milliseconds=112)
    return [
        spring(t, "INFO", "tomcat-shutdown", "o.s.b.w.e.tomcat.GracefulShutdown", "Commencing graceful shutdown. Waiting for active requests to complete"),
        spring(t + timedelta(milliseconds=406), "INFO", "tomcat-shutdown", "o.s.b.w.e.tomcat.GracefulShutdown", "Graceful shutdown complete"),
        spring(t + timedelta(milliseconds=431), "INFO", "ionShutdownHook", "j.LocalContainerEntityManagerFactoryBean", "Closing JPA EntityManagerFactory for persistence unit 'default'"),
        spring(t + timedelta(milliseconds=437), "INFO", "ionShutdownHook", "com.zaxxer.hikari.HikariDataSource", "HikariPool-1 - Shutdown initiated..."),
        spring(t + timedelta(milliseconds=452), "INFO", "ionShutdownHook", "com.zaxxer.hikari.HikariDataSource", "HikariPool-1 - Shutdown completed."),
    ]


def main():
    app = {p: [] for p in PODS}
    for pod, (version, created, ready, stopped, ip) in PODS.items():
        if created:
            app[pod] += startup(pod, created + timedelta(seconds=1, milliseconds=rng.randrange(400)))
        if stopped:
            app[pod] += shutdown(pod)
    ingress = []
    exec_n = {p: 0 for p in PODS}
    stats = {"before": [0, 0], "after": [0, 0], "first_refund_500": None}

    def access(t, client, method, path, status, size, referer, agent, rtime, upstream, addr, reqid):
        proto = "HTTP/2.0" if rng.random() < 0.7 else "HTTP/1.1"
        reqlen = rng.randrange(180, 620) + (150 if method == "POST" else 0)
        ts = t.strftime("%d/%b/%Y:%H:%M:%S +0000")
        ingress.append((t, f'{client} - - [{ts}] "{method} {path} {proto}" {status} {size} "{referer}" "{agent}" '
                           f'{reqlen} {rtime:.3f} [{upstream}] [] {addr} {size} {max(rtime - 0.001, 0.0):.3f} {status} {reqid}'))

    # orders-service traffic, 80 requests a minute
    t = START
    while t < END:
        t += timedelta(seconds=rng.expovariate(80 / 60.0))
        pods = sorted(p for p in PODS if serving(p, t))
        pod = rng.choice(pods)
        method, tmpl = pick(ORDER_ROUTES)
        oid = rng.randrange(40_100_000, 40_990_000)
        path = tmpl.format(id=oid, p=rng.randrange(0, 4))
        rtime = rng.lognormvariate(-3.6, 0.5)
        exec_n[pod] = exec_n[pod] % 200 + 1
        thread = f"http-nio-8080-exec-{exec_n[pod] % 24 + 1}"
        done = t + timedelta(seconds=rtime)
        status, size = 200, rng.randrange(400, 5200)
        if tmpl.endswith("/refund"):
            if pod.startswith(f"orders-service-{NEW}"):
                status, size, rtime = 500, 163, rng.uniform(0.004, 0.012)
                done = t + timedelta(seconds=rtime)
                app[pod].append(spring(done, "ERROR", thread, "c.e.orders.web.GlobalExceptionHandler",
                                       f"Unhandled exception on POST /api/orders/{oid}/refund\n" + REFUND_TRACE.replace("{col}", str(rng.randrange(38, 71)))))
                if stats["first_refund_500"] is None:
                    stats["first_refund_500"] = done
            else:
                amount = f"{rng.randrange(5, 240)}.{rng.randrange(100):02d}"
                app[pod].append(spring(done, "INFO", thread, "c.e.orders.refund.RefundService",
                                       f"Refund {rng.randrange(10**6, 10**7)} issued for order {oid}: {amount} EUR via psp=adyen"))
                size = rng.randrange(180, 260)
        elif tmpl.endswith("/cancel"):
            u = rng.random()
            if u < 0.03:
                status, size = 500, 163
                app[pod].append(spring(done, "ERROR", thread, "c.e.orders.web.GlobalExceptionHandler",
                                       f"Unhandled exception on POST /api/orders/{oid}/cancel\n" + LOCK_TRACE))
            elif u < 0.12:
                status, size = 409, 121
                app[pod].append(spring(done, "WARN", thread, "c.e.orders.order.OrderService",
                                       f"Order {oid} cannot be cancelled in status SHIPPED"))
            else:
                app[pod].append(spring(done, "INFO", thread, "c.e.orders.order.OrderService", f"Order {oid} cancelled by customer"))
        elif "{id}" in tmpl and rng.random() < 0.012:
            status, size = 404, 96
        key = "after" if t >= DEPLOY + timedelta(seconds=90) else ("before" if t < DEPLOY else None)
        if key:
            stats[key][0] += 1
            stats[key][1] += status >= 500
        client = f"{rng.choice([203, 198, 192])}.{rng.randrange(0, 255)}.{rng.randrange(0, 255)}.{rng.randrange(1, 254)}"
        referer = f"https://shop.example.com/account/orders/{oid}" if "{id}" in tmpl else "https://shop.example.com/account/orders"
        access(done, client, method, path, status, size, referer, rng.choice(AGENTS), rtime + 0.001,
               "shop-orders-service-8080", f"{PODS[pod][4]}:8080", f"{rng.getrandbits(128):032x}")

    # catalog-service traffic, 40 requests a minute, with its own rare 502s
    t = START
    while t < END:
        t += timedelta(seconds=rng.expovariate(40 / 60.0))
        method, tmpl = pick(CATALOG_ROUTES)
        path = tmpl.format(c=rng.choice(CATEGORIES), p=rng.randrange(0, 6), sku=f"SKU-{rng.randrange(10000, 99999)}")
        rtime = rng.lognormvariate(-3.9, 0.45)
        status, size = (502, 150) if rng.random() < 0.002 else (200, rng.randrange(900, 24000))
        client = f"{rng.choice([203, 198, 192])}.{rng.randrange(0, 255)}.{rng.randrange(0, 255)}.{rng.randrange(1, 254)}"
        access(t + timedelta(seconds=rtime), client, method, path, status, size, "https://shop.example.com/", rng.choice(AGENTS),
               rtime + 0.001, "shop-catalog-service-8080", f"{rng.choice(CATALOG_IPS)}:8080", f"{rng.getrandbits(128):032x}")

    # the controller's own klog lines (year-less): a service of another team without endpoints
    t = START + timedelta(minutes=4, seconds=17)
    while t < END:
        ingress.append((t, f"W{t.strftime('%m%d %H:%M:%S.')}{t.microsecond:06d}       7 controller.go:1214] Service \"shop/recs-service\" does not have any active Endpoint."))
        t += timedelta(minutes=rng.randrange(9, 16), seconds=rng.randrange(60), microseconds=rng.randrange(10**6))

    for pod in PODS:
        app[pod] += [spring(at(9, 30) + timedelta(minutes=m, seconds=rng.randrange(60)), "WARN", "HikariPool-1 housekeeper",
                            "com.zaxxer.hikari.pool.HikariPool", "HikariPool-1 - Thread starvation or clock leap detected (housekeeper delta=1m4s).")
                     for m in (rng.randrange(5, 80),) if serving(pod, at(9, 30) + timedelta(minutes=m))]
    out = HERE / "logs" / "orders-service"
    out.mkdir(parents=True, exist_ok=True)
    for pod, lines in app.items():
        lines = [l for l in lines if l[0] >= START]
        lines.sort(key=lambda x: x[0])
        (out / f"{pod}.log").write_text("".join(l + "\n" for _, l in lines))
    out = HERE / "logs" / "ingress-nginx"
    out.mkdir(parents=True, exist_ok=True)
    ingress.sort(key=lambda x: x[0])
    (out / "ingress-nginx-controller-6c7b8d9f5-qk2xz.log").write_text("".join(l + "\n" for _, l in ingress))
    b, a = stats["before"], stats["after"]
    print(f"orders-service via ingress: before {b[1]}/{b[0]} = {b[1] / b[0]:.4f}, after {a[1]}/{a[0]} = {a[1] / a[0]:.4f}")
    print("first refund 500:", stats["first_refund_500"].isoformat())


if __name__ == "__main__":
    main()
