"""The catalogue of ways code reads an environment variable: each row on its own real line."""

import pytest

from wicked_platform.tools.changes.env_readers import SHAPES, env_reads, placeholder

# The file each row's sample comes from, by its suffix: the row must read its own sample there.
_SAMPLE_PATHS = {".py": "email_server.py", ".js": "server.js", ".go": "main.go", ".java": "AdService.java",
                 ".cs": "Startup.cs", ".tt": "sqlite3.yml.tt", ".properties": "application-mysql.properties",
                 ".yaml": "compose.yaml"}


def _path_for(source: str) -> str:
    for suffix, name in _SAMPLE_PATHS.items():
        if suffix in source or name in source:
            return name
    raise AssertionError(f"no sample path for {source}")


@pytest.mark.parametrize("shape", SHAPES, ids=[f"{s.shape}:{s.names[0]}" for s in SHAPES])
def test_every_row_reads_its_own_sample(shape):
    path = _path_for(shape.source)
    assert [name for name, _ in env_reads(path, shape.sample)] == list(shape.names)
    assert dict(env_reads(path, shape.sample))[shape.names[0]] == shape.shape


@pytest.mark.parametrize("path,line", [
    ("src/app.ts", "const url = `${BASE_URL}/v1`;"),            # a JS template: a variable, not the environment
    ("main.go", "v := os.Getenv(envKey)"),                       # a name built at run time names nothing
    ("README.md", "Set `process.env.PORT` to change the port"),  # prose
    ("settings.py", "environment = {'PORT': 8080}"),
])
def test_what_names_no_environment_variable(path, line):
    assert env_reads(path, line) == []


@pytest.mark.parametrize("value,expected", [
    ("${DB_POOL_SIZE:10}", ("DB_POOL_SIZE", "10")),      # Spring
    ("${DB_POOL_SIZE:-10}", ("DB_POOL_SIZE", "10")),     # compose, shell
    ("${MYSQL_URL:jdbc:mysql://localhost/petclinic}", ("MYSQL_URL", "jdbc:mysql://localhost/petclinic")),
    ("${TAG}", None),                                     # no default: nothing to restore
    ("jdbc:${HOST:db}/x", None),                          # more than the placeholder
    ("10", None),
])
def test_a_value_that_is_one_placeholder_names_its_variable_and_default(value, expected):
    assert placeholder(value) == expected
