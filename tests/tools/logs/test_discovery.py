import os

import pytest

from wicked_platform.tools.logs.discovery import LogInputError, expand_log_args


def test_defaults_are_root_logs_and_the_logs_directory(logs, tmp_path):
    logs.text("error.log", "x\n")
    logs.gz("old.log.gz", "x\n")
    logs.text("notes.txt", "x\n")
    logs.text("logs/payment-service.log", "x\n")
    logs.text("logs/deep/cart.txt", "x\n")
    logs.text("src/app.log", "x\n")
    assert expand_log_args([], tmp_path) == [
        tmp_path / "error.log", tmp_path / "logs/deep/cart.txt", tmp_path / "logs/payment-service.log",
        tmp_path / "old.log.gz",
    ]


def test_directory_skips_hidden_state_and_binary_files(logs, tmp_path):
    logs.text("d/a.log", "x\n")
    logs.gz("d/b.gz", "x\n")
    logs.raw("d/core.bin", b"\x7fELF\x00\x00\x01")
    logs.text("d/.git/HEAD", "ref\n")
    logs.text("d/.wicked-platform/state.json", "{}\n")
    logs.text("d/.hidden.log", "x\n")
    assert expand_log_args([str(tmp_path / "d")], tmp_path) == [tmp_path / "d/a.log", tmp_path / "d/b.gz"]


def test_globs_are_expanded_by_the_tool_with_double_star(logs, tmp_path, monkeypatch):
    logs.text("svc/a/x.log", "x\n")
    logs.text("svc/b/c/y.log", "x\n")
    logs.text("svc/b/z.txt", "x\n")
    monkeypatch.chdir(tmp_path)
    assert [str(p) for p in expand_log_args(["svc/**/*.log"], tmp_path)] == ["svc/a/x.log", "svc/b/c/y.log"]


def test_relative_arguments_keep_their_names_and_are_deduplicated(logs, tmp_path, monkeypatch):
    logs.text("b.log", "x\n")
    logs.text("a.log", "x\n")
    monkeypatch.chdir(tmp_path)
    found = expand_log_args(["b.log", "a.log", str(tmp_path / "a.log"), "*.log", "."], tmp_path)
    assert [str(p) for p in found] == ["a.log", "b.log"]


def test_explicit_binary_file_is_kept(logs, tmp_path):
    path = logs.raw("garbage.log", b"\x00\x01\x02")
    assert expand_log_args([str(path)], tmp_path) == [path]


@pytest.mark.parametrize(("arg", "message"), [
    ("checkout.log", "--log checkout.log: no such file or directory"),
    ("nothing-*.log", "--log nothing-*.log: the glob matches no file"),
    ("empty", "--log empty: the directory holds no text or gzip file"),
])
def test_expand_rejects_arguments_that_name_nothing(tmp_path, monkeypatch, arg, message):
    (tmp_path / "empty").mkdir()
    monkeypatch.chdir(tmp_path)
    with pytest.raises(LogInputError) as raised:
        expand_log_args([arg], tmp_path)
    assert str(raised.value) == message
    assert "\n" not in str(raised.value)


def test_expand_rejects_a_broken_link(tmp_path, monkeypatch):
    (tmp_path / "gone.log").symlink_to(tmp_path / "missing.log")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(LogInputError, match=r"^--log gone.log: a broken symbolic link$"):
        expand_log_args(["gone.log"], tmp_path)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every file")
def test_expand_rejects_an_unreadable_file(logs, tmp_path):
    path = logs.text("secret.log", "x\n")
    path.chmod(0)
    with pytest.raises(LogInputError, match="permission denied"):
        expand_log_args([str(path)], tmp_path)
