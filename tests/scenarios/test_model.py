"""Loading scenario.yaml: the bundled fixtures load, and every malformed file says where it is wrong."""

from __future__ import annotations

import pytest

from wicked_platform.scenarios.model import ScenarioError, discover_scenarios, load_scenario

PERF = "perf(checkout-api): Optimize timeout settings"


def test_bundled_scenarios_are_discovered(bundled):
    names = [p.name for p in discover_scenarios(bundled)]
    assert "checkout-timeout" in names and "seed-literal" in names
    assert names == sorted(names)


def test_checkout_timeout_loads(bundled):
    scenario = load_scenario(bundled / "checkout-timeout")
    subjects = [c.subject for c in scenario.repo.commits]
    assert subjects == [
        "Initial setup",
        "feat(user-service): Add session caching",
        "fix(payment-service): Update retry logic",
        PERF,
    ]
    assert scenario.repo.commits[-1].tags == ["checkout-api-v2.4.1"]
    assert [log.path for log in scenario.logs] == ["error.log", "logs/checkout-api-access.log"]
    assert scenario.logs[1].generate.format == "access"
    checkout = scenario.context.service("checkout-api")
    assert checkout.requests_per_minute == 47 and checkout.config_env == {"paymentTimeout": "PAYMENT_TIMEOUT"}
    assert scenario.args == ["--log", "error.log", "--log", "logs/"]
    assert scenario.expect["severity"].kind == "equals" and scenario.expect["severity"].value == "SEV1"
    assert scenario.expect["blast_radius.error_rate"].value == (0.75, 0.95)
    assert scenario.expect["started_at"].value == "2024-01-15T14:23:15Z"


def test_seed_literal_loads(bundled):
    scenario = load_scenario(bundled / "seed-literal")
    assert scenario.repo.setup == "setup.sh" and scenario.repo.commits is None
    assert scenario.context is None and scenario.context_file is None and scenario.logs == []
    assert scenario.expect["blast_radius.affected_users"].kind == "absent"


def test_unquoted_timestamps_compare_as_report_strings(write_scenario, minimal):
    # YAML turns an unquoted timestamp into a datetime; the report's JSON holds `...Z` strings.
    folder = write_scenario(minimal(expect={"started_at": {"equals": "PLACEHOLDER"}}))
    path = folder / "scenario.yaml"
    path.write_text(path.read_text().replace("PLACEHOLDER", "2024-01-15T15:23:15+01:00"))
    assert load_scenario(folder).expect["started_at"].value == "2024-01-15T14:23:15Z"


def test_equals_null_is_a_check_of_its_own(write_scenario, minimal):
    check = load_scenario(write_scenario(minimal(expect={"root_cause": {"equals": None}}))).expect["root_cause"]
    assert check.kind == "equals" and check.value is None


def _error(folder) -> str:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(folder)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"{folder / 'scenario.yaml'}: ")
    return message


def test_unknown_top_level_key(write_scenario, minimal):
    assert _error(write_scenario(minimal(titel="x"))).endswith("scenario.yaml: titel: unknown key")


def test_unknown_key_deep_inside(write_scenario, minimal):
    scenario = minimal()
    scenario["repo"]["commits"][0]["mesage"] = "typo"
    assert "repo.commits.0.mesage: unknown key" in _error(write_scenario(scenario))


def test_unknown_check(write_scenario, minimal):
    message = _error(write_scenario(minimal(expect={"severity": {"eq": "SEV1"}})))
    assert "expect.severity: unknown check 'eq'" in message


def test_two_checks_on_one_field(write_scenario, minimal):
    message = _error(write_scenario(minimal(expect={"severity": {"equals": "SEV1", "one_of": ["SEV2"]}})))
    assert "expect.severity: one check per field" in message


def test_backwards_range(write_scenario, minimal):
    message = _error(write_scenario(minimal(expect={"blast_radius.error_rate": {"range": [0.9, 0.1]}})))
    assert "expect.blast_radius.error_rate" in message and "lo > hi" in message


def test_misspelt_report_field(write_scenario, minimal):
    # `absent` on a typo would always pass, so the path is checked against the report model.
    message = _error(write_scenario(minimal(expect={"blast_radius.affected_user": {"absent": True}})))
    assert "expect: blast_radius.affected_user: blast_radius has no field 'affected_user'" in message


