"""`scenario.yaml`: an incident told as data — a repo, its logs, its context, and what the report must say.

The loader validates everything it can before anything is built: unknown keys, checks, report field
paths, assets that must exist beside the file. Its one error type, ScenarioError, carries one line
naming the file and the field, so a broken scenario is fixed without reading a traceback.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from importlib.resources import files
from pathlib import Path, PurePosixPath
from types import NoneType, UnionType
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from wicked_platform.scenarios.generate import LogGeneratorSpec
from wicked_platform.tools.context import ContextError, IncidentContext, load_context
from wicked_platform.tools.report import IncidentReport
from wicked_platform.tools.timeutil import iso_z
from wicked_platform.tools.userfile import first_problem, load_yaml_mapping

SCENARIO_FILE = "scenario.yaml"
DEFAULT_AUTHOR = "Dev <dev@example.com>"
AUTHOR = re.compile(r"^(?P<name>[^<>]+?) <(?P<email>[^<>\s]+)>$")


class ScenarioError(ValueError):
    """The scenario cannot be used; the message is one line naming the file and the field."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _relative_path(value: str) -> str:
    """A path that stays inside its folder: relative, no `..`, not into `.git`."""
    path = PurePosixPath(value)
    if not value or path.is_absolute() or ".." in path.parts:
        raise ValueError(f"{value!r} must be a relative path inside the folder")
    if path.parts[0] == ".git":
        raise ValueError(f"{value!r} is inside .git")
    return path.as_posix()


class CommitSpec(Strict):
    message: str = Field(min_length=1)
    date: AwareDatetime = Field(description="author and committer date, with a zone, so SHAs match on any machine")
    author: str = DEFAULT_AUTHOR
    files: dict[str, str | None] = Field(min_length=1, description="path -> new content, or null to delete")
    tags: list[str] = Field(default_factory=list)

    @field_validator("author")
    @classmethod
    def _author_form(cls, value: str) -> str:
        if not AUTHOR.match(value):
            raise ValueError(f"author {value!r} must look like 'Name <email>'")
        return value

    @field_validator("files")
    @classmethod
    def _file_paths(cls, value: dict[str, str | None]) -> dict[str, str | None]:
        return {_relative_path(path): content for path, content in value.items()}

    @property
    def subject(self) -> str:
        return self.message.strip().splitlines()[0]


class RepoSpec(Strict):
    """Either declarative `commits`, or a `setup` script replayed as written (with a fixed `setup_date`)."""

    commits: list[CommitSpec] | None = Field(None, min_length=1)
    setup: str | None = Field(None, description="bash script beside scenario.yaml, run with cwd = HOME = the build dir")
    setup_date: AwareDatetime | None = Field(None, description="GIT_AUTHOR_DATE/GIT_COMMITTER_DATE for the script")

    @field_validator("setup")
    @classmethod
    def _setup_path(cls, value: str | None) -> str | None:
        return None if value is None else _relative_path(value)

    @model_validator(mode="after")
    def _one_source(self) -> RepoSpec:
        if (self.commits is None) == (self.setup is None):
            raise ValueError("give either `commits` or `setup`, not both and not neither")
        if self.setup is not None and self.setup_date is None:
            raise ValueError("`setup` needs `setup_date`, so the script's commits get stable SHAs")
        if self.commits is not None:
            if self.setup_date is not None:
                raise ValueError("`setup_date` only applies to `setup`; commits carry their own `date`")
            self._check_history(self.commits)
        return self

    @staticmethod
    def _check_history(commits: list[CommitSpec]) -> None:
        """Replay the history at load time: a commit that changes nothing (the seed's mistake), a delete
        of a file no commit created, or a repeated subject is reported before anything is built."""
        tree: dict[str, str] = {}
        subjects: set[str] = set()
        tags: set[str] = set()
        for index, commit in enumerate(commits):
            if commit.subject in subjects:
                # Checks name commits by subject (`not_commit_subject`), so subjects must be unique.
                raise ValueError(f"commits.{index}: subject {commit.subject!r} is used twice")
            subjects.add(commit.subject)
            changed = False
            for path, content in commit.files.items():
                if content is None:
                    if path not in tree:
                        raise ValueError(f"commits.{index}.files.{path}: deletes a file no earlier commit created")
                    del tree[path]
                    changed = True
                elif tree.get(path) != content:
                    tree[path] = content
                    changed = True
            if not changed:
                raise ValueError(f"commits.{index}: {commit.subject!r} changes nothing; every file is as before")
            for tag in commit.tags:
                if tag in tags:
                    raise ValueError(f"commits.{index}.tags: tag {tag!r} is used twice")
                tags.add(tag)


