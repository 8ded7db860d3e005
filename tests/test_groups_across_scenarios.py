"""One bug reached from several scenarios is one root-cause group listing them: two scenarios that
abort in the same CPython function form one group (in the run and in the baseline it writes), and a
different crash in a third scenario stays a group of its own (one short run, every body crashes in
round 0)."""
import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from ftest import SOURCE, check, main, run_json  # noqa: E402

FILE = os.path.join(SOURCE, "tests/scenarios/verdicts/repeated.yaml")
state = {}


def results():
    if "r" not in state:
        state["base"] = os.path.join(tempfile.mkdtemp(prefix="ftstress-groups-"), "known.json")
        state["r"] = run_json(FILE, "--baseline", state["base"], "--update-baseline", expect_rc=0)
    return state["r"]


def by_scenario(r):
    return {f["scenario"]: f for f in r["findings"]}


def test_same_bug_in_two_scenarios_is_one_group():
    rc, r, so, se = results()
    f = by_scenario(r)
    check(set(f) == {"repeated-abort-from-reader", "repeated-abort-from-writer", "repeated-other-crash"},
          "a crash in each scenario: %s" % sorted(f), so)
    a, b = f["repeated-abort-from-reader"], f["repeated-abort-from-writer"]
    check(a["signature"] == b["signature"], "the same abort: %s %s" % (a["signature"], b["signature"]), so)
    check(a["group"] == b["group"], "one group for the abort seen from two scenarios", so)
    g = r["groups"][a["group"] - 1]
    check(sorted(g["scenarios"]) == ["repeated-abort-from-reader", "repeated-abort-from-writer"],
          "the group lists both scenarios: %s" % g["scenarios"], so)
    check(g["summary"] == "2 SIGABRT" and len(g["by_scenario"]) == 2, "counted once per scenario: %s" % g, so)
    check(so.count(g["name"]) == 1, "its name printed once in the groups table:\n" + so, so)
    check(" in repeated-abort-from-writer" in so, "the terminal gives its rate per scenario", so)


def test_another_bug_stays_apart():
    rc, r, so, se = results()
    f = by_scenario(r)
    check(f["repeated-other-crash"]["group"] != f["repeated-abort-from-reader"]["group"],
          "the segfault is a group of its own", so)
    check(len(r["groups"]) == 2, "two groups: %s" % [g["name"] for g in r["groups"]], so)


def test_the_baseline_records_one_group():
    results()
    groups = json.load(open(state["base"]))["groups"]
    abort = [g for g in groups if "repeated-abort-from-reader" in g["scenarios"]]
    check(len(abort) == 1 and "repeated-abort-from-writer" in abort[0]["scenarios"],
          "one baseline group for both scenarios: %s" % groups)


if __name__ == "__main__":
    main([test_same_bug_in_two_scenarios_is_one_group, test_another_bug_stays_apart, test_the_baseline_records_one_group])
