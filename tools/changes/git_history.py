"""What git knows about the changes: history, one commit's diff, the services a repository holds.

Read-only: every call runs git plumbing or `git log` with an argument list (never a shell string),
through git_sandbox (so no repository can make it run a program), and writes nothing to the repository. A repository with 100k commits is read with one `git log`
for the history, not by walking commit objects one by one in Python.
"""

from __future__ import annotations

import re
import secrets
from collections import defaultdict
from collections.abc import Collection, Iterator
from contextlib import ExitStack, contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from pathlib import Path

from git import Repo
from git.exc import GitCommandError, GitCommandNotFound
from git.objects import Blob, Tree

from wicked_platform.tools.changes.config_values import MAX_PARSE_CHARS, config_changes, has_config_reader
from wicked_platform.tools.changes.git_sandbox import GitMissing, RepoRefused, failure_line, locate, open_repository
from wicked_platform.tools.changes.models import Commit, CommitDiff, ConfigValueChange, GitHistory, GrepHit
from wicked_platform.tools.changes.services import SERVICE_ROOTS, conventional_scope, service_for_path
from wicked_platform.tools.redaction import redact, redact_model
from wicked_platform.tools.timeutil import to_utc

MAX_CONFIG_FILES = 200
"""Files per commit whose full versions are read for changed values; a vendoring commit has thousands."""
MAX_CONFIG_CHANGES = 500
"""Changed values kept per commit: what a person (or a model) can read, and far more than a config change makes."""

_REDACTION_MARGIN = 4096
"""Characters read past the diff's bound, so a secret cut by the bound is still whole when redacted."""

# One record per commit: the record mark, the fixed fields split by \x1f, the author and the subject
# each after a field mark, then (with -z) NUL-separated file names. Author names and subjects may hold
# any byte but NUL, \x1e and \x1f included, so the marks carry a nonce no commit can know in advance.
_NONCE = secrets.token_hex(8)
_RECORD_MARK = f"\x1e{_NONCE}".encode()
_FIELD_MARK = f"\x1f{_NONCE}".encode()
_LOG_FORMAT = f"--format=%x1e{_NONCE}%H%x1f%at%x1f%ct%x1f{_NONCE}%an%x1f{_NONCE}%s"
_LOG_OPTIONS = ("--no-color", "--no-show-signature", "-z", "--name-only", "--no-renames", "--root")
_DIFF_OPTIONS = ("-p", "-r", "--no-commit-id", "--no-color", "--no-ext-diff", "--no-textconv", "--no-renames")

# A revision a person would type: names, shas, `HEAD~2`, `v2.4.1^`, `main@{1}`. Not an option, not
# whitespace or control characters, nothing a shell would act on — the ref is never given to a
# shell, but it is echoed into reports and commands people copy.
_REF_FORBIDDEN = re.compile(r"[\s\x00-\x1f\x7f;|&$`<>()\\'\"*?!#]")
_MAX_REF_LENGTH = 256


class RepoError(ValueError):
    """The repository cannot be read; the one-line message names the path, `reason` says why without it."""

    def __init__(self, message: str, *, reason: str | None = None) -> None:
        super().__init__(message)
        self.reason = reason or message


class RefError(ValueError):
    """A revision is malformed or names no commit; the message quotes it."""


# Opening ----------------------------------------------------------------------------------------


_SESSION: ContextVar[dict[Path, Repo | None] | None] = ContextVar("git_reading_session", default=None)
_SESSION_EXITS: ContextVar[ExitStack | None] = ContextVar("git_reading_session_exits", default=None)


@contextmanager
def reading() -> Iterator[None]:
    """Within this block, the reads of one repository share one opening: git locates it once, its sandboxed
    shadow is built once, and its `git cat-file` processes serve every read (an investigation makes about
    twenty). Each read still goes through git_sandbox; the shadows are removed when the block ends. Reads on
    other threads open their own, as outside a block."""
    if _SESSION.get() is not None:  # already inside one
        yield
        return
    with ExitStack() as exits:
        session_token, exits_token = _SESSION.set({}), _SESSION_EXITS.set(exits)
        try:
            yield
        finally:
            _SESSION.reset(session_token)
            _SESSION_EXITS.reset(exits_token)


