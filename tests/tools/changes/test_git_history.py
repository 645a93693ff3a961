import subprocess
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from git import Actor, Repo

from wicked_platform.tools.changes.git_history import (
    RefError,
    RepoError,
    commit_diff,
    is_git_repo,
    known_services_in_repo,
    read_history,
    resolve_commit,
)

CONFIG_INITIAL = """export const config = {
  paymentTimeout: 500,  // Changed from 5000ms - potential issue!
  retryAttempts: 3,
  circuitBreakerThreshold: 5
};
"""
CONFIG_PERF = CONFIG_INITIAL.replace("// Changed from 5000ms - potential issue!", "// BUG: Should be 5000")
DEV = Actor("Dev Eloper", "dev@example.com")
CHECKOUT = "import { config } from './config';\nexport const processCheckout = () => config.paymentTimeout;\n"


@pytest.fixture
def seed_repo(make_repo):
    """The seed scenario's repository: four commits, the last one the problematic perf change."""
    builder = make_repo()
    shas = [
        builder.commit("Initial setup", {
            "services/checkout-api/config.ts": CONFIG_INITIAL,
            "services/checkout-api/checkout.ts": CHECKOUT,
            "services/payment-service/client.ts": "export class PaymentService {}\n",
            "services/user-service/session.ts": "export const ttl = 60;\n",
        }),
        builder.commit("feat(user-service): Add session caching", {"services/user-service/cache.ts": "export {};\n"}),
        builder.commit("fix(payment-service): Update retry logic", {}),
        builder.commit("perf(checkout-api): Optimize timeout settings", {
            "services/checkout-api/config.ts": CONFIG_PERF,
        }),
    ]
    builder.tag("checkout-api-v2.4.1", shas[3], message="release")  # annotated
    builder.tag("v0.1.0", shas[0])  # lightweight
    return builder, shas


def test_history_newest_first_with_files_services_scope_and_tags(seed_repo):
    builder, shas = seed_repo
    history = read_history(builder.path)
    assert [c.sha for c in history.commits] == shas[::-1]
    assert history.head == shas[3] and not history.truncated and not history.shallow
    assert history.repo == str(builder.path)
    perf, fix, feat, initial = history.commits
    assert perf.subject == "perf(checkout-api): Optimize timeout settings"
    assert perf.files == ["services/checkout-api/config.ts"]
    assert perf.services == ["checkout-api"] and perf.scope == "checkout-api"
    assert perf.tags == ["checkout-api-v2.4.1"]
    assert perf.author == "Dev Eloper"
    assert perf.authored_at == perf.committed_at == datetime(2024, 1, 15, 14, 3, tzinfo=UTC)
    assert fix.files == [] and fix.services == ["payment-service"]  # from the scope: the service dir exists
    assert feat.services == ["user-service"]
    assert initial.files == [  # the root commit's files, too
        "services/checkout-api/checkout.ts", "services/checkout-api/config.ts",
        "services/payment-service/client.ts", "services/user-service/session.ts",
    ]
    assert initial.services == ["checkout-api", "payment-service", "user-service"]
    assert initial.tags == ["v0.1.0"]


def test_scope_naming_no_service_is_kept_as_scope_only(make_repo):
    builder = make_repo()
    builder.commit("chore(deps): bump", {"package.json": "{}\n"})
    (commit,) = read_history(builder.path).commits
    assert commit.scope == "deps" and commit.services == []
    (known,) = read_history(builder.path, known_services={"deps"}).commits
    assert known.services == ["deps"]


def test_known_services_match_any_path_component(make_repo):
    builder = make_repo()
    builder.commit("deploy", {"k8s/payment-service/deployment.yaml": "replicas: 2\n"})
    assert read_history(builder.path, known_services=["payment-service"]).commits[0].services == ["payment-service"]


def test_max_commits_truncates(seed_repo):
    builder, shas = seed_repo
    history = read_history(builder.path, max_commits=2)
    assert [c.sha for c in history.commits] == [shas[3], shas[2]]
    assert history.truncated


def test_known_services_in_repo(seed_repo):
    builder, _ = seed_repo
    assert known_services_in_repo(builder.path) == ["checkout-api", "payment-service", "user-service"]


def test_seed_perf_commit_diff_finds_the_timeout_in_the_comment(seed_repo):
    builder, shas = seed_repo
    diff = commit_diff(builder.path, "checkout-api-v2.4.1")
    assert diff.commit.sha == shas[3]
    assert "-  paymentTimeout: 500,  // Changed from 5000ms - potential issue!" in diff.diff
    assert "+  paymentTimeout: 500,  // BUG: Should be 5000" in diff.diff
    assert not diff.truncated
    [change] = diff.config_changes
    assert (change.file, change.key, change.before, change.after, change.source, change.line) == (
        "services/checkout-api/config.ts", "paymentTimeout", "5000", "500", "comment", 2,
    )


