"""The offline agent with its logs read beforehand, as the CLI reads them while the agent loads."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime

import pytest
from support.investigations import request_for

from wicked_platform.agents.offline import engine_run, investigate
from wicked_platform.tools.logs.scan import scan_logs


def test_a_scan_read_beforehand_gives_the_report_the_engine_reads_itself(checkout_timeout):
    request = request_for(checkout_timeout)
    scan = scan_logs(request.logs, since=request.since, until=request.until, tz=request.tz)
    assert investigate(request, scan=scan) == investigate(request)


def test_a_scan_of_other_logs_is_refused(checkout_timeout, tmp_path):
    request = request_for(checkout_timeout)
    other = tmp_path / "other.log"
    other.write_text("2024-01-15T14:23:15Z ERROR checkout-api Payment timeout for order 1\n")
    with pytest.raises(ValueError, match="other logs"):
        engine_run(request, scan=scan_logs([other]))


def test_the_cli_loads_the_agent_beside_the_scan_not_before_it(checkout_timeout):
    """What makes an offline run faster: importing the CLI imports neither the agent nor the engine's
    analysis; they load on a thread while the logs are read, and the report is the same."""
    request = request_for(checkout_timeout)
    code = (
        "import sys\n"
        "import wicked_platform.agents.cli as cli\n"
        "print('loaded', [m for m in ('wicked_platform.agents.offline', 'wicked_platform.tools.investigation',"
        " 'scipy.special') if m in sys.modules], file=sys.stderr)\n"
        f"sys.exit(cli.main(['incident', 'checkout down', '--repo', {str(request.repo)!r}, '--agent', 'offline', "
        "'--format', 'json', '--state-dir', sys.argv[1]]))\n"
    )
    done = subprocess.run([sys.executable, "-c", code, str(checkout_timeout.repo / ".state")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "loaded []" in done.stderr
    assert '"recommendation": "ROLLBACK"' in done.stdout


def test_a_scan_of_another_window_is_refused(checkout_timeout):
    request = request_for(checkout_timeout)
    since = datetime(2024, 1, 15, 14, 0, tzinfo=UTC)
    with pytest.raises(ValueError, match="another window"):
        engine_run(request, scan=scan_logs(request.logs, since=since))
    windowed = request.model_copy(update={"since": since})
    assert engine_run(windowed, scan=scan_logs(request.logs, since=since)).report == engine_run(windowed).report
