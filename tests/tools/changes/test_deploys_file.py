"""The deploys file: YAML, JSON or JSON lines from a deploy system, with one-line errors."""

from datetime import UTC, datetime

import pytest

from wicked_platform.tools.changes.deploys_file import DeploysFileError, load_deploys_file


def test_yaml_with_a_deploys_list_and_cd_tool_spellings(tmp_path):
    path = tmp_path / "deploys.yaml"
    path.write_text("""deploys:
  - app: checkout-api
    tag: v2.4.1
    started_at: 2024-01-15T15:20:00+01:00
    finished_at: 2024-01-15T14:20:30Z
    sha: 9e0aed7
    pipeline: 8812          # ignored: not ours to read
  - service: cart-api
    at: 2024-01-15T13:00:00Z
""")
    first, second = load_deploys_file(path)
    assert (first.service, first.version, first.at) == ("cart-api", None, datetime(2024, 1, 15, 13, tzinfo=UTC))
    assert (second.service, second.version, second.commit) == ("checkout-api", "v2.4.1", "9e0aed7")
    assert second.at == datetime(2024, 1, 15, 14, 20, tzinfo=UTC) and second.completed_at.tzinfo is UTC


def test_json_lines_and_a_json_list_read_alike(tmp_path):
    lines, listed = tmp_path / "d.jsonl", tmp_path / "d.json"
    lines.write_text('{"service": "a", "at": "2024-01-15T14:00:00Z"}\n{"service": "b", "at": "2024-01-15T13:00:00Z"}\n')
    listed.write_text('[{"service": "a", "at": "2024-01-15T14:00:00Z"}, {"service": "b", "at": "2024-01-15T13:00:00Z"}]')
    assert load_deploys_file(lines) == load_deploys_file(listed)
    assert [r.service for r in load_deploys_file(lines)] == ["b", "a"]


@pytest.mark.parametrize("content, message", [
    ("- service: a\n", "entry 0: at: required"),
    ("- service: a\n  at: yesterday-ish\n", "entry 0: at"),
    ("service: a\n", "expected a list of deploys"),
    ("- [a, b]\n", "entry 0: expected a mapping"),
    ("deploys: [\n", "not YAML or JSON"),
])
def test_a_bad_file_is_one_line_naming_the_entry_and_field(tmp_path, content, message):
    path = tmp_path / "deploys.yaml"
    path.write_text(content)
    with pytest.raises(DeploysFileError) as caught:
        load_deploys_file(path)
    text = str(caught.value)
    assert text.startswith(f"--deploys {path}: ") and message in text and "\n" not in text


def test_a_missing_file(tmp_path):
    with pytest.raises(DeploysFileError, match="no such file"):
        load_deploys_file(tmp_path / "nope.yaml")
