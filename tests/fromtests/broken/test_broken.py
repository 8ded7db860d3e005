"""Tests that go wrong under `ftstress init --from-tests`: one fails, one kills its process. What was
recorded before the crash is kept, and init says what happened."""
import os

import logtally


def test_records_then_fails():
    t = logtally.Tally()
    t.feed("warn:2")
    assert t.total() == 99


def test_zz_crashes():
    logtally.Tally().feed("info:1")
    os.abort()
