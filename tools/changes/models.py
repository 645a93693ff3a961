"""Commits, diffs and the configuration values they changed."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from wicked_platform.tools.timeutil import UtcDatetime


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


DeploySystem = Literal["kubernetes", "compose", "helm", "kustomize", "terraform"]
Setting = Literal["env", "resources", "replicas", "image", "data", "other"]


class ManifestPlace(Frozen):
    """Where in a deployment file a value sits, read from the file's structure (not its path): the
    deployable it configures and what kind of setting it is."""

    system: DeploySystem
    owner: str | None = Field(description="the deployable the value configures: compose `services.<name>`, a Kubernetes "
                                          "object's `metadata.name`, a Helm chart, a kustomize `replicas`/`images` name, "
                                          "a Terraform resource's `metadata.name` or label, a module's name")
    kind: str | None = Field(None, description="the Kubernetes kind (Deployment, StatefulSet, ConfigMap); null elsewhere")
    namespace: str | None = Field(None, description="the Kubernetes object's `metadata.namespace`")
    container: str | None = Field(None, description="`containers[].name` (Kubernetes), the compose service's own container")
    setting: Setting = Field(description="env: an environment variable; resources: a limit or request; replicas; image; "
                                         "data: a ConfigMap entry; other")
    variable: str | None = Field(None, description="the environment variable (setting env) or ConfigMap key (setting data)")
    resource: str | None = Field(None, description="`limits.memory`, `requests.cpu` (setting resources)")
    restore: str | None = Field(None, description="the old value as kubectl takes it (compose `512m` is `512Mi`, "
                                                  "`- X=5` is `5`); null when there was none or it cannot be said")


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
    place: ManifestPlace | None = Field(None, description="the deployable and setting, when the file is a deployment "
                                                          "manifest (Kubernetes, compose, Helm values, kustomize)")

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


class EnvReference(Frozen):
    """Evidence that an environment variable exists for a service: code that reads it, or a manifest that sets it."""

    name: str
    file: str
    line: int | None
    shape: str = Field(description="how it is named: `os.environ.get`, `process.env`, `kubernetes env`, ...")
    owner: str | None = Field(description="the service the file belongs to, by its structure or its path; null: shared")


class ContainerLimit(Frozen):
    """A resource limit a manifest sets on one container (`resources.limits.memory: 512Mi`)."""

    container: str
    value: str
    line: int


class Workload(Frozen):
    """A Kubernetes workload a manifest in the repository declares."""

    kind: str
    name: str
    namespace: str | None
    containers: list[str]
    labels: list[str] = Field(default_factory=list, description="values of its app / app.kubernetes.io/name labels")
    file: str
    line: int
    memory_limits: list[ContainerLimit] = Field(default_factory=list, description="its containers' memory limits")


class RepoGrounds(Frozen):
    """What the repository at a commit says exists: workloads, and the environment variables code reads or manifests set."""

    commit: str
    workloads: list[Workload] = Field(default_factory=list)
    env: list[EnvReference] = Field(default_factory=list)
    files_read: int = 0
    truncated: bool = Field(False, description="more matches than were read")


class GrepHit(Frozen):
    """One line of a file at a commit (`line` 0 when only the file was asked for)."""

    path: str
    line: int
    text: str
