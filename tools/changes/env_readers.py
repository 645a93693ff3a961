"""How code names the environment variables it reads: one row per shape, each with a real line and its source.

An environment variable is a name a command may set only where something reads it. This catalogue is
what "reads it" means in code: `os.environ.get("PORT")`, `process.env.PORT`, `os.Getenv("PORT")`,
`System.getenv("PORT")`, `${PORT:8080}` in a Spring or compose file. A name built at run time
(`os.Getenv(envKey)`) names nothing a reader can point at, and is not read here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath

_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_UPPER = r"[A-Z_][A-Z0-9_]*"
_CODE = frozenset({".py", ".js", ".jsx", ".mjs", ".cjs", ".ts", ".tsx", ".mts", ".cts", ".go", ".java", ".kt", ".kts",
                   ".scala", ".groovy", ".cs", ".rb", ".erb", ".rs"})
_PLACEHOLDER_FILES = frozenset({".properties", ".yml", ".yaml", ".conf", ".toml", ".ini", ".env", ".sh", ".bash", ".tt"})


@dataclass(frozen=True)
class EnvReadShape:
    """One way code reads an environment variable by name."""

    shape: str
    pattern: re.Pattern[str]
    suffixes: frozenset[str]
    sample: str
    names: tuple[str, ...]
    source: str


# Each read shape once; the catalogue below has a row per real sample of it.
_OS_ENVIRON = re.compile(rf"\benviron(?:\.get)?\s*[\[(]\s*[\"'](?P<name>{_NAME})[\"']")
_PROCESS_ENV = re.compile(rf"\bprocess\.env(?:\.(?P<name>{_NAME})|\[\s*[\"'`](?P<quoted>{_NAME})[\"'`]\s*\])")
_SYSTEM_GETENV = re.compile(rf"\bSystem\.getenv\s*\(\s*(?:\)\s*\.\s*(?:get|getOrDefault|containsKey)\s*\(\s*)?"
                            rf"\"(?P<name>{_NAME})\"")
_PLACEHOLDER = re.compile(rf"\$\{{(?P<name>{_UPPER})(?=[:}}?+-])")

SHAPES: tuple[EnvReadShape, ...] = (
    EnvReadShape(
        "os.environ", _OS_ENVIRON, _CODE,
        "  port = os.environ.get('PORT', \"8080\")", ("PORT",),
        "GoogleCloudPlatform/microservices-demo src/emailservice/email_server.py:129",
    ),
    EnvReadShape(
        "os.environ", _OS_ENVIRON, _CODE,
        "    project_id = os.environ[\"GCP_PROJECT_ID\"]", ("GCP_PROJECT_ID",),
        "GoogleCloudPlatform/microservices-demo src/emailservice/email_server.py:142",
    ),
    EnvReadShape(
        "os.getenv", re.compile(rf"(?:\bos\.|(?<![\w.]))getenv\s*\(\s*[\"'](?P<name>{_NAME})[\"']"), _CODE,
        "      otel_endpoint = os.getenv(\"COLLECTOR_SERVICE_ADDR\", \"localhost:4317\")", ("COLLECTOR_SERVICE_ADDR",),
        "GoogleCloudPlatform/microservices-demo src/emailservice/email_server.py:182",
    ),
    EnvReadShape(
        "process.env", _PROCESS_ENV,
        _CODE, "const PORT = process.env.PORT;", ("PORT",),
        "GoogleCloudPlatform/microservices-demo src/currencyservice/server.js:83",
    ),
    EnvReadShape(
        "process.env", _PROCESS_ENV,
        _CODE, "const PORT = process.env['PORT'];", ("PORT",),
        "GoogleCloudPlatform/microservices-demo src/paymentservice/index.js:70",
    ),
    EnvReadShape(
        "os.Getenv", re.compile(rf"\bos\.(?:Getenv|LookupEnv)\s*\(\s*\"(?P<name>{_NAME})\""), _CODE,
        "\tif os.Getenv(\"ENABLE_TRACING\") == \"1\" {", ("ENABLE_TRACING",),
        "GoogleCloudPlatform/microservices-demo src/checkoutservice/main.go:90",
    ),
    EnvReadShape(
        "System.getenv", _SYSTEM_GETENV, _CODE,
        "    int port = Integer.parseInt(System.getenv().getOrDefault(\"PORT\", \"9555\"));", ("PORT",),
        "GoogleCloudPlatform/microservices-demo src/adservice/src/main/java/hipstershop/AdService.java:54",
    ),
    EnvReadShape(
        "System.getenv", _SYSTEM_GETENV, _CODE,
        "    if (System.getenv(\"DISABLE_STATS\") != null) {", ("DISABLE_STATS",),
        "GoogleCloudPlatform/microservices-demo src/adservice/src/main/java/hipstershop/AdService.java:196",
    ),
    EnvReadShape(
        # ASP.NET Core's configuration reads the environment; an upper-case key is how it is named there.
        ".NET configuration", re.compile(rf"\b(?:Environment\.GetEnvironmentVariable\s*\(\s*|Configuration\s*\[\s*)"
                                         rf"\"(?P<name>{_UPPER})\""), _CODE,
        "            string redisAddress = Configuration[\"REDIS_ADDR\"];", ("REDIS_ADDR",),
        "GoogleCloudPlatform/microservices-demo src/cartservice/src/Startup.cs:29",
    ),
    EnvReadShape(
        "ENV.fetch", re.compile(rf"\bENV(?:\.fetch\s*\(\s*|\s*\[\s*)[\"'](?P<name>{_NAME})[\"']"),
        _CODE | frozenset({".yml", ".yaml", ".tt"}),
        "  pool: <%%= ENV.fetch(\"RAILS_MAX_THREADS\") { 5 } %>", ("RAILS_MAX_THREADS",),
        "rails/rails railties/lib/rails/generators/rails/app/templates/config/databases/sqlite3.yml.tt:9",
    ),
    EnvReadShape(
        "${VAR} placeholder", _PLACEHOLDER, _PLACEHOLDER_FILES,
        "spring.datasource.url=${MYSQL_URL:jdbc:mysql://localhost/petclinic}", ("MYSQL_URL",),
        "spring-projects/spring-petclinic src/main/resources/application-mysql.properties:3 (cbc076b8)",
    ),
    EnvReadShape(
        "${VAR} placeholder", _PLACEHOLDER, _PLACEHOLDER_FILES,
        "    image: \"webapp:${TAG}\"", ("TAG",),
        "docs.docker.com/compose/how-tos/environment-variables/variable-interpolation (compose.yaml)",
    ),
)

GREP_PATTERN = (r"environ|getenv|Getenv|LookupEnv|process\.env|GetEnvironmentVariable|Configuration *\[|ENV *\[|ENV\.fetch"
                r"|\$\{[A-Z_]")
"""A superset of every shape, for `git grep -E` to pick the lines worth reading (ERE: no `\\b`, no groups)."""


def is_dotenv(path: str) -> bool:
    """A dotenv file (`.env`, `.env.production`, `app.env`): every line of it assigns an environment variable,
    which the process reads by that name (dotenv loaders and compose `env_file` leave a variable already set alone,
    so one set on the workload overrides the file)."""
    name = PurePosixPath(path).name.lower()
    return name == ".env" or name.startswith(".env.") or name.endswith(".env")


def _suffix(path: str) -> str:
    name = PurePosixPath(path).name.lower()
    if name == "dockerfile" or name.startswith(".env"):
        return ".env"
    return PurePosixPath(name).suffix


def env_reads(path: str, line: str) -> list[tuple[str, str]]:
    """(variable, shape) for each environment variable `line` of `path` reads by name."""
    suffix = _suffix(path)
    found: dict[str, str] = {}
    for shape in SHAPES:
        if suffix not in shape.suffixes:
            continue
        for match in shape.pattern.finditer(line):
            name = next((value for value in match.groupdict().values() if value), None)
            if name and name not in found:
                found[name] = shape.shape
    return sorted(found.items())


_PLACEHOLDER_VALUE = re.compile(rf"^\$\{{(?P<name>{_UPPER})(?::-?|-)(?P<default>[^{{}}$]*)\}}$")


def placeholder(value: str | None) -> tuple[str, str] | None:
    """`${DB_POOL_SIZE:10}` (Spring) or `${DB_POOL_SIZE:-10}` (compose, shell): the variable and its default.

    A value that is one placeholder with a default names the variable that sets it: restoring the
    old default is setting that variable to it."""
    match = _PLACEHOLDER_VALUE.match((value or "").strip())
    return (match.group("name"), match.group("default")) if match else None