def test_root_commit_diff_is_against_the_empty_tree(seed_repo):
    builder, shas = seed_repo
    diff = commit_diff(builder.path, shas[0])
    assert "new file mode 100644" in diff.diff
    assert "--- /dev/null\n+++ b/services/checkout-api/config.ts" in diff.diff
    keys = [(c.file, c.key, c.before, c.after) for c in diff.config_changes]
    assert ("services/checkout-api/config.ts", "paymentTimeout", None, "500") in keys
    assert ("services/user-service/session.ts", "ttl", None, "60") in keys


def test_diff_is_bounded_with_a_marker_but_values_come_from_full_files(make_repo):
    builder = make_repo()
    builder.commit("init", {"services/a/config.ts": "export const config = {\n  timeout: 5000,\n};\n"})
    filler = "".join(f"  // line {i} of padding that makes the diff long\n" for i in range(2000))
    sha = builder.commit("pad", {
        "services/a/big.ts": filler,
        "services/a/config.ts": "export const config = {\n  timeout: 500,\n};\n",  # sorts after big.ts
    })
    diff = commit_diff(builder.path, sha, max_chars=2000)
    assert diff.truncated
    assert len(diff.diff) < 2200
    marker = f"[... diff truncated at 2000 characters; `git show {sha[:12]}` has the rest ...]"
    assert diff.diff.splitlines()[-1] == marker
    assert "services/a/config.ts" not in diff.diff
    assert [(c.key, c.before, c.after) for c in diff.config_changes] == [("timeout", "5000", "500")]


def test_diff_is_redacted(make_repo):
    builder = make_repo()
    builder.commit("init", {"services/a/.env": "DB_PASSWORD=hunter2\nTIMEOUT=5\n"})
    sha = builder.commit("fix: rotate token=abc123", {"services/a/.env": "DB_PASSWORD=hunter3\nTIMEOUT=6\n"})
    diff = commit_diff(builder.path, sha)
    assert "hunter2" not in diff.diff and "hunter3" not in diff.diff
    assert "-DB_PASSWORD=[REDACTED]" in diff.diff
    assert diff.commit.subject == "fix: rotate token=[REDACTED]"
    values = {c.key: (c.before, c.after) for c in diff.config_changes}
    assert values == {"DB_PASSWORD": ("[REDACTED]", "[REDACTED]"), "TIMEOUT": ("5", "6")}


@pytest.mark.parametrize("ref", ["--output=/tmp/x", "HEAD; rm -rf /", "$(id)", "", "  ", "HEAD\n", "a`b`", "x|y"])
def test_rejects_refs_that_are_options_or_shell(seed_repo, ref):
    builder, _ = seed_repo
    with pytest.raises(RefError):
        resolve_commit(builder.path, ref)
    with pytest.raises(RefError):
        commit_diff(builder.path, ref)


def test_an_option_as_ref_is_never_run(seed_repo, tmp_path):
    builder, _ = seed_repo
    target = tmp_path / "written"
    with pytest.raises(RefError, match="starts with '-'"):
        commit_diff(builder.path, f"--output={target}")
    assert not target.exists()


def test_resolves_names_and_rejects_unknown(seed_repo):
    builder, shas = seed_repo
    assert resolve_commit(builder.path, "HEAD~3") == shas[0]
    assert resolve_commit(builder.path, "checkout-api-v2.4.1") == shas[3]  # an annotated tag peels to its commit
    assert resolve_commit(builder.path, shas[1][:10]) == shas[1]
    with pytest.raises(RefError, match=r"unknown commit 'no-such-branch'"):
        resolve_commit(builder.path, "no-such-branch")
    blob = builder.repo.git.rev_parse("HEAD:services/checkout-api/config.ts")
    with pytest.raises(RefError, match="unknown commit"):
        resolve_commit(builder.path, blob)


def test_not_a_repository(tmp_path):
    plain = tmp_path / "plain"
    plain.mkdir()
    with pytest.raises(RepoError, match=rf"^--repo {plain}: not a git repository$"):
        read_history(plain)
    with pytest.raises(RepoError, match="no such directory"):
        read_history(tmp_path / "missing")
    with pytest.raises(RepoError, match="not a git repository"):
        commit_diff(plain, "HEAD")
    assert not is_git_repo(plain)


def test_empty_repository(make_repo):
    builder = make_repo()
    history = read_history(builder.path)
    assert history.commits == [] and history.head is None and not history.truncated
    assert known_services_in_repo(builder.path) == []
    assert is_git_repo(builder.path)
    with pytest.raises(RefError, match="unknown commit 'HEAD'"):
        commit_diff(builder.path, "HEAD")


def test_detached_head(seed_repo):
    builder, shas = seed_repo
    builder.repo.head.reference = builder.repo.commit(shas[1])  # detach at the second commit
    assert builder.repo.head.is_detached
    history = read_history(builder.path)
    assert history.head == shas[1]
    assert [c.sha for c in history.commits] == [shas[1], shas[0]]


def test_shallow_clone(seed_repo, tmp_path):
    builder, shas = seed_repo
    clone = Repo.clone_from(f"file://{builder.path}", tmp_path / "clone", depth=1)
    clone.close()
    history = read_history(tmp_path / "clone")
    assert history.shallow
    assert [c.sha for c in history.commits] == [shas[3]]
    assert history.head == shas[3]


