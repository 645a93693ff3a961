"""Which way a setting moved, against what the errors say: each row on its own real symptom line."""

import pytest

from wicked_platform.tools.analysis.relief import RELIEFS, eased_by, magnitude, worsened_by
from wicked_platform.tools.changes.models import ConfigValueChange

_RAISED = {"bytes": ("256Mi", "1Gi"), "duration": ("2s", "10s"), "count": ("10", "50"), "cpu": ("250m", "2")}
_SAMPLES = [(relief, sample) for relief in RELIEFS for sample in relief.samples]


@pytest.mark.parametrize("relief,sample", _SAMPLES, ids=[f"{r.name}:{s.key}" for r, s in _SAMPLES])
def test_every_row_eases_its_own_symptom_and_its_lowering_explains_it(relief, sample):
    low, high = _RAISED[relief.unit]
    raised = ConfigValueChange(file="x", key=sample.key, before=low, after=high)
    lowered = ConfigValueChange(file="x", key=sample.key, before=high, after=low)
    assert eased_by(raised, sample.symptom) == relief
    assert worsened_by(lowered, sample.symptom) == relief
    assert eased_by(lowered, sample.symptom) is None and worsened_by(raised, sample.symptom) is None


@pytest.mark.parametrize("key,symptom", [
    # A server refusing clients is what raising client pools brings on: no relief.
    ("MaxOpenConns", "pq: sorry, too many clients already"),
    ("pool.max", "ERROR no more connections allowed (max_client_conn)"),
    # A timeout raise does nothing for a memory error, nor memory for a timeout.
    ("readTimeoutMs", "java.lang.OutOfMemoryError: Java heap space"),
    ("resources.limits.memory", "upstream request timed out"),
    # A TTL is no timeout.
    ("quoteCacheTtlSeconds", "carrier timed out"),
])
def test_what_no_raise_eases(key, symptom):
    assert eased_by(ConfigValueChange(file="x", key=key, before="10", after="100"), symptom) is None


@pytest.mark.parametrize("value,unit,expected", [
    ("512Mi", "bytes", 512 * 1024**2), ("1Gi", "bytes", 1024**3), ("-Xmx512m", "bytes", 512 * 1024**2),
    ("2g", "bytes", 2 * 1024**3), ("30s", "duration", 30), ("500ms", "duration", 0.5), ("2m", "duration", 120),
    ("5000", "duration", 5000), ("250m", "cpu", 0.25), ("2", "cpu", 2), ("20", "count", 20),
    ("5 fathoms", "duration", None), ("none", "bytes", None),
])
def test_magnitudes_compare_across_units(value, unit, expected):
    assert magnitude(value, unit) == expected
