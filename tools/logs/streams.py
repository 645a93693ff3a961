"""A log file's bytes, plain or gzip, read in bounded chunks and never refused for a damaged stream.

A rotated log is often cut short (copied while still being written, a disk that filled up): its
gzip stream then has no end. `gzip` raises on that and loses everything; here the data before the
damage is kept and the damage is told in `problems`, so the scan reads what can be read and says
what it could not.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from pathlib import Path

GZIP_MAGIC = b"\x1f\x8b"
CHUNK_BYTES = 1 << 19
"""Compressed bytes read, and decompressed bytes produced, per step: memory stays bounded on a gzip bomb."""


def byte_chunks(path: Path, problems: list[str], chunk_bytes: int = CHUNK_BYTES) -> Iterator[bytes]:
    """The file's content (decompressed when it starts like gzip) in chunks of at most `chunk_bytes`."""
    with path.open("rb") as raw:
        compressed = raw.read(2) == GZIP_MAGIC
        raw.seek(0)
        if not compressed:
            while chunk := raw.read(chunk_bytes):
                yield chunk
            return
        yield from _gunzip(raw, problems, chunk_bytes)


def _gunzip(raw, problems: list[str], chunk_bytes: int) -> Iterator[bytes]:
    """The members of a gzip stream one after another; a cut or corrupt stream ends the data there."""
    inflater = zlib.decompressobj(wbits=31)
    in_member = False  # a member has started and not yet ended
    data, pending = b"", False  # pending: output was cut at chunk_bytes, more may follow without input
    while True:
        if not data and not pending:
            data = raw.read(chunk_bytes)
            if not data:
                break
        in_member = True
        try:
            out = inflater.decompress(data, chunk_bytes)
        except zlib.error as exc:
            problems.append(f"gzip data is corrupt ({exc}); only the lines before it were read")
            return
        if out:
            yield out
        if inflater.eof:
            in_member, pending = False, False
            data = inflater.unused_data or raw.read(chunk_bytes)
            if data and not data.startswith(GZIP_MAGIC):
                if data.strip(b"\0") or raw.read(chunk_bytes).strip(b"\0"):  # zero padding is usual; the rest is not
                    problems.append("bytes after the end of the gzip stream were ignored")
                return
            inflater = zlib.decompressobj(wbits=31)
            continue
        data, pending = inflater.unconsumed_tail, len(out) == chunk_bytes
    if in_member:
        problems.append("the gzip stream ends early (a truncated file?); the lines before the cut were read")
