"""`ftstress init --from-tests`: a race reached only with an argument init cannot guess (logtally's
feed('LEVEL:COUNT'), tests/fromtests) is missed without the project's tests and found, by name, with
them; the per-thread twin stays clean; a test run that fails and crashes still gives scenarios, the
arguments recorded before the crash, and a message that says what happened."""
import ast
import os
import sys
import tempfile
import types

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "lib"))
sys.path.insert(0, os.path.join(HERE, "..", "harness", "tools"))
import init_from_tests  # noqa: E402
from ftest import check, main, run, run_json  # noqa: E402

FIXTURE = os.path.join(HERE, "fromtests")


def counting(res, scenario):
    return [f for f in res["findings"] if f["scenario"] == scenario and not f["suppressed"] and not f["baselined"]]


def test_race_found_only_with_the_tests_arguments():
    folder = tempfile.mkdtemp(prefix="ftstress-init-from-tests-")
    guessed, recorded = os.path.join(folder, "guessed.yaml"), os.path.join(folder, "recorded.yaml")

    run("init", "logtally", "-o", guessed, expect_rc=0)
    text = open(guessed).read()
    check("#   Tally.feed:" in text, "feed was reached by guesses alone: the fixture proves nothing", text)
    rc, res, so, se = run_json(guessed, "--keep-going")
    check(not [f for f in res["findings"] if "tally_feed" in f["title"]], "a race in feed found without the tests", so)

    rc, so, se = run("init", "logtally", "-o", recorded, "--from-tests", os.path.join(FIXTURE, "tests"), expect_rc=0)
    check("the tests ran: 4 passed, 0 failed" in se and "recorded" in se, "no account of the test run", se)
    text = open(recorded).read()
    check("m_feed('info:3')" in text, "the shared Tally is not fed the tests' record", text)
    check("# arguments from tests/test_logtally.py::test_counts_levels\n      m_feed('info:3')" in text,
          "the call does not say which test gave its arguments", text)
    check("#   Tally.feed:" not in text, "feed still listed as not reached", text)
    run("check", recorded, expect_rc=0)

    rc, res, so, se = run_json(recorded, "--keep-going")
    shared = counting(res, "logtally-tally-shared")
    check(any(f["kind"] == "race" and "tally_feed" in f["title"] for f in shared),
          "the shared Tally's race in feed was not found", so)
    check(not counting(res, "logtally-own-objects"), "the per-thread twin (own objects) gave a finding", so)
    print("with --from-tests: %s" % [f["title"] for f in shared])


def test_failing_and_crashing_tests_keep_what_they_recorded():
    out = os.path.join(tempfile.mkdtemp(prefix="ftstress-init-from-tests-"), "broken.yaml")
    rc, so, se = run("init", "logtally", "-o", out, "--from-tests", os.path.join(FIXTURE, "broken"), expect_rc=0)
    check("the tests crashed (SIGABRT during broken/test_broken.py::test_zz_crashes; 0 passed, 1 failed" in se,
          "the crash is not reported with the test it happened in", se)
    check("Fatal Python error: Aborted" in se and "test_broken.py\", line" in se,
          "the crash's own lines are not shown", se)
    check("wrote " + out in so and os.path.exists(out), "no scenarios after a crashing test run", so, se)
    text = open(out).read()
    # recorded in a test that then failed its assertion, before another test killed the process
    check("# arguments from broken/test_broken.py::test_records_then_fails\n      m_feed('warn:2')" in text,
          "the arguments recorded before the crash were lost", text)

    rc, so, se = run("init", "logtally", "-o", out + "2", "--from-tests", os.path.join(FIXTURE, "missing"), expect_rc=0)
    check("--from-tests" in se and "going on with guesses" in se and os.path.exists(out + "2"),
          "a missing test folder stops init or says nothing", se)


def test_only_literal_values_are_recorded():
    """Arguments are evaluated again only where that has no effect, and kept only when their text
    reads back equal and is short enough to write into a scenario."""
    def frame_with(**names):
        return types.SimpleNamespace(f_locals=names, f_globals={}, f_builtins={})

    ev = init_from_tests.Evaluator(frame_with(rec="info:3", blob=b"\x00hdr", n=4, obj=object()))

    def value(src):
        return ev.value(ast.parse(src, mode="eval").body)

    check(value("rec") == "info:3" and value("blob + b'x' * n") == b"\x00hdrxxxx", "names and arithmetic")
    check(value("'caf\u00e9'.encode('utf-8')") == "caf\u00e9".encode(), "'text'.encode()")
    for src in ("obj", "open('x')", "b'x' * 10**9", "rec.upper()"):
        try:
            value(src)
            check(False, "%s was evaluated" % src)
        except init_from_tests.Unrecordable:
            pass
    check(init_from_tests.text_of(float("nan")) is None, "nan does not read back equal")
    check(init_from_tests.text_of(b"x" * 5000) is None, "a value past MAX_REPR is kept")
    check(init_from_tests.text_of({"a": [1, (2, b"3")]}) == "{'a': [1, (2, b'3')]}", "containers of literals")


if __name__ == "__main__":
    main([test_only_literal_values_are_recorded, test_failing_and_crashing_tests_keep_what_they_recorded,
          test_race_found_only_with_the_tests_arguments])
