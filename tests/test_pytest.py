"""`ftstress run --pytest` on tests/pytest_project: the racy tests' race named with their test ids and
grouped across them, a race on first use only seen (no run of the test before its rounds), the crash
recorded and the run going on, the thread_unsafe test run in one thread, a test failing alone reported
as failing (not as a race), the clean test clean, JUnit per test id."""
import json
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from ftest import SOURCE, check, findings, main, run, scenario  # noqa: E402

PROJECT = os.path.join(SOURCE, "tests/pytest_project")
SITE = os.path.join(os.path.dirname(os.path.dirname(os.environ["FTSTRESS_BIN"])), "site")
RACY = ("test_suite.py..test_racy_counter-0-", "test_suite.py..test_racy_counter-50-")
state = {}


def results():
    if "r" not in state:
        # ftstress's options before --pytest: every word after it is pytest's
        out = tempfile.mkdtemp(prefix="ftstress-test-pytest-")
        rc, so, se = run("run", "--site", SITE, "--seed", "11", "--rounds", "6", "-j", "2", "-o", out,
                         "--json", out + "/r.json", "--junit", out + "/r.xml", "--pytest", ".", cwd=PROJECT)
        check(os.path.exists(out + "/r.json") and os.path.exists(out + "/r.xml"), "no results written", so, se)
        with open(out + "/r.json") as f, open(out + "/r.xml") as x:
            state["r"] = rc, json.load(f), so, se, x.read()
    return state["r"]


def test_exit_code_and_every_test_a_scenario():
    rc, r, so, se, _ = results()
    check(rc == 1, "exit code %d, expected 1 (findings)" % rc, so, se[-3000:])
    names = sorted(s["name"] for s in r["scenarios"])
    check(names == sorted(RACY + ("test_suite.py..test_first_use", "test_suite.py..test_marked_thread_unsafe",
                                  "test_suite.py..test_crashes",
                                  "test_suite.py..test_fails_alone", "test_suite.py..TestClean..test_clean")),
          "one scenario per test id: %s" % names)
    desc = scenario(r, RACY[0])
    check(desc["threads"] == 4 and desc["rounds_run"] == 6, "racy test: 4 threads, 6 rounds: %s" % desc)


def test_race_named_with_the_test_ids_and_grouped():
    rc, r, so, se, _ = results()
    for name in RACY:
        s = scenario(r, name)
        check(s["outcome"] == "race", "%s: outcome %s, expected race" % (name, s["outcome"]), so)
        f = [x for x in findings(r, name) if x["kind"] == "race"]
        check(any("next_version_unsafe" in x["title"] for x in f), "%s: race in next_version_unsafe: %s"
              % (name, [x["title"] for x in f]))
    groups = [g for g in r["groups"] if "next_version_unsafe" in g["name"]]
    check(len(groups) == 1 and sorted(groups[0]["scenarios"]) == sorted(RACY),
          "one group listing both racy tests: %s" % [(g["name"], g["scenarios"]) for g in groups], so)
    text = open(r["scenarios"][0]["file"]).read()
    check("test_suite.py::test_racy_counter[0]" in text, "the generated scenario file names the real test id")
    # a suite's slow test is not a hang at the 60 s default (rapidjson's test_doubles was)
    check(text.count("\ntimeout: 300\n") == 7, "every test's round may take 300 s, as its run alone may")


def test_first_use_race_seen():
    # first_use's table is built by its first call: only the threads' first calls race, so no run of
    # the test may come before the rounds in the worker (the verdict alone comes from another process)
    rc, r, so, se, _ = results()
    name = "test_suite.py..test_first_use"
    s = scenario(r, name)
    f = [x for x in findings(r, name) if x["kind"] == "race"]
    check(s["outcome"] == "race" and any("fill_unsafe" in x["title"] for x in f),
          "first-use race: %s %s" % (s, [x["title"] for x in f]), so)
    check(all(x["rounds_hit"] == 1 and x["first_round"] == 0 for x in f),
          "the first round races, and only it: %s" % [(x["first_round"], x["rounds_hit"]) for x in f])
    check("7 tests run alone" in se, "the collector says the tests ran alone first", se[-3000:])


