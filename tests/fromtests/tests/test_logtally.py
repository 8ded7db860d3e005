"""logtally's own tests: the calls `ftstress init --from-tests` records (feed takes 'LEVEL:COUNT')."""
import pytest

import logtally


def test_counts_levels():
    t = logtally.Tally()
    t.feed("info:3")
    t.feed("error:1")
    assert t.total() == 4


@pytest.mark.parametrize("record", ["warn:2", "debug:5"])
def test_each_level(record):
    t = logtally.Tally()
    t.feed(record)
    assert t.total() > 0


def test_rejects_garbage():
    with pytest.raises(ValueError):
        logtally.Tally().feed("nonsense")
