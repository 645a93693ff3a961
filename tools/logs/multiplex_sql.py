"""The queries that read a wrapped file of several streams (sniff_multiplex.py), each in its own layout.

Each stream's query is the file's usual one (file_query.py) over the lines whose prefix names one of its
streams (`wrappers.stream_sql`, a string cut run by DuckDB on every line: no line goes through Python).
The file's own layout reads every line no other stream takes, so each line is read exactly once and the
file's counts (read, unread, continuation) stay whole. Streams whose stamps carry no year come last, so
their year may come from the other streams' lines (scan.py's year rule reads what was read before it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from wicked_platform.tools.logs.file_query import Window, count_query, file_query, read_lines_sql
from wicked_platform.tools.logs.line_sql import line_sql
from wicked_platform.tools.logs.models import LogFormat
from wicked_platform.tools.logs.sniff import FileLayout
from wicked_platform.tools.logs.sql_text import quote
from wicked_platform.tools.logs.stamped_sql import YearRule
from wicked_platform.tools.logs.wrappers import stream_sql


def stream_layouts(layout: FileLayout) -> list[tuple[FileLayout, str]]:
    """Each stream's layout (the file's path and service) and the SQL condition over `line` that picks its
    lines; the file's own layout first, with every line the others do not take."""
    key = stream_sql(layout.wrapper, "line") if layout.wrapper is not None else None
    if key is None or not layout.streams:
        return [(layout, "true")]
    taken = ", ".join(quote(name) for stream in layout.streams for name in stream.names)
    reads = [(layout.model_copy(update={"streams": []}), f"{key} NOT IN ({taken})")]
    for stream in layout.streams:
        names = ", ".join(quote(name) for name in stream.names)
        own = stream.layout.model_copy(update={"path": layout.path, "service": layout.service,
                                                "wrapper": layout.wrapper})
        reads.append((own, f"{key} IN ({names})"))
    return sorted(reads, key=lambda read: read[0].year_less)  # stable: the file's own layout stays first


def stream_queries(
    file_id: int, layout: FileLayout, window: Window, tz: str, *, gzip: bool, years: Callable[[FileLayout], YearRule],
) -> Iterator[str]:
    """The INSERT queries of the file's streams, in the order to run them (parameter $path: the file).
    `years(stream_layout)`: the year rule of a stream's year-less stamps, asked for when its query is built,
    so after the queries before it ran."""
    for stream_layout, picks in stream_layouts(layout):
        lines = f"SELECT * FROM ({read_lines_sql('$path', gzip=gzip, strip_ansi=stream_layout.strip_ansi)}) WHERE {picks}"
        if stream_layout.format == LogFormat.UNKNOWN:
            yield count_query(file_id, stream_layout, lines)
            continue
        yield file_query(file_id, stream_layout, line_sql(stream_layout, year=years(stream_layout)), window, tz, lines)
