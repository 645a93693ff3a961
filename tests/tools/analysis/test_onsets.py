"""Each service's own onset and rates, and the incident's onset among them (issue #16, item 5).

The logs are written as files and read by the scanner, so the services and the time each file covers
come from the readers, as they do for a user."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

from wicked_platform.tools.analysis.onsets import service_onsets
from wicked_platform.tools.analysis.rates import compare_at
from wicked_platform.tools.context import IncidentContext
from wicked_platform.tools.investigation import assess_blast_radius, symptoms_from_scan
from wicked_platform.tools.logs.scan import scan_logs

T0 = datetime(2024, 5, 2, 9, 0, 0, tzinfo=UTC)


def _stamp(seconds: int) -> str:
    return (T0 + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _noisy_and_quiet(tmp_path: Path) -> list[Path]:
    """batch-worker logs an error every 2 s all hour (its usual noise); orders-api logs none until 09:40,
    then one every 10 s. Over all errors together, the rise is lost in the noise."""
    worker = [f"{_stamp(s)} ERROR batch-worker retrying job {s} after lock wait" for s in range(0, 3600, 2)]
    api = [f"{_stamp(s)} INFO orders-api served GET /orders/{s}" for s in range(0, 3600, 5)]
    api += [f"{_stamp(s)} ERROR orders-api payment call failed for order {s}" for s in range(2400, 3600, 10)]
    paths = [tmp_path / "batch-worker.log", tmp_path / "orders-api.log"]
    paths[0].write_text("\n".join(worker) + "\n")
    paths[1].write_text("\n".join(sorted(api)) + "\n")
    return paths


def test_a_service_whose_errors_rose_among_anothers_noise_is_the_incident(tmp_path):
    scan = scan_logs(_noisy_and_quiet(tmp_path))
    onsets = service_onsets(scan, IncidentContext())
    assert not onsets.overall.comparison.significant  # the sum of all errors hides it
    assert onsets.risen == ["orders-api"]
    assert onsets.incident.at == T0 + timedelta(seconds=2400)
    found = symptoms_from_scan(scan, IncidentContext())
    assert found.incident_onset is not None and found.incident_onset.at == T0 + timedelta(seconds=2400)
    assert found.affected.direct == ["orders-api"]
    assert "batch-worker" not in found.affected.cascade  # its noise did not change


def test_services_named_in_one_compose_log_get_their_own_onsets(tmp_path):
    """`docker compose logs`: one file, the prefix naming the service. cache's timeouts began at 09:30; web's
    errors, far more of them, surged at 09:45. Over all errors the sharpest split is web's; the incident
    began where cache's own errors rose."""
    lines = []
    for s in range(0, 3600, 20):
        lines.append((s, f"cache-1  | {_stamp(s)} INFO evicted {s} keys"))
        lines.append((s + 1, f"web-1    | {_stamp(s + 1)} INFO served /home"))
    for s in range(1800, 3600, 15):
        lines.append((s + 2, f"cache-1  | {_stamp(s + 2)} ERROR timeout reading slot {s}"))
    for s in range(2700, 3600):
        lines.append((s, f"web-1    | {_stamp(s)} ERROR upstream cache unavailable for /cart/{s}"))
    path = tmp_path / "compose.log"
    path.write_text("\n".join(text for _, text in sorted(lines)) + "\n")
    scan = scan_logs([path])
    assert set(scan.files[0].services) >= {"web", "cache"}
    onsets = service_onsets(scan, IncidentContext())
    assert onsets.overall.at == T0 + timedelta(seconds=2700)
    assert onsets.risen == ["cache", "web"]
    found = symptoms_from_scan(scan, IncidentContext())
    assert found.incident_onset.at == T0 + timedelta(seconds=1802)
    assert "cache" in found.affected.direct


def test_a_service_is_measured_over_the_time_its_own_files_cover(tmp_path):
    """A deploy log begins two hours before the application's log: the application's rates are measured over
    its own file's half hour, not over the deploy log's two hours in which it wrote nothing."""
    deploy = tmp_path / "deploy.log"
    deploy.write_text(f"{_stamp(-7200)} INFO deployer rollout of api v1.4.0 started\n"
                      f"{_stamp(-7100)} INFO deployer rollout of api v1.4.0 finished\n")
    app = tmp_path / "api.log"
    lines = [f"{_stamp(s)} INFO api request {s} ok" for s in range(0, 1800, 4)]
    lines += [f"{_stamp(s)} ERROR api upstream reset on request {s}" for s in range(0, 900, 300)]
    lines += [f"{_stamp(s)} ERROR api upstream reset on request {s}" for s in range(900, 1800, 30)]
    app.write_text("\n".join(sorted(lines)) + "\n")
    scan = scan_logs([deploy, app])
    split = T0 + timedelta(seconds=900)
    own = compare_at(scan, split, ["api"])
    assert own.before_errors == 3 and own.after_errors == 30
    assert abs(own.before_seconds - 900) < 5 and abs(own.after_seconds - 900) < 5  # its own half hour
    assert own.ratio is not None and 9 < own.ratio < 11


def test_the_primary_services_error_rate_is_measured_from_its_own_rise(tmp_path):
    """db's errors rose at 09:30, api's requests began failing at 09:40 (half of them). The incident starts at
    09:30, but api's error rate is of its requests since its own rise: 50%, not diluted by ten healthy minutes."""
    db = [f"{_stamp(s)} INFO db checkpoint {s}" for s in range(0, 3600, 30)]
    db += [f"{_stamp(s)} ERROR db lock wait timeout on relation {s}" for s in range(1800, 3600, 10)]
    (tmp_path / "db.log").write_text("\n".join(sorted(db)) + "\n")
    access = []
    for i, s in enumerate(range(0, 3600, 2)):
        status = 500 if s >= 2400 and i % 2 else 200
        stamp = (T0 + timedelta(seconds=s)).strftime("%d/%b/%Y:%H:%M:%S +0000")
        access.append(f'10.1.0.{i % 40} - - [{stamp}] "POST /api/orders HTTP/1.1" {status} 120 "-" "k6/0.49"')
    (tmp_path / "api-access.log").write_text("\n".join(access) + "\n")
    scan = scan_logs([tmp_path / "db.log", tmp_path / "api-access.log"])
    found = symptoms_from_scan(scan, IncidentContext())
    assert found.incident_onset.at == T0 + timedelta(seconds=1800)
    assert found.affected.direct[0] == "api"
    blast = assess_blast_radius(found, IncidentContext(), "orders failing")
    assert abs(blast.error_rate - 0.5) < 0.005  # since 09:30 it would be a third
    assert blast.baseline_error_rate == 0.0
