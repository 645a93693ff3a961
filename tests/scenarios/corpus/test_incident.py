"""The incident generator: deterministic from the seed, every kind reachable, every incident buildable."""

from __future__ import annotations

import yaml

from wicked_platform.scenarios.build import build_scenario
from wicked_platform.scenarios.corpus.changes import CHANGE_KINDS
from wicked_platform.scenarios.corpus.incident import generate_incident
from wicked_platform.scenarios.corpus.settings import CONFIG_FORMATS, Deployed, Setting, render
from wicked_platform.scenarios.corpus.truth import INCIDENT_KINDS
from wicked_platform.scenarios.generate import generate_lines


def _dump(seed: int, index: int) -> str:
    return generate_incident(seed, index).model_dump_json()


def test_same_seed_and_index_give_the_same_incident():
    assert _dump(7, 3) == _dump(7, 3)
    assert _dump(7, 3) != _dump(8, 3)
    assert _dump(7, 3) != _dump(7, 4)


def test_every_incident_kind_appears_within_a_few_seeds():
    kinds = {generate_incident(seed, index).truth.kind for seed in (1, 2, 3) for index in range(6)}
    assert kinds == set(INCIDENT_KINDS)


def test_every_change_kind_and_deploy_evidence_appears_across_the_corpus():
    truths = [generate_incident(seed, index).truth for seed in range(6) for index in range(20)]
    assert {t.change_kind for t in truths if t.change_kind} == set(CHANGE_KINDS)
    assert {t.deploy_evidence for t in truths} == {"log", "deploys_file", "tags_only", "none"}
    assert {t.cascade_depth for t in truths} == {0, 1, 2}
    assert {t.sampled for t in truths} == {True, False}
    assert any(t.red_herrings for t in truths) and any(not t.red_herrings for t in truths)
    formats = {f for t in truths for f in t.log_formats}
    assert formats == {"plain", "access", "json", "logfmt", "syslog", "log4j"}
    config_formats = {t.file_format for t in truths if t.change_kind in ("timeout", "pool", "retries", "ttl", "flag")}
    assert len(config_formats) >= 8, config_formats


def test_expected_recommendation_follows_the_kind():
    expected = {"bad_deploy": "ROLLBACK", "saturation": "SCALE", "control": "MONITOR"}
    for index in range(12):
        truth = generate_incident(11, index).truth
        if truth.kind != "flag_flip":
            assert truth.recommendation == expected[truth.kind]
        assert (truth.subject is None) == (truth.kind in ("saturation", "control"))


def _switch_named(generated) -> bool:
    """Whether the generated files give the flag a switch at run time: a manifest's or .env file's variable, or
    the context's config_env for the key (read from what was written, not from the generator's own fields)."""
    truth, scenario = generated.truth, generated.scenario
    if truth.file_format in ("env", "compose", "kubernetes"):
        return True
    declared = scenario.context.services.get(truth.service) if scenario.context else None
    return bool(declared and declared.config_env)


def test_a_flag_is_disabled_only_where_something_switches_it_at_run_time():
    """Issue #17: DISABLE_FEATURE needs a grounded switch; a flag only a deploy turns off is rolled back."""
    flips = [g for g in (generate_incident(seed, i) for seed in range(8) for i in range(16)) if g.truth.kind == "flag_flip"]
    outcomes = {g.truth.recommendation for g in flips}
    assert outcomes == {"DISABLE_FEATURE", "ROLLBACK"}
    for generated in flips:
        expected = "DISABLE_FEATURE" if _switch_named(generated) else "ROLLBACK"
        assert generated.truth.recommendation == expected, (generated.name, generated.truth.file_format)


def test_a_generated_incident_builds_into_a_repo_holding_the_culprit_commit(tmp_path):
    generated = next(g for g in (generate_incident(3, i) for i in range(8)) if g.truth.kind == "bad_deploy")
    (tmp_path / "assets").mkdir()
    for name, text in generated.assets.items():
        (tmp_path / "assets" / name).write_text(text, encoding="utf-8")
    built = build_scenario(generated.scenario, tmp_path / "assets", tmp_path / "repo")
    assert generated.truth.subject in built.sha_by_subject
    assert (built.repo / generated.truth.file).is_file()
    assert all(log.is_file() and log.stat().st_size for log in built.logs)


def test_the_culprits_log_fails_from_the_onset():
    generated = next(g for g in (generate_incident(4, i) for i in range(8)) if g.truth.kind == "bad_deploy")
    culprit_log = next(log for log in generated.scenario.logs
                       if log.generate and log.generate.services == [generated.truth.service])
    assert culprit_log.generate.incident is not None
    assert culprit_log.generate.incident.at.strftime("%Y-%m-%dT%H:%M:%SZ") == generated.truth.onset
    assert any(True for _ in generate_lines(culprit_log.generate))


def test_every_config_format_writes_the_setting_it_is_given():
    deployed = Deployed(replicas=3, memory_limit="1Gi", image="registry.example.com/a:1")
    settings = [Setting(words=("payment", "timeout", "ms"), value="5000")]
    for fmt in CONFIG_FORMATS:
        text = render(fmt, "checkout-api", "checkout-api", settings, deployed)
        assert "5000" in text, fmt
        if fmt in ("yaml", "compose", "kubernetes", "helm"):
            yaml.safe_load(text)  # the manifests are real YAML


def test_a_code_change_drops_the_guard_and_nothing_else_breaks_the_file():
    from wicked_platform.scenarios.corpus.changes import CODE, _code_change

    for language in CODE:
        _path, before, after = _code_change(language, "orders-api")
        assert before.count("{") == before.count("}") and after.count("{") == after.count("}"), language
        assert len(after.splitlines()) < len(before.splitlines()), language
        assert "customer" in after.lower(), language


def test_a_saturated_service_says_so_in_its_log():
    """An access log has no message: saturation must be told in a log that carries one."""
    saturated = [g for g in (generate_incident(seed, i) for seed in range(4) for i in range(12))
                 if g.truth.kind == "saturation"]
    assert saturated
    for generated in saturated:
        log = next(log for log in generated.scenario.logs
                   if log.generate and log.generate.services == [generated.truth.service])
        assert log.generate.format != "access"
