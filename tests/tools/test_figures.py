"""One way a rate reads: the summary, the criteria and the notes agree on the figure."""

from wicked_platform.tools.figures import percent


def test_a_small_rate_keeps_its_decimal_and_a_whole_one_drops_it():
    assert percent(0.12) == "12%"
    assert percent(0.0) == "0%"
    assert percent(None) == "unknown"


def test_a_rate_under_one_percent_is_not_read_as_none_failing():
    assert percent(16 / 3526) == "0.5%"


def test_a_rate_under_a_tenth_of_a_percent_is_not_zero():
    assert percent(0.0004) == "0.04%"
    assert percent(0.00004) == "0.004%"
    assert percent(0.001) == "0.1%"