@contextmanager
def _open(repo: Path) -> Iterator[Repo]:
    """The repository at or above `repo`, read through git_sandbox: none of its configuration is run."""
    session, exits = _SESSION.get(), _SESSION_EXITS.get()
    try:
        if session is not None and exits is not None:
            key = repo.absolute()
            if key not in session:
                found = _locate(repo)
                session[key] = None if found is None else exits.enter_context(open_repository(*found))
            git_repo = session[key]
            if git_repo is None:
                raise RepoError(f"--repo {repo}: not a git repository", reason="not a git repository")
            yield git_repo
            return
        found = _locate(repo)
        if found is None:
            raise RepoError(f"--repo {repo}: not a git repository", reason="not a git repository")
        with open_repository(*found) as git_repo:
            yield git_repo
    except RepoRefused as exc:
        raise RepoError(f"--repo {repo}: {exc.reason}", reason=exc.reason) from None
    except GitCommandError as exc:
        reason = failure_line(exc)
        raise RepoError(f"--repo {repo}: {reason}", reason=reason) from None


def _locate(repo: Path) -> tuple[Path, Path] | None:
    if not repo.exists():
        raise RepoError(f"--repo {repo}: no such directory", reason="no such directory")
    if not repo.is_dir():
        raise RepoError(f"--repo {repo}: not a directory", reason="not a directory")
    try:
        return locate(repo)
    except RepoRefused as exc:
        raise RepoError(f"--repo {repo}: {exc.reason}", reason=exc.reason) from None
    except (GitMissing, GitCommandNotFound) as exc:
        raise RepoError(f"--repo {repo}: {exc}", reason=str(exc)) from None


def is_git_repo(path: Path) -> bool:
    """Whether `path` is inside a git repository that git will read. RepoError when git finds one and
    refuses it (dubious ownership, a broken config): that is for the user to fix, not to read past."""
    return _locate(path) is not None


# History ----------------------------------------------------------------------------------------


def read_history(
    repo: Path, *, max_commits: int = 5000, known_services: Collection[str] = (),
    since: datetime | None = None, until: datetime | None = None,
) -> GitHistory:
    """HEAD's history, newest first, with the files, services, scope and tags of each commit.

    `since`/`until` bound the commits read by their commit time (git's own `--since`/`--until`, so
    git walks no further back than `since`); at most `max_commits` are read either way.
    """
    window = [f"--since={_git_time(since)}"] if since else []
    window += [f"--until={_git_time(until)}"] if until else []
    with _open(repo) as git_repo:
        shallow = git_repo.git.rev_parse("--is-shallow-repository").strip() == "true"
        head = _head(git_repo)
        if head is None:  # no commit yet (or HEAD points at nothing)
            return GitHistory(repo=str(repo), commits=[], shallow=shallow, head=None)
        service_dirs = set(_service_dirs(git_repo))
        limit = max(0, max_commits)
        raw = git_repo.git.log(
            *_LOG_OPTIONS, *_merge_option(git_repo), _LOG_FORMAT, f"--max-count={limit + 1}", *window,
            "--end-of-options", head, "--", stdout_as_string=False,
        )
        commits = list(_parse_log(raw, _tags_by_commit(git_repo), frozenset(known_services), service_dirs))
    return GitHistory(
        repo=str(repo), commits=commits[:limit], truncated=len(commits) > limit, shallow=shallow, head=head
    )