class LogSpec(Strict):
    """A log placed in the repo at `path`: copied from `file` beside scenario.yaml, or generated."""

    path: str
    file: str | None = None
    generate: LogGeneratorSpec | None = None

    @field_validator("path", "file")
    @classmethod
    def _inside(cls, value: str | None) -> str | None:
        return None if value is None else _relative_path(value)

    @model_validator(mode="after")
    def _one_source(self) -> LogSpec:
        if (self.file is None) == (self.generate is None):
            raise ValueError("give either `file` or `generate`, not both and not neither")
        return self


CheckKind = Literal["equals", "one_of", "contains", "superset", "range", "absent", "not_commit_subject", "length",
                    "min_length"]
CHECK_KINDS: tuple[str, ...] = get_args(CheckKind)


def _json_value(value: Any) -> Any:
    """YAML reads unquoted timestamps as datetimes; the report's JSON has `...Z` strings."""
    if isinstance(value, datetime):
        return iso_z(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return [_json_value(v) for v in value]
    if isinstance(value, dict):
        return {k: _json_value(v) for k, v in value.items()}
    return value


class Check(Strict):
    """Exactly one check on one report field. Values compare against the report's JSON form."""

    equals: Any = None
    one_of: list[Any] | None = Field(None, min_length=1)
    contains: Any = Field(None, description="substring of a string, or member of a list")
    superset: list[Any] | None = None
    range: tuple[float, float] | None = Field(None, description="inclusive [lo, hi]")
    absent: Literal[True] | None = Field(None, description="the field is null or missing")
    not_commit_subject: str | None = Field(None, description="the sha here is not the commit with this subject")
    length: int | None = Field(None, ge=0)
    min_length: int | None = Field(None, ge=0)

    @model_validator(mode="before")
    @classmethod
    def _exactly_one(cls, raw: Any) -> Any:
        if not isinstance(raw, dict):
            raise ValueError(f"a check is a mapping like {{equals: ...}}, one of: {', '.join(CHECK_KINDS)}")
        unknown = [key for key in raw if key not in CHECK_KINDS]
        if unknown:
            raise ValueError(f"unknown check {unknown[0]!r} (use one of: {', '.join(CHECK_KINDS)})")
        if len(raw) != 1:
            raise ValueError(f"one check per field, got {len(raw)}: {', '.join(raw) or 'none'}")
        return {key: _json_value(value) for key, value in raw.items()}

    @model_validator(mode="after")
    def _range_order(self) -> Check:
        if self.range is not None and self.range[0] > self.range[1]:
            raise ValueError(f"range [{self.range[0]}, {self.range[1]}] has lo > hi")
        return self

    @property
    def kind(self) -> CheckKind:
        return next(iter(self.model_fields_set))  # type: ignore[return-value]

    @property
    def value(self) -> Any:
        return getattr(self, self.kind)


def _report_field_error(path: str) -> str | None:
    """Why `path` names no field of the report, or None when it does. Integer parts index lists.

    A typo must not pass silently: `absent` on a misspelt field would always hold.
    """
    annotation: Any = IncidentReport
    walked: list[str] = []
    for part in path.split("."):
        annotation = _unwrap_optional(annotation)
        if get_origin(annotation) is list:
            if not part.isdigit():
                return f"{'.'.join(walked)} is a list; index it with a number, not {part!r}"
            annotation = get_args(annotation)[0]
        elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
            if part not in annotation.model_fields:
                where = ".".join(walked) or "the report"
                return f"{where} has no field {part!r}"
            annotation = annotation.model_fields[part].annotation
        else:
            return f"{'.'.join(walked)} is a value, it has no field {part!r}"
        walked.append(part)
    return None


def _unwrap_optional(annotation: Any) -> Any:
    if get_origin(annotation) in (Union, UnionType):
        members = [a for a in get_args(annotation) if a is not NoneType]
        if len(members) == 1:
            return members[0]
    return annotation


class Scenario(Strict):
    title: str = Field(min_length=1)
    description: str = Field(min_length=1, description="the user's words, passed to `wicked-platform incident`")
    repo: RepoSpec
    logs: list[LogSpec] = Field(default_factory=list)
    context: IncidentContext | None = Field(None, description="written as incident-context.yaml at the repo root")
    context_file: str | None = Field(None, description="an incident-context.yaml beside scenario.yaml")
    args: list[str] = Field(default_factory=list, description="extra CLI args, run with cwd = the built repo")
    metrics: str | None = Field(None, description=(
        "an OpenMetrics file (ending `# EOF`) beside scenario.yaml: eval backfills it into a local Prometheus "
        "and the incident command gets --prometheus <its URL>"))
    expect: dict[str, Check] = Field(default_factory=dict, description="dotted report field path -> check")

    @field_validator("context_file", "metrics")
    @classmethod
    def _context_path(cls, value: str | None) -> str | None:
        return None if value is None else _relative_path(value)

    @field_validator("expect")
    @classmethod
    def _known_fields(cls, value: dict[str, Check]) -> dict[str, Check]:
        for path in value:
            problem = _report_field_error(path)
            if problem:
                raise ValueError(f"{path}: {problem}")
        return value

    @model_validator(mode="after")
    def _one_context(self) -> Scenario:
        if self.context is not None and self.context_file is not None:
            raise ValueError("give `context` or `context_file`, not both")
        targets = [log.path for log in self.logs]
        duplicate = next((p for p in targets if targets.count(p) > 1), None)
        if duplicate:
            raise ValueError(f"logs: two entries write {duplicate!r}")
        return self


def _check_assets(scenario: Scenario, folder: Path) -> None:
    """Files the scenario names must exist beside it (and be read from nowhere else)."""
    needed: list[tuple[str, str]] = []
    if scenario.repo.setup:
        needed.append(("repo.setup", scenario.repo.setup))
    needed += [(f"logs.{i}.file", log.file) for i, log in enumerate(scenario.logs) if log.file]
    if scenario.context_file:
        needed.append(("context_file", scenario.context_file))
    if scenario.metrics:
        needed.append(("metrics", scenario.metrics))
    for field, name in needed:
        if not (folder / name).is_file():
            raise ScenarioError(f"{folder / SCENARIO_FILE}: {field}: no such file {name!r} in {folder}")
    if scenario.metrics and not _ends_with_eof(folder / scenario.metrics):
        raise ScenarioError(f"{folder / SCENARIO_FILE}: metrics: {scenario.metrics} does not end with `# EOF`, as "
                            "OpenMetrics text must (promtool reads nothing without it)")


def _ends_with_eof(path: Path) -> bool:
    with path.open("rb") as handle:
        handle.seek(max(0, path.stat().st_size - 64))
        return handle.read().rstrip().endswith(b"# EOF")


def load_scenario(folder: Path) -> Scenario:
    """Read and validate `folder/scenario.yaml`, its assets and its context file."""
    path = folder / SCENARIO_FILE
    raw = load_yaml_mapping(path, ScenarioError, "title, description, repo, ...")
    try:
        scenario = Scenario.model_validate(raw)
    except ValidationError as exc:
        raise ScenarioError(f"{path}: {first_problem(exc)}") from None
    _check_assets(scenario, folder)
    if scenario.context_file:
        try:
            load_context(folder / scenario.context_file)
        except ContextError as exc:
            raise ScenarioError(f"{path}: context_file: {exc}") from None
    return scenario


def discover_scenarios(root: Path) -> list[Path]:
    """Every folder at or below `root` holding a scenario.yaml, sorted."""
    return sorted(p.parent for p in root.rglob(SCENARIO_FILE) if p.is_file())


def bundled_scenarios_dir() -> Path:
    """The scenarios shipped in the package (`wicked_platform.scenarios`)."""
    root = files("wicked_platform.scenarios")
    if not isinstance(root, Path):  # a zipped install: the builder needs real files to copy
        raise ScenarioError(f"bundled scenarios are not on the file system ({root})")
    return root
