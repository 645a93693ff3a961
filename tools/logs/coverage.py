"""What was read of the logs, and what was not, in words: so "no errors" is only ever said of logs read.

A file is *unreadable* when not one of its lines could be understood (a binary file, a layout the
sniff does not know, a file that failed to open); *mostly unread* when more than half of its lines
were not. When every line of the inputs is unreadable there is nothing to investigate: that is bad
input, one line naming the files and the first line that could not be read.
"""

from __future__ import annotations

from collections.abc import Sequence

from wicked_platform.tools.logs.models import LogFileStats
from wicked_platform.tools.redaction import redact

MOSTLY_UNREAD = 0.5
MAX_FILE_NOTES = 20  # files named in the report's notes; the rest are counted in one note
MAX_NAMED = 3
MAX_SHOWN_CHARS = 120


def unreadable(files: Sequence[LogFileStats]) -> list[LogFileStats]:
    """Files of which no line was understood (empty files are not: they hold nothing to misread)."""
    return [f for f in files if f.error is not None or f.binary or (f.lines and not f.parsed and not f.outside_window)]


def mostly_unread(files: Sequence[LogFileStats]) -> list[LogFileStats]:
    return [f for f in files if (f.lines or f.error or f.binary) and f.unread_share > MOSTLY_UNREAD]


def why_unread(f: LogFileStats) -> str:
    """`app.jpg: not text`, `x.log: 1,980 of 2,000 lines not understood (first: '...')`."""
    if f.error is not None:
        return f"{f.path}: could not be read ({f.error})"
    if f.binary:
        return f"{f.path}: not text (binary data)"
    said = f"{f.path}: {f.unparsed:,} of {f.lines:,} lines not understood"
    if f.first_unread:
        shown = redact(f.first_unread.strip())
        shown = shown if len(shown) <= MAX_SHOWN_CHARS else shown[:MAX_SHOWN_CHARS] + "…"
        said += f" (first: {shown!r})"
    return said


def nothing_readable(files: Sequence[LogFileStats]) -> str | None:
    """The one line that stops an investigation whose inputs hold lines and none of them readable."""
    if not files or any(f.parsed or f.outside_window for f in files):
        return None
    if not any(f.lines or f.error or f.binary for f in files):
        return None  # empty inputs: the report says the logs held no lines
    bad = unreadable(files)
    named = "; ".join(why_unread(f) for f in bad[:MAX_NAMED])
    more = f"; and {len(bad) - MAX_NAMED} more" if len(bad) > MAX_NAMED else ""
    return (f"--log: no line could be read as a log (a timestamp in a layout this tool knows): {named}{more}. "
            "Pass log files; see the README's list of formats")


def read_summary(files: Sequence[LogFileStats], left_out: Sequence[str] = ()) -> str:
    """One sentence on what was read: `Read 2,000 lines of 1 log file.`, naming what was not; `left_out`: the
    files of another period than the one investigated (investigation_window.py), counted in one more sentence."""
    missing = unreadable(files)
    read = [f for f in files if f not in missing]
    lines = sum(f.parsed + f.continuation for f in read)  # parsed counts the lines outside the window too
    sentence = f"Read {lines:,} lines of {len(read)} log file{'' if len(read) == 1 else 's'}"
    unread_lines = sum(f.unparsed for f in read)
    if unread_lines:
        sentence += f" ({unread_lines:,} lines not understood)"
    if missing:
        names = ", ".join(f.path for f in missing[:MAX_NAMED]) + (f" and {len(missing) - MAX_NAMED} more"
                                                                if len(missing) > MAX_NAMED else "")
        sentence += f"; could not read {names}"
    if left := len(left_out):
        sentence += (f". {left} of them {'lies' if left == 1 else 'lie'} far apart in time from the period investigated "
                     f"and {'was' if left == 1 else 'were'} left out (see the notes)")
    return sentence + "."


def file_notes(files: list[LogFileStats], limit: int = MAX_FILE_NOTES) -> list[str]:
    """Per file, what could not be read: the file, the lines not understood, what was repaired.

    A directory of thousands of files gets `limit` notes and one line counting the rest.
    """
    notes: list[str] = []
    for f in files:
        if f.error:
            notes.append(f"{f.path}: could not be read ({f.error})")
            continue
        said = []
        if f.unparsed:
            said.append(f"{f.unparsed} of {f.lines} lines not understood as {f.format.value}")
        if f.warning:
            said.append(f.warning)
        if said:
            notes.append(f"{f.path}: " + "; ".join(said))
    if len(notes) > limit:
        rest = len(notes) - limit
        notes = notes[:limit] + [f"... and {rest} more files with lines not read or not understood (inputs.logs counts each)"]
    return notes
