"""The deploys file: YAML, JSON or JSON lines from a deploy system, with one-line errors."""

from datetime import UTC, datetime

import pytest

from wicked_platform.tools.changes.deploys_file import DeploysFileError, load_deploys_file, load_deploys_files


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


def test_several_files_read_together_and_the_first_named_record_of_a_deploy_wins(tmp_path):
    """--deploys repeats: each system's export adds its deploys; one deploy two files record is kept once."""
    helm, own = tmp_path / "helm.yaml", tmp_path / "own.jsonl"
    helm.write_text("- service: billing-api\n  version: 1.9.0\n  at: 2024-03-04T10:00:00Z\n"
                    "- service: billing-api\n  version: 1.8.2\n  at: 2024-03-01T08:00:00Z\n")
    own.write_text('{"service": "billing-api", "version": "1.9.0", "at": "2024-03-04T10:02:00Z"}\n'
                   '{"service": "ledger-api", "at": "2024-03-04T09:00:00Z"}\n'
                   '{"service": "ledger-api", "at": "2024-03-04T09:30:00Z"}\n')
    records = load_deploys_files([helm, own])
    assert [(r.service, r.version, r.at.strftime("%d %H:%M")) for r in records] == [
        ("billing-api", "1.8.2", "01 08:00"), ("ledger-api", None, "04 09:00"), ("ledger-api", None, "04 09:30"),
        ("billing-api", "1.9.0", "04 10:00")]
    assert load_deploys_files([own, helm])[-1].at.minute == 2  # the other order trusts the other file
    assert load_deploys_files([]) == []
