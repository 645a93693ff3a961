"""Files that cannot change what a service does once deployed: documentation, tests, CI pipelines.

A deploy that shipped only such files restarted the same code with the same configuration; whatever
broke after it, its change is not the cause. Each row names a kind of file by its path (the convention
that makes the file what it is), with a real path of that kind and where the convention comes from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

InertKind = Literal["documentation", "tests", "ci"]


@dataclass(frozen=True)
class InertShape:
    kind: InertKind
    pattern: re.Pattern[str]
    """Matched against the lower-cased path, `/`-separated."""
    sample: str
    source: str


INERT_SHAPES: tuple[InertShape, ...] = (
    InertShape("documentation", re.compile(r"\.(?:md|markdown|rst|adoc)$"),
               "src/checkoutservice/README.md", "GoogleCloudPlatform/microservices-demo"),
    InertShape("documentation", re.compile(r"(?:^|/)(?:license|licence|changelog|authors|codeowners|notice|contributing)"
                                           r"(?:\.[a-z]+)?$"),
               ".github/CODEOWNERS", "GoogleCloudPlatform/microservices-demo"),
    InertShape("documentation", re.compile(r"(?:^|/)docs/"),
               "docs/development-guide.md", "GoogleCloudPlatform/microservices-demo"),
    InertShape("tests", re.compile(r"_test\.go$"),
               "src/checkoutservice/main_test.go",
               "GoogleCloudPlatform/microservices-demo; `go help test`: files matching *_test.go are built only by go test"),
    InertShape("tests", re.compile(r"(?:^|/)(?:test_[^/]*|[^/]*_test)\.py$|(?:^|/)conftest\.py$"),
               "tests/test_requests.py", "psf/requests; pytest's default discovery (test_*.py or *_test.py)"),
    InertShape("tests", re.compile(r"\.(?:test|spec)\.[cm]?[jt]sx?$|(?:^|/)__tests__/"),
               "src/components/Button.test.tsx", "Jest's default testMatch (**/__tests__/**, *.test.js, *.spec.js)"),
    InertShape("tests", re.compile(r"(?:^|/)src/test/"),
               "src/test/java/com/example/OrderMapperTest.java",
               "Maven's standard directory layout: src/test/java holds the test sources, never packaged"),
    InertShape("tests", re.compile(r"(?:^|/)(?:tests?|spec|e2e|integration-tests)/"),
               "integration-tests/go-tests/test.go", "GoogleCloudPlatform/microservices-demo"),
    InertShape("ci", re.compile(r"^\.github/(?:workflows|issue_template)/|^\.github/[^/]+\.(?:md|ya?ml)$"),
               ".github/workflows/ci-main.yaml", "GoogleCloudPlatform/microservices-demo (GitHub Actions workflows)"),
    InertShape("ci", re.compile(r"(?:^|/)\.gitlab-ci\.ya?ml$|^\.circleci/|(?:^|/)jenkinsfile$|^\.buildkite/|(?:^|/)\.travis\.yml$"),
               ".gitlab-ci.yml", "GitLab CI/CD: the pipeline is defined in .gitlab-ci.yml at the repository root"),
)


def inert_kind(path: str) -> InertKind | None:
    """What kind of file that cannot change a running service `path` is, or None when it can."""
    lowered = path.lower()
    return next((shape.kind for shape in INERT_SHAPES if shape.pattern.search(lowered)), None)


def inert_kinds(paths: list[str]) -> list[InertKind] | None:
    """The kinds of the files when every one of them is inert, in catalogue order; None when any is not (or none given)."""
    kinds = [inert_kind(path) for path in paths]
    if not kinds or any(kind is None for kind in kinds):
        return None
    return [kind for kind in ("documentation", "tests", "ci") if kind in kinds]
