"""A copy of a log file that DuckDB refused, as it can read it: the scan's repair, for the files that need one.

The scan reads a file as it is; only when DuckDB refuses it (invalid UTF-8, a line past its length limit, a gzip
stream cut short) does it read this copy instead, and say what was repaired.
"""

from __future__ import annotations

import codecs
from pathlib import Path

import duckdb

from wicked_platform.tools.logs.streams import byte_chunks

COPY_CHUNK_BYTES = 1 << 19  # fewer characters than LONG_LINE_CHARS: see cut_long_lines
LONG_LINE_CHARS = 1 << 20  # a repaired copy keeps this much of a longer line (DuckDB's limit is bytes: 4 per character at most)


def repaired_copy(path: Path, target: Path, problems: list[str]) -> Path:
    """The file as DuckDB can read it: valid UTF-8, lines cut to LONG_LINE_CHARS, plain text.

    Each invalid byte becomes U+FFFD — what decode(errors="replace") gives. DuckDB refuses invalid
    UTF-8, and its latin-1 reader refuses the bytes 0x80-0x9F that most non-Latin UTF-8 text (€, CJK,
    emoji) is made of, so the only exact repair is a copy. A line longer than DuckDB's limit (a
    10 MB dump without a newline) keeps its head, so its stamp and level still read. A gzip stream
    cut short gives the lines before the cut. Line ends become \n. The copy is streamed in chunks by
    the C codec; only the first and last line of a chunk are looked at in Python, and only files DuckDB
    refused pay for it.
    """
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    run = cut = 0  # characters of the line the next chunk continues; lines cut
    held_cr = False  # a chunk ended in \r: it may be half of a \r\n
    with target.open("w", encoding="utf-8", newline="") as out:
        for chunk in [*byte_chunks(path, problems, COPY_CHUNK_BYTES), None]:
            text = ("\r" if held_cr else "") + (decoder.decode(chunk) if chunk is not None else decoder.decode(b"", final=True))
            held_cr = chunk is not None and text.endswith("\r")
            # \r\n and a lone \r end a line for DuckDB too; read with both, its reader loses text after a lone \r.
            text = (text[:-1] if held_cr else text).replace("\r\n", "\n").replace("\r", "\n")
            text, run, crossed = cut_long_lines(text, run)
            out.write(text)
            cut += crossed
    if cut:
        problems.append(f"{cut} line{'s' if cut > 1 else ''} longer than {LONG_LINE_CHARS:,} characters "
                        f"{'were' if cut > 1 else 'was'} cut to {'their' if cut > 1 else 'its'} first {LONG_LINE_CHARS:,}")
    return target


def cut_long_lines(text: str, run: int) -> tuple[str, int, int]:
    """`text` without the characters of any line past LONG_LINE_CHARS, the length of the line its end
    leaves open, and whether a line crossed the limit here. `run`: characters of the line it continues.

    A chunk holds fewer characters than LONG_LINE_CHARS, so only its first line (which continues the
    last chunk's) can be too long, and its last line only grows in the next chunk.
    """
    first = text.find("\n")
    if first < 0:
        head, rest, tail = text, "", None
    else:
        last = text.rfind("\n")
        head, rest, tail = text[:first], text[first : last + 1], text[last + 1 :]
    crossed = int(run <= LONG_LINE_CHARS < run + len(head))
    head = head[: max(0, LONG_LINE_CHARS - run)]
    if tail is None:
        return head, run + len(text), crossed
    return head + rest + tail, len(tail), crossed


def is_repairable(exc: duckdb.Error) -> bool:
    """Invalid UTF-8, a line past MAX_LINE_BYTES, a gzip stream cut short: what a repaired copy reads."""
    text = str(exc).lower()
    return any(word in text for word in ("unicode", "utf-8", "utf8", "encod", "maximum line size", "gzip", "end of stream"))