def test_list_fields_take_numeric_indexes(write_scenario, minimal):
    good = minimal(expect={"rollback_decision.criteria.0.met": {"equals": True}, "symptoms": {"min_length": 1}})
    assert set(load_scenario(write_scenario(good)).expect) == {"rollback_decision.criteria.0.met", "symptoms"}
    bad = minimal(expect={"rollback_decision.criteria.met": {"equals": True}})
    assert "criteria is a list" in _error(write_scenario(bad, name="bad"))


def test_both_commits_and_setup(write_scenario, minimal):
    scenario = minimal()
    scenario["repo"]["setup"] = "setup.sh"
    scenario["repo"]["setup_date"] = "2024-01-15T09:00:00Z"
    message = _error(write_scenario(scenario, {"setup.sh": "git init\n"}))
    assert "repo: give either `commits` or `setup`" in message


def test_setup_needs_a_date(write_scenario, minimal):
    message = _error(write_scenario(minimal(repo={"setup": "setup.sh"}), {"setup.sh": "git init\n"}))
    assert "repo: `setup` needs `setup_date`" in message


def test_missing_log_asset(write_scenario, minimal):
    message = _error(write_scenario(minimal(logs=[{"path": "error.log", "file": "missing.log"}])))
    assert "logs.0.file: no such file 'missing.log'" in message


def test_missing_setup_script(write_scenario):
    folder = write_scenario({"title": "t", "description": "d",
                             "repo": {"setup": "setup.sh", "setup_date": "2024-01-15T09:00:00Z"}})
    assert "repo.setup: no such file 'setup.sh'" in _error(folder)


def test_log_with_both_file_and_generator(write_scenario, minimal):
    log = {"path": "a.log", "file": "a.log", "generate": {"format": "plain", "seed": 1, "start": "2024-01-15T14:00:00Z",
                                                          "end": "2024-01-15T14:10:00Z", "services": ["a"],
                                                          "lines_per_minute": 10}}
    assert "logs.0: give either `file` or `generate`" in _error(write_scenario(minimal(logs=[log]), {"a.log": ""}))


def test_bad_generator_spec(write_scenario, minimal):
    spec = {"format": "access", "seed": 1, "start": "2024-01-15T14:00:00Z", "end": "2024-01-15T14:10:00Z",
            "services": ["a", "b"], "lines_per_minute": 10}
    message = _error(write_scenario(minimal(logs=[{"path": "a.log", "generate": spec}])))
    assert "logs.0.generate: an access log belongs to one service" in message


def test_paths_must_stay_inside(write_scenario, minimal):
    message = _error(write_scenario(minimal(logs=[{"path": "../outside.log", "file": "a.log"}]), {"a.log": ""}))
    assert "logs.0.path: '../outside.log' must be a relative path inside the folder" in message


def test_commit_that_changes_nothing(write_scenario, minimal):
    # The seed's own mistake: `git commit` with nothing staged. Declarative commits must change something.
    commit = {"message": "fix: again", "date": "2024-01-15T10:00:00Z", "files": {"a.txt": "a\n"}}
    scenario = minimal()
    scenario["repo"]["commits"].append(commit)
    assert "repo: commits.1: 'fix: again' changes nothing" in _error(write_scenario(scenario))


def test_delete_of_a_file_never_created(write_scenario, minimal):
    scenario = minimal()
    scenario["repo"]["commits"].append({"message": "rm", "date": "2024-01-15T10:00:00Z", "files": {"b.txt": None}})
    assert "commits.1.files.b.txt: deletes a file no earlier commit created" in _error(write_scenario(scenario))


def test_commit_date_needs_a_zone(write_scenario, minimal):
    scenario = minimal()
    scenario["repo"]["commits"][0]["date"] = "2024-01-15T09:00:00"
    assert "repo.commits.0.date:" in _error(write_scenario(scenario))


def test_bad_inline_context(write_scenario, minimal):
    message = _error(write_scenario(minimal(context={"services": {"api": {"critcal": True}}})))
    assert "context.services.api.critcal: unknown key" in message


def test_bad_context_file_names_both_files(write_scenario, minimal):
    folder = write_scenario(minimal(context_file="ctx.yaml"), {"ctx.yaml": "services: {api: {critical: maybe}}\n"})
    message = _error(folder)
    assert "context_file:" in message and "ctx.yaml: services.api.critical:" in message


def test_not_yaml(write_scenario):
    assert "not valid YAML at line" in _error(write_scenario("title: [unclosed\n"))


def test_not_a_mapping(write_scenario):
    assert "expected a mapping" in _error(write_scenario("- a\n- b\n"))


def test_missing_file(tmp_path):
    with pytest.raises(ScenarioError, match="scenario.yaml: cannot read"):
        load_scenario(tmp_path)
