"""Races TSan cannot see, found by arbiters: pure-Python lost update and check-then-act, an
extension's lost update between two atomic operations, a publication race; each twin only ever
gives acceptable values. The histogram reaches results.json, JUnit and the terminal; a forbidden
value is a finding of kind `outcome`; a bad `outcomes:` is an error at its line."""
import json
import os
import sys
import tempfile
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from ftest import SOURCE, check, main, run, run_json, scenario  # noqa: E402

FILES = [os.path.join(SOURCE, "scenarios/examples/arbiter.yaml"), os.path.join(SOURCE, "tests/scenarios/arbiter")]
state = {}


def results():
    if "r" not in state:
        out = tempfile.mkdtemp(prefix="ftstress-arbiter-")
        rc, so, se = run("run", *FILES, "-j", "2", "--json", out + "/r.json", "--junit", out + "/r.xml", "-o", out)
        state["r"] = (rc, json.load(open(out + "/r.json")), so, se, out)
    return state["r"]


def test_each_bug_is_a_forbidden_outcome_and_tsan_is_silent():
    rc, r, so, se, out = results()
    for name in ("arbiter-lost-update", "arbiter-check-then-act", "atomics-lost-update", "publication-half-initialised"):
        s = scenario(r, name)
        check(s["outcome"] == "forbidden" and s["passed"], "%s: outcome %s" % (name, s["outcome"]), se[-2000:])
        forbidden = [h for h in s["outcomes"] if h["verdict"] == "forbidden"]
        check(forbidden and all(h["count"] >= 1 and h["first_round"] >= 0 for h in forbidden),
              "%s: the histogram holds the forbidden value: %s" % (name, s["outcomes"]))
        found = [f for f in r["findings"] if f["scenario"] == name]
        check([f["kind"] for f in found if f["new"] or not f["suppressed"]].count("outcome") == 1,
              "%s: one outcome finding: %s" % (name, [f["signature"] for f in found]))
        o = [f for f in found if f["kind"] == "outcome"][0]
        check(o["owner"] == "target" and o["location"].endswith(".yaml:%d" % int(o["location"].rsplit(":", 1)[1])),
              "points at the arbiter: %s" % o["location"])
    # TSan has nothing to say about two atomic operations: the arbiter is the only witness.
    races = [f for f in r["findings"] if f["scenario"] == "atomics-lost-update" and f["kind"] != "outcome"]
    check(not races, "TSan reported the atomics case: %s" % [f["signature"] for f in races])


def test_twins_give_only_acceptable_values():
    rc, r, so, se, out = results()
    for name in ("arbiter-lost-update-locked", "arbiter-check-then-act-locked", "atomics-fetch-add",
                 "publication-complete-first"):
        s = scenario(r, name)
        check(s["outcome"] == "clean" and s["passed"], "%s: %s" % (name, s["outcome"]))
        check(all(h["verdict"] == "acceptable" for h in s["outcomes"]) and
              sum(h["count"] for h in s["outcomes"]) == s["rounds_run"],
              "%s: every round graded acceptable: %s" % (name, s["outcomes"]))
    check(rc == 0, "every expectation met, exit %d" % rc, se[-2000:])


def test_histogram_in_terminal_and_junit():
    rc, r, so, se, out = results()
    check("arbiter value" in so and "FORBIDDEN" in so and "every increment kept" in so, "terminal histogram", so)
    check("8000" in so and "acceptable" in so, so)
    # a scenario that expected the forbidden outcome passes; JUnit lists no failure for it
    suite = ET.parse(out + "/r.xml").getroot()
    check(not list(suite.iter("failure")), "no JUnit failure when every expectation was met")


def test_unexpected_forbidden_outcome_fails_with_its_description():
    folder = tempfile.mkdtemp(prefix="ftstress-arbiter-")
    path = os.path.join(folder, "lost.yaml")
    text = open(os.path.join(SOURCE, "scenarios/examples/arbiter.yaml")).read().split("\n---\n")[0]
    open(path, "w").write(text.replace("expect: forbidden", "expect: clean"))
    rc, r, so, se = run_json(path, "--junit", folder + "/r.xml")
    check(rc == 1, "a forbidden outcome fails a scenario that expects clean: exit %d" % rc)
    failure = ET.parse(folder + "/r.xml").getroot().find("testsuite/testcase/failure")
    check(failure is not None and "increments lost" in failure.text, "JUnit names the outcome")


def test_bad_outcomes_are_errors_at_their_line():
    folder = tempfile.mkdtemp(prefix="ftstress-arbiter-")
    cases = [
        ("name: a\nbody: pass\narbiter: |\n  1\n", "needs 'outcomes'", 3),
        ("name: a\nbody: pass\narbiter: '1'\noutcomes:\n  - match: '1'\n    verdict: maybe\n", "acceptable, interesting, forbidden", 6),
        ("name: a\nbody: pass\narbiter: '1'\noutcomes:\n  - verdict: acceptable\n", "needs 'match' and 'verdict'", 5),
        ("name: a\nbody: pass\narbiter: '1'\noutcomes:\n  - match: '1'\n    verdict: acceptable\n    colour: red\n",
         "unknown key 'colour'", 7),
        ("name: a\nbody: pass\noutcomes: []\n", "lacks", 3),
    ]
    for text, message, line in cases:
        path = os.path.join(folder, "bad.yaml")
        open(path, "w").write(text)
        rc, so, se = run("check", path)
        check(rc == 2 and message in se and "bad.yaml:%d:" % line in se,
              "%r: exit %d, expected '%s' at line %d" % (text, rc, message, line), se)


main([test_each_bug_is_a_forbidden_outcome_and_tsan_is_silent, test_twins_give_only_acceptable_values,
      test_histogram_in_terminal_and_junit, test_unexpected_forbidden_outcome_fails_with_its_description,
      test_bad_outcomes_are_errors_at_their_line])
