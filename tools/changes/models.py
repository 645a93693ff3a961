"""Commits, diffs and the configuration values they changed."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from wicked_platform.tools.timeutil import UtcDatetime


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ConfigValueChange(Frozen):
    """One configuration value a commit changed: `paymentTimeout` 5000 -> 500."""

    file: str
    key: str = Field(description="the key as written in the file (`paymentTimeout`, `db.pool.size`, `PAYMENT_TIMEOUT`)")
    before: str | None = Field(description="value before the commit; null when the key was added")
    after: str | None = Field(description="value after the commit; null when the key was removed")
    source: Literal["code", "comment"] = Field(
        "code",
        description="`comment` when the code value did not change and the old value is stated in a comment "
        "(`// Changed from 5000ms`, `# was 30`, `// should be 5000`)",
    )
    line: int | None = Field(None, description="1-based line of the key in the file after the commit")

    @property
    def factor(self) -> float | None:
        """after/before for numeric values (0.1 for 5000 -> 500); None when not both numeric and non-zero."""
        try:
            before, after = float(self.before or ""), float(self.after or "")
        except ValueError:
            return None
        if before == 0 or after == 0:
            return None
        return after / before


class Commit(Frozen):
    sha: str = Field(description="40-hex commit id")
    subject: str
    author: str
    authored_at: UtcDatetime
    committed_at: UtcDatetime
    files: list[str] = Field(description="paths the commit touched, sorted")
    services: list[str] = Field(description="services those paths belong to, sorted")
    scope: str | None = Field(None, description="conventional-commit scope: `checkout-api` in `perf(checkout-api): ...`")
    tags: list[str] = Field(default_factory=list, description="tags pointing at this commit, sorted")

    @property
    def short(self) -> str:
        return self.sha[:12]


class GitHistory(Frozen):
    repo: str
    commits: list[Commit] = Field(description="newest first, as `git log` shows them")
    truncated: bool = Field(False, description="more commits exist than were read")
    shallow: bool = False
    head: str | None = Field(None, description="HEAD's sha; null in an empty repository")


class CommitDiff(Frozen):
    commit: Commit
    diff: str = Field(description="unified diff against the first parent, secrets redacted, bounded")
    truncated: bool = False
    config_changes: list[ConfigValueChange]
