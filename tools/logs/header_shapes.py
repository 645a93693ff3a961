"""The catalogue of headers a plain line may carry between its level and its message.

Some layouts write fields after the level that are neither the message nor, usually, a service: Spring
Boot's `12345 --- [thread] logger : message`. Read as the message, they make every line's signature start
with a process id and a thread, and a service written among them (Spring Boot 3.2+'s `[app]`) is lost. Each
row here is one such header: a pattern over what follows the level (Python's `re` and DuckDB's RE2 alike,
see formats.py), whose named group `service`, when it takes part, is the line's service; the message is
what follows the header. A sniffed file whose lines nearly all carry a row's header is read with it
(sniff.py, line_sql.py); adding a layout is adding a row and its samples.

Samples are written by this project in the layouts named.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from wicked_platform.tools.logs import formats
from wicked_platform.tools.logs.levels import LEVEL_CLASSES


class HeaderSample(BaseModel):
    """A whole line of the layout, and what its header leaves: the service it names (None: none) and the message."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    line: str
    service: str | None
    message: str


class HeaderShape(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    pattern: str  # anchored at what follows the level; a named group `service` where the header names one
    source: str
    samples: tuple[HeaderSample, ...]


HEADERS: tuple[HeaderShape, ...] = (
    HeaderShape(
        name="spring-boot",
        # `%5p ${PID} --- [${APPLICATION_NAME}] [%15.15t] ${LOG_CORRELATION_PATTERN}%-40.40logger{39} : %m`. The
        # `---` after the process id opens the fields. The thread is cut or padded to 15 characters, so a first
        # bracket followed by a 15-character one is the application's name (Boot 3.2+, when
        # spring.application.name is set); a lone bracket is the thread (Boot 2, 3.0, 3.1, or no name); a
        # bracket after the thread is the correlation id (`[traceId-spanId] `). The logger is padded before ` : `.
        pattern=(r"(?:[0-9]+[ \t]+)?---[ \t]+(?:\[(?P<service>[^\] \t]+)\][ \t]+\[[^\]]{15}\]|\[[^\]]*\])"
                 r"[ \t]+(?:\[[^\]]*\][ \t]+)?[^ \t]+[ \t]+:(?:[ \t]|$)"),
        source="Spring Boot's default console and file layout (`defaults.xml`: CONSOLE_LOG_PATTERN / FILE_LOG_PATTERN)",
        samples=(
            HeaderSample(
                line="2024-01-15T14:23:15.123Z ERROR 12345 --- [checkout-api] [nio-8080-exec-1] "
                     "c.e.checkout.PaymentClient               : Payment timed out after 500 ms",
                service="checkout-api", message="Payment timed out after 500 ms"),
            HeaderSample(
                line="2024-01-15 14:23:15.123  WARN 12345 --- [nio-8080-exec-1] c.e.c.PaymentClient                      "
                     ": Retrying payment for order ORD-1001",
                service=None, message="Retrying payment for order ORD-1001"),
            HeaderSample(
                line="2024-01-15T14:23:15.123+01:00  INFO 7 --- [cart] [           main] "
                     "[65a5f3c0e1d2b4a6f7e8d9c0b1a2f3e4-a1b2c3d4e5f60718] o.s.b.w.embedded.tomcat.TomcatWebServer  "
                     ": Tomcat started on port 8080 (http) with context path ''",
                service="cart", message="Tomcat started on port 8080 (http) with context path ''"),
        ),
    ),
)

BY_NAME = {header.name: header for header in HEADERS}
HEADER_SHARE = 0.8
"""Of a file's sampled plain lines, those carrying a row's header: enough to read the file with it."""

_COMPILED = [(header, formats.compile_shared(header.pattern)) for header in HEADERS]
_LEVEL = formats.compile_shared(r"(?:^|[ \t])" + formats.level_word(list(LEVEL_CLASSES)) + r"[ \t]+")


def after_level(line: str) -> str | None:
    """What follows a line's first level word (`ERROR`, `[WARN]`), where a header would stand; None without one."""
    match = _LEVEL.search(line)
    return line[match.end():] if match else None


def sniff_header_of_lines(lines: list[str]) -> str | None:
    """sniff_header of what follows the level of lines whose level stands anywhere in their head."""
    return sniff_header([rest for line in lines if (rest := after_level(line)) is not None])


def sniff_header(rests: list[str]) -> str | None:
    """The header nearly all of `rests` (what follows each sampled line's level) open with: its name, or None."""
    if not rests:
        return None
    for header, pattern in _COMPILED:
        if sum(1 for rest in rests if pattern.match(rest)) >= HEADER_SHARE * len(rests):
            return header.name
    return None
