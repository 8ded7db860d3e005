"""ftstress --pytest's fixture suite (tests/test_pytest.py): racy, first-use racy, thread-unsafe, crashing, failing and clean tests."""
import ctypes

import first_use
import pytest
import seeded_globals


@pytest.fixture
def calls():
    return 300


@pytest.mark.parametrize("extra", [0, 50])
def test_racy_counter(calls, extra):
    # seeded_globals' P2: ++ on a plain C global. Two test ids reach one bug: one group lists both.
    for _ in range(calls + extra):
        seeded_globals.next_version_unsafe()


def test_first_use():
    # first_use builds a table on its first call, in plain statics: only the first concurrent calls
    # race, so the threads must make the module's first call (a run of the test before them hides it).
    assert first_use.lookup_unsafe(7) == first_use.expected(7)


@pytest.mark.thread_unsafe
def test_marked_thread_unsafe(calls):
    # The same race, but the test says it is thread-unsafe: it runs in one thread, so it stays clean.
    for _ in range(calls):
        seeded_globals.next_version_unsafe()


def test_crashes():
    ctypes.string_at(0)


def test_fails_alone():
    assert seeded_globals.next_version_atomic() < 0, "fails in one thread too"


class TestClean:
    @pytest.mark.parallel_threads(2)
    def test_clean(self, calls, tmp_path, thread_index):
        (tmp_path / "x").write_text(str(thread_index))
        for _ in range(calls):
            seeded_globals.next_version_atomic()
