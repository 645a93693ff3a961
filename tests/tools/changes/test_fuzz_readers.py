"""Property-based: the files a user hands over and the commits a repository holds are read, or
refused with one line that names what to fix — never an exception a user would see as a traceback.

- a deploys file (`--deploys`) and a context file (`--context`) of any bytes or any YAML shape:
  a list of records / a context, or DeploysFileError / ContextError with one line naming the file;
- commits whose subject and author hold any bytes git accepts — the separators the history reader
  splits on (\\x1e, \\x1f) included, invalid UTF-8, control characters — read back one commit each.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import assume, given
from hypothesis import strategies as st
from support.fuzz import fuzz
from support.git_repos import GitRepo

from wicked_platform.tools.changes.deploys_file import DeploysFileError, load_deploys_file
from wicked_platform.tools.changes.git_history import commit_diff, read_history
from wicked_platform.tools.context import ContextError, load_context
from wicked_platform.tools.redaction import redact

_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-10**20, 10**20), st.floats(allow_nan=True),
                     st.text(max_size=30), st.sampled_from([
                         "2024-01-15T14:20:00Z", "9999-12-31T23:59:59-01:00", "0001-01-01T00:00:00+01:00", "yesterday",
                         "2024-01-15 14:20:00", "1705328400", "checkout-api", "v2.4.1", "9e0aed7"]))
_KEYS = st.one_of(st.sampled_from(["service", "app", "at", "started_at", "completed_at", "version", "commit", "deploys",
                                   "services", "critical", "depends_on", "requests_per_minute", "baseline_error_rate",
                                   "active_users", "revenue_per_hour", "config_env", "namespace", "deployment",
                                   "revenue_threshold_per_hour", "checkout-api"]), st.text(max_size=10))
DOCUMENTS = st.recursive(_SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                           st.dictionaries(_KEYS, inner, max_size=5)), max_leaves=25)
_CHUNKS = st.sampled_from(["deploys:\n", "- ", "  ", "service: a\n", "at: 2024-01-15T14:20:00Z\n", "&x ", "*x", "!!python/object:os.system\n",
                           "{", "}", "[", "]", "\n", '"', "'", ":", "\t", "\x00", "\xff", "%YAML 1.1\n", "---\n", "? ", "|\n", "<<: *x\n"])
FILE_BYTES = st.one_of(
    DOCUMENTS.map(lambda d: yaml.safe_dump(d, allow_unicode=True).encode()),
    DOCUMENTS.map(lambda d: json.dumps(d).encode()),
    st.lists(DOCUMENTS, max_size=4).map(lambda ds: "".join(json.dumps(d) + "\n" for d in ds).encode()),
    st.lists(_CHUNKS, max_size=30).map(lambda cs: "".join(cs).encode("utf-8", "surrogateescape")),
    st.binary(max_size=200),
    st.sampled_from([b"[" * 5000, b"{a: " * 3000, b"\xef\xbb\xbfdeploys: []\n", b"\xff\xfeservices: {}\n"]),
)


def _one_line(message: str, path: Path) -> None:
    assert "\n" not in message and str(path) in message, message


def _read_or_refused(data: bytes, name: str, load, error: type[ValueError]):
    """`load` of a file holding `data`: what it read, or None when it refused in one line naming the file."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        try:
            return load(path)
        except error as exc:
            _one_line(str(exc), path)
            return None


@fuzz(150)
@given(FILE_BYTES)
def test_any_deploys_file_is_read_or_refused_in_one_line(data):
    records = _read_or_refused(data, "deploys.yaml", load_deploys_file, DeploysFileError)
    if records is None:
        return
    assert [r.at for r in records] == sorted(r.at for r in records)
    assert all(r.service and r.at.tzinfo is not None for r in records)


@fuzz(150)
@given(FILE_BYTES)
def test_any_context_file_is_read_or_refused_in_one_line_naming_the_field(data):
    context = _read_or_refused(data, "incident-context.yaml", load_context, ContextError)
    if context is None:
        return
    for name, service in context.services.items():
        assert isinstance(name, str) and all(isinstance(d, str) for d in service.depends_on)


# Commits -----------------------------------------------------------------------------------------

_SUBJECT_BYTES = st.lists(st.one_of(st.sampled_from([b"\x1e", b"\x1f", b"\x1e\x1f", b"\xff", b"\xe2\x82", b"\x01", b"\x7f",
                                                     b"%H", b"%x1e", b"fix(api): ", b"password=hunter2", b"\t", b"\r"]),
                                    st.binary(max_size=8)), min_size=1, max_size=10).map(b"".join)


@fuzz(15)
@given(st.lists(st.tuples(_SUBJECT_BYTES, st.binary(max_size=40), st.text(max_size=12)), min_size=1, max_size=3))
def test_any_commit_subject_and_author_read_back_one_commit_each(commits):
    with tempfile.TemporaryDirectory() as tmp:
        repo = GitRepo(Path(tmp) / "repo")
        made = []
        for index, (subject, body, author) in enumerate(commits):
            message = subject.replace(b"\x00", b"").replace(b"\n", b" ") + b"\n\n" + body.replace(b"\x00", b"") + b"\n"
            author = "".join(c for c in author if c not in "<>\n\x00") or "x"
            try:
                sha = repo.commit(message, author=f"{author} <a@example.com>", at=f"2024-01-15T12:{index:02d}:00Z")
            except Exception:  # noqa: BLE001 - git refuses some identities; those commits cannot exist
                assume(False)
            made.append(sha)
        history = read_history(repo.path)
        assert [c.sha for c in history.commits] == made[::-1]
        for commit in history.commits:
            assert len(commit.sha) == 40 and commit.committed_at.year == 2024
        diff = commit_diff(repo.path, made[-1])
        assert diff.commit.sha == made[-1] and diff.commit.subject == redact(history.commits[0].subject)


def test_a_key_holding_a_line_break_is_named_on_one_line(tmp_path):
    path = tmp_path / "incident-context.yaml"
    path.write_bytes(b"? '\n\n  '\n: null\n")  # found by the fuzzer: a key that is a line break
    with pytest.raises(ContextError) as refused:
        load_context(path)
    _one_line(str(refused.value), path)
    assert "'\\n': unknown key" in str(refused.value)
