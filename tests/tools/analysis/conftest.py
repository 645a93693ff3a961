import pytest

from support.scans import make_scan, seed_scan_lines


@pytest.fixture
def seed_scan():
    """The seed's error.log, as the readers would aggregate it."""
    return make_scan(seed_scan_lines())