def commit_times(repo: Path, max_commits: int = 500) -> list[datetime]:
    """When HEAD's newest `max_commits` commits were committed, newest first: the times a change was made,
    which say which period of far-apart logs a change could have touched. Empty for a repository with none."""
    with _open(repo) as git_repo:
        head = _head(git_repo)
        if head is None:
            return []
        raw = git_repo.git.log("--format=%ct", f"--max-count={max(0, max_commits)}", "--end-of-options", head, "--")
    return [_git_epoch(line) for line in raw.split()]


def _head(git_repo: Repo) -> str | None:
    """HEAD's sha as git resolves it, None on an unborn branch (gitpython's own ref reader refuses the
    shadow's linked refs). Unpeeled, so a corrupt object fails the reads that follow instead of reading
    as an empty history."""
    try:
        return git_repo.git.rev_parse("--verify", "--quiet", "HEAD").strip() or None
    except GitCommandError as exc:
        if exc.status == 1 and not exc.stderr.strip():
            return None
        raise


def _git_time(value: datetime) -> str:
    """A time as git's date parser reads it exactly: seconds since the epoch and a zone."""
    return f"@{max(0, int(to_utc(value).timestamp()))} +0000"  # git reads no time before the epoch


def _merge_option(git_repo: Repo) -> tuple[str, ...]:
    """A merge's files are what it brought to its first parent (git 2.31+; older git lists none)."""
    return ("--diff-merges=first-parent",) if git_repo.git.version_info >= (2, 31) else ()


def _parse_log(
    raw: bytes, tags: dict[str, list[str]], known: Collection[str], service_dirs: Collection[str]
) -> Iterator[Commit]:
    service_of: dict[str, str | None] = {}  # the same files recur commit after commit
    for record in raw.split(_RECORD_MARK)[1:]:
        header, _, names = record.partition(b"\0")
        fixed, _, rest = header.partition(_FIELD_MARK)
        author, _, subject = (part.decode("utf-8", "replace") for part in rest.partition(_FIELD_MARK))
        sha, authored, committed = (fixed.decode("ascii", "replace").split("\x1f") + ["", ""])[:3]
        files = sorted({name.decode("utf-8", "replace") for name in names.lstrip(b"\n").split(b"\0") if name})
        scope = conventional_scope(subject)
        services: set[str] = set()
        for path in files:
            if path not in service_of:
                service_of[path] = service_for_path(path, known)
            if service_of[path]:
                services.add(service_of[path])
        if scope and (scope in known or scope in service_dirs):
            services.add(scope)
        yield Commit(
            sha=sha, subject=subject, author=author,
            authored_at=_git_epoch(authored), committed_at=_git_epoch(committed),
            files=files, services=sorted(services), scope=scope, tags=tags.get(sha, []),
        )


def _git_epoch(text: str) -> datetime:
    """A commit's time; a crafted date git printed but no datetime holds (year 300000) reads as the epoch."""
    try:
        return datetime.fromtimestamp(int(text), UTC)
    except (ValueError, OverflowError, OSError):
        return datetime(1970, 1, 1, tzinfo=UTC)


def _tags_by_commit(git_repo: Repo) -> dict[str, list[str]]:
    """Tag names by the commit they point at (an annotated tag's own object is peeled away)."""
    tags: dict[str, list[str]] = defaultdict(list)
    listing = git_repo.git.for_each_ref("refs/tags", "--format=%(objectname) %(*objectname) %(refname:strip=2)")
    for line in listing.splitlines():
        target, peeled, name = line.split(" ", 2)
        tags[peeled or target].append(name)
    return {sha: sorted(names) for sha, names in tags.items()}


def known_services_in_repo(repo: Path) -> list[str]:
    """Service directories committed at HEAD under the conventional roots: `services/<name>`, `apps/<name>`..."""
    with _open(repo) as git_repo:
        return _service_dirs(git_repo)


def _service_dirs(git_repo: Repo) -> list[str]:
    if _head(git_repo) is None:
        return []
    listing = git_repo.git.ls_tree("-d", "--name-only", "HEAD", "--", *(f"{root}/" for root in SERVICE_ROOTS))
    return sorted({service for line in listing.splitlines() if (service := service_for_path(line + "/"))})