def test_crash_recorded_and_the_run_goes_on():
    rc, r, so, se, _ = results()
    s = scenario(r, "test_suite.py..test_crashes")
    f = findings(r, "test_suite.py..test_crashes")
    check(s["outcome"] == "crash" and len(f) == 1 and "SIGSEGV" in f[0]["title"], "crash: %s %s" % (s, f))
    check("test_crashes" in f[0]["report"], "the crash's stacks name the test function", f[0]["report"][:3000])
    after = scenario(r, "test_suite.py..TestClean..test_clean")  # collected after the crashing test
    check(after["status"] == "ran" and after["rounds_run"] == 6, "the test after the crash ran: %s" % after)


def test_thread_unsafe_runs_single_threaded():
    rc, r, so, se, _ = results()
    s = scenario(r, "test_suite.py..test_marked_thread_unsafe")
    check(s["threads"] == 1 and s["outcome"] == "clean" and s["rounds_run"] == 6,
          "thread_unsafe: one thread, clean, every round: %s" % s, so)


def test_failing_alone_is_not_a_race():
    rc, r, so, se, _ = results()
    s = scenario(r, "test_suite.py..test_fails_alone")
    f = findings(r, "test_suite.py..test_fails_alone")
    check(s["outcome"] == "error" and len(f) == 1 and f[0]["kind"] == "error", "failing test: %s %s" % (s, f))
    check("fails single-threaded" in f[0]["title"] and "test_fails_alone" in f[0]["title"],
          "the title says which test fails alone: " + f[0]["title"])
    # named after what it raised alone and where: tests failing for another reason are another group
    check("FailsAlone(AssertionError, test_suite.py:" in f[0]["title"],
          "the error names the test's own failure and line: " + f[0]["title"])
    check("fails in one thread too" in f[0]["report"], "pytest's message is in the report", f[0]["report"][:3000])


def test_clean_test_is_clean_with_marker_threads():
    rc, r, so, se, _ = results()
    s = scenario(r, "test_suite.py..TestClean..test_clean")
    check(s["outcome"] == "clean" and s["passed"] and s["threads"] == 2 and not findings(r, s["name"], False),
          "clean test, parallel_threads(2): %s" % s, so)


def test_junit_one_testcase_per_test():
    xml = results()[4]
    cases = re.findall(r'<testcase name="([^"]+)" classname="([^"]+)"', xml)
    check(len(cases) == 7, "seven testcases: %s" % cases)
    # pytest --junitxml's names: classname the module (and class), name the function with its parameters
    for case in (("test_racy_counter[0]", "test_suite"), ("test_racy_counter[50]", "test_suite"),
                 ("test_clean", "test_suite.TestClean"), ("test_crashes", "test_suite")):
        check(case in cases, "testcase %s classname %s as pytest names it: %s" % (case + (cases,)))


def test_bad_pytest_arguments_are_a_usage_error():
    p = subprocess.run([os.environ["FTSTRESS_BIN"], "run", "-o", os.path.join(os.environ.get("TMPDIR", "/tmp"),
                        "ftstress-test-pytest-bad"), "--pytest", "no_such_dir_here"], cwd=PROJECT,
                       capture_output=True, text=True, timeout=300)
    check(p.returncode == 2, "exit %d, expected 2 for a path pytest cannot find" % p.returncode, p.stdout, p.stderr)


if __name__ == "__main__":
    main([test_exit_code_and_every_test_a_scenario, test_race_named_with_the_test_ids_and_grouped,
          test_first_use_race_seen, test_crash_recorded_and_the_run_goes_on, test_thread_unsafe_runs_single_threaded,
          test_failing_alone_is_not_a_race, test_clean_test_is_clean_with_marker_threads,
          test_junit_one_testcase_per_test, test_bad_pytest_arguments_are_a_usage_error])
