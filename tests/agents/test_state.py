"""Saved investigations: atomic, concurrent-safe, and loaded back as the same report."""

import json
import os
import subprocess
import sys

import pytest

from wicked_platform.agents.state import StateError, StateStore


def test_investigations_at_once_all_save_whole(checkout_timeout, tmp_path):
    state = tmp_path / "state"
    other = tmp_path / "other"
    other.mkdir()
    (other / "app.log").write_text("2024-03-01T09:00:00Z INFO cart-api up\n" + "".join(
        f"2024-03-01T09:{10 + i // 60:02d}:{i % 60:02d}Z ERROR cart-api NullPointerException in pricing {i}\n"
        for i in range(120)))
    env = {k: v for k, v in os.environ.items() if k != "ANTHROPIC_API_KEY"}
    jobs = [(checkout_timeout.repo, [checkout_timeout.description, *checkout_timeout.args]),
            (other, ["cart errors"]), (checkout_timeout.repo, [checkout_timeout.description, *checkout_timeout.args])]
    runs = [
        subprocess.Popen([sys.executable, "-m", "wicked_platform.agents.cli", "incident", *args,
                          "--format", "json", "--state-dir", str(state)], cwd=cwd, env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for cwd, args in jobs
    ]
    outputs = [run.communicate(timeout=120) for run in runs]
    assert all(run.returncode == 0 for run in runs), [err for _, err in outputs]
    store = StateStore(state)
    ids = {json.loads(out)["incident_id"] for out, _ in outputs}
    assert len(ids) == 2  # the same inputs twice are one incident; the other is its own
    for out, _ in outputs:
        report = json.loads(out)
        assert store.load(report["incident_id"]).model_dump(mode="json") == report
    assert not list(state.rglob("*.tmp")), "no temp file is left behind"
    assert store.load().incident_id.startswith("INC-")


@pytest.mark.parametrize("incident", ["../../etc/passwd", "INC-missing"])
def test_load_refuses_bad_or_unknown_ids(tmp_path, incident):
    with pytest.raises(StateError):
        StateStore(tmp_path).load(incident)