# One commit --------------------------------------------------------------------------------------


def resolve_commit(repo: Path, ref: str) -> str:
    """The 40-hex sha of the commit `ref` names; RefError when it is malformed or unknown."""
    _check_ref(ref)
    with _open(repo) as git_repo:
        try:
            return git_repo.git.rev_parse("--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}").strip()
        except GitCommandError:
            raise RefError(f"unknown commit {ref!r}") from None


def _check_ref(ref: str) -> None:
    if not ref or not ref.strip():
        raise RefError("commit reference is empty; give a sha, tag or branch name")
    if ref.startswith("-"):
        raise RefError(f"commit reference {ref!r} starts with '-'; give a sha, tag or branch name")
    if len(ref) > _MAX_REF_LENGTH:
        raise RefError(f"commit reference is longer than {_MAX_REF_LENGTH} characters")
    if bad := _REF_FORBIDDEN.search(ref):
        raise RefError(f"commit reference {ref!r} contains {bad.group(0)!r}; give a sha, tag or branch name")


def commit_diff(
    repo: Path, ref: str, *, max_chars: int = 20_000, known_services: Collection[str] = ()
) -> CommitDiff:
    """`ref`'s change against its first parent (the empty tree for a root commit), secrets redacted,
    at most about `max_chars` characters, with the configuration values it changed."""
    sha = resolve_commit(repo, ref)
    with _open(repo) as git_repo:
        raw = git_repo.git.log(
            *_LOG_OPTIONS, *_merge_option(git_repo), _LOG_FORMAT, "--max-count=1", "--end-of-options", sha, "--",
            stdout_as_string=False,
        )
        service_dirs = set(_service_dirs(git_repo))
        commit = next(_parse_log(raw, _tags_by_commit(git_repo), frozenset(known_services), service_dirs))
        git_commit = git_repo.commit(sha)
        parent = git_commit.parents[0] if git_commit.parents else None
        if parent is not None and not _has_commit(git_repo, parent.hexsha):
            raise RefError(f"commit {sha[:12]}: its parent is not in this shallow clone, so its change cannot be shown; "
                           "`git fetch --deepen=100` reads further back")
        text, truncated = _bounded_diff(git_repo, parent.hexsha if parent is not None else None, sha, max_chars)
        changes = _config_changes(commit.files, parent.tree if parent is not None else None, git_commit.tree)
    return redact_model(CommitDiff(commit=commit, diff=text, truncated=truncated, config_changes=changes))


def _has_commit(git_repo: Repo, sha: str) -> bool:
    """Whether the commit object is here: a shallow clone lists parents it does not hold."""
    try:
        git_repo.git.cat_file("-e", f"{sha}^{{commit}}")
    except GitCommandError:
        return False
    return True


def _bounded_diff(git_repo: Repo, parent: str | None, sha: str, max_chars: int) -> tuple[str, bool]:
    """Read no more of the diff than is shown (a vendoring commit's diff can be gigabytes)."""
    window = max(0, max_chars) + _REDACTION_MARGIN
    # A root commit is diffed against the empty tree (`--root`), any other against its first parent.
    revisions = ("--end-of-options", parent, sha) if parent else ("--root", "--end-of-options", sha)
    process = git_repo.git.diff_tree(*_DIFF_OPTIONS, *revisions, as_process=True)
    try:
        raw = process.proc.stdout.read(4 * window + 1)  # up to 4 bytes a character in UTF-8
        more = len(raw) > 4 * window
    finally:
        process.proc.kill()
        process.proc.wait()
    text = redact(raw[: 4 * window].decode("utf-8", "replace"))
    if not more and len(text) <= max_chars:
        return text, False
    cut = text.rfind("\n", 0, max_chars + 1)
    shown = text[: cut + 1] if cut > 0 else text[:max_chars] + "\n"
    marker = f"[... diff truncated at {max_chars} characters; `git show {sha[:12]}` has the rest ...]\n"
    return shown + marker, True