def test_subdirectory_of_a_repository_reads_the_repository(seed_repo):
    builder, shas = seed_repo
    assert read_history(builder.path / "services").head == shas[3]


def test_reading_does_not_change_the_repository(seed_repo):
    builder, shas = seed_repo
    def state():
        status = ["git", "status", "--porcelain", "--ignored"]
        refs = ["git", "for-each-ref"]
        return [subprocess.run(cmd, cwd=builder.path, capture_output=True, text=True).stdout for cmd in (status, refs)]

    before = state()
    read_history(builder.path)
    commit_diff(builder.path, shas[3])
    known_services_in_repo(builder.path)
    assert state() == before and before[0] == ""


@pytest.mark.slow
def test_fast_on_a_long_history(tmp_path):
    """100k commits, built with fast-import; the default read (5000 newest) must stay quick."""
    repo = Repo.init(tmp_path / "long")
    # Two blobs, swapped in and out of five service files: every commit touches one file, and
    # fast-import has few distinct trees to write.
    stream = [b"blob\nmark :1\ndata 2\nx\nblob\nmark :2\ndata 2\ny\n"]
    for i in range(1, 100_001):
        message = f"feat(svc{i % 5}): change {i}\n".encode()
        stream.append(b"commit refs/heads/main\ncommitter Dev <dev@example.com> %d +0000\ndata %d\n%s"
                      % (1_700_000_000 + i, len(message), message))
        stream.append(b"M 644 :%d services/svc%d/f.txt\n" % (1 + (i // 5) % 2, i % 5))
    subprocess.run(["git", "fast-import", "--quiet"], input=b"".join(stream), cwd=repo.working_dir, check=True)
    subprocess.run(["git", "symbolic-ref", "HEAD", "refs/heads/main"], cwd=repo.working_dir, check=True)
    started = time.perf_counter()
    history = read_history(Path(repo.working_dir))
    elapsed = time.perf_counter() - started
    assert len(history.commits) == 5000 and history.truncated
    assert history.commits[0].subject == "feat(svc0): change 100000"
    assert history.commits[0].services == ["svc0"]
    assert elapsed < 5, f"read_history took {elapsed:.1f}s"


def test_merge_commit_files_and_diff_are_against_its_first_parent(make_repo):
    builder = make_repo()
    base = builder.commit("base", {"services/a/config.ts": "export const config = {\n  timeout: 1,\n};\n"})
    side = builder.commit("feat(b): side", {"services/b/x.ts": "export const LIMIT = 10;\n"})
    builder.repo.git.checkout("--quiet", "--detach", base)  # a second line of work from base
    main = builder.commit("main work", {"services/a/config.ts": "export const config = {\n  timeout: 2,\n};\n"})
    builder.repo.git.checkout("--quiet", side, "--", "services/b/x.ts")  # the merge result: both changes
    merged = builder.repo.index.commit(
        "Merge side", parent_commits=[builder.repo.commit(main), builder.repo.commit(side)],
        author=DEV, committer=DEV, author_date="1705330000 +0000", commit_date="1705330000 +0000",
    ).hexsha
    history = read_history(builder.path)
    assert history.commits[0].sha == merged
    assert history.commits[0].files == ["services/b/x.ts"] and history.commits[0].services == ["b"]
    assert {c.sha for c in history.commits} == {merged, main, side, base}
    diff = commit_diff(builder.path, merged)
    assert "+++ b/services/b/x.ts" in diff.diff and "services/a/config.ts" not in diff.diff
    assert [(c.key, c.before, c.after) for c in diff.config_changes] == [("LIMIT", None, "10")]


def test_reads_in_a_session_share_one_opening_and_give_what_they_give_alone(seed_repo, monkeypatch, tmp_path):
    from wicked_platform.tools.changes import git_history

    builder, shas = seed_repo
    alone = (read_history(builder.path), commit_diff(builder.path, shas[3]), resolve_commit(builder.path, "HEAD"))
    opened: list[Path] = []
    real_open = git_history.open_repository

    def counting(git_dir, common_dir):
        opened.append(git_dir)
        return real_open(git_dir, common_dir)

    monkeypatch.setattr(git_history, "open_repository", counting)
    shadows = lambda: set(Path(tempfile.gettempdir()).glob("wicked-platform-git-*"))  # noqa: E731
    before = shadows()
    with git_history.reading():
        shared = (read_history(builder.path), commit_diff(builder.path, shas[3]), resolve_commit(builder.path, "HEAD"))
        assert len(opened) == 1
        with pytest.raises(RepoError, match="not a git repository"):  # a path in no repository, asked twice
            read_history(tmp_path)
        with pytest.raises(RepoError, match="not a git repository"):
            read_history(tmp_path)
    assert shared == alone and shadows() == before  # the shared shadow is gone with the block
    read_history(builder.path)  # after the block, each read opens its own again
    assert len(opened) == 2