def _config_changes(files: list[str], before: Tree | None, after: Tree) -> list[ConfigValueChange]:
    """Changed values, from the full versions of each touched file — never from the bounded diff.

    Vendored and generated files are read last, and at most MAX_CONFIG_CHANGES values are kept: a
    commit that vendors a library changes thousands of "values" that are no configuration.
    """
    changes: list[ConfigValueChange] = []
    readable = sorted((path for path in files if has_config_reader(path)), key=lambda path: (_vendored(path), path))
    for path in readable[:MAX_CONFIG_FILES]:
        changes += config_changes(path, _blob_text(before, path), _blob_text(after, path))
        if len(changes) >= MAX_CONFIG_CHANGES:
            return changes[:MAX_CONFIG_CHANGES]
    return changes


_VENDORED = re.compile(r"(?:^|/)(?:vendor|vendored|third[_-]party|node_modules|dist|build|generated|gen)/|\.min\.[a-z]+$")


def _vendored(path: str) -> bool:
    return bool(_VENDORED.search(path))


def _blob_text(tree: Tree | None, path: str) -> str | None:
    """The file's text in `tree`; None when absent, binary or too large to be configuration."""
    if tree is None:
        return None
    try:
        blob = tree / path
    except KeyError:
        return None
    if not isinstance(blob, Blob) or blob.size > MAX_PARSE_CHARS:
        return None
    data = blob.data_stream.read()
    return None if b"\0" in data else data.decode("utf-8", "replace")


# The tree at a commit ----------------------------------------------------------------------------

MAX_GREP_BYTES = 4_000_000
"""Output of one `git grep` read at most: enough for every env read of a large monorepo's service."""


def grep_at(
    repo: Path, ref: str, pattern: str, *, pathspecs: Collection[str] = (), files_only: bool = False,
    max_bytes: int = MAX_GREP_BYTES,
) -> tuple[list[GrepHit], bool]:
    """Lines of the tree at `ref` matching the extended regular expression `pattern` (text files only),
    and whether the output was cut at `max_bytes`. `files_only`: one hit per file, line 0. The lines are
    the repository's own text, unredacted: callers take names from them and show none of it."""
    sha = resolve_commit(repo, ref)
    options = ["-I", "--no-color", "--null", "-E", "-e", pattern]
    options += ["-l"] if files_only else ["-n"]
    with _open(repo) as git_repo:
        process = git_repo.git.grep(*options, sha, "--", *pathspecs, as_process=True)
        try:
            raw = process.proc.stdout.read(max_bytes + 1)
        finally:
            process.proc.kill()
            process.proc.wait()
    cut = len(raw) > max_bytes
    if cut:  # the last line may be partial
        raw = raw[: raw.rfind(b"\n", 0, max_bytes) + 1]
    prefix = f"{sha}:".encode()
    hits: list[GrepHit] = []
    for record in raw.split(b"\0" if files_only else b"\n"):
        if not record.startswith(prefix):
            continue
        if files_only:
            hits.append(GrepHit(path=record[len(prefix):].decode("utf-8", "replace"), line=0, text=""))
            continue
        path, _, rest = record[len(prefix):].partition(b"\0")
        number, _, text = rest.partition(b"\0")
        if number.isdigit():
            # Not redacted: the line is read for the names it holds, and never shown.
            hits.append(GrepHit(path=path.decode("utf-8", "replace"), line=int(number), text=text.decode("utf-8", "replace")))
    return hits, cut


def files_at(repo: Path, ref: str, paths: Collection[str]) -> dict[str, str]:
    """The text of each of `paths` in the tree at `ref` (absent, binary and over-large files left out)."""
    sha = resolve_commit(repo, ref)
    with _open(repo) as git_repo:
        tree = git_repo.commit(sha).tree
        texts = {path: _blob_text(tree, path) for path in paths}
    return {path: text for path, text in texts.items() if text is not None}
