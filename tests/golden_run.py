"""Runs a scenario set and checks each scenario against the set's golden.json: outcome, owner and
the functions its finding names; clean cases must have no finding that counts.
usage: golden_run.py SCENARIO_DIR [extra ftstress run options...]"""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from ftest import check, findings, main, run_json, scenario  # noqa: E402

folder = sys.argv[1]
extra = sys.argv[2:]
sys.argv[1:] = []
golden = {k: v for k, v in json.load(open(os.path.join(folder, "golden.json"))).items() if not k.startswith("_")}


def test_golden_cases():
    rc, results, out, err = run_json(folder, "-j", "2", *extra)
    names = {s["name"] for s in results["scenarios"]}
    check(names == set(golden), "scenarios and golden cases differ: %s" % sorted(names ^ set(golden)))
    problems = []
    for name, want in golden.items():
        s = scenario(results, name)
        got = findings(results, name)
        if s["outcome"] != want["outcome"]:
            problems.append("%s: outcome %s, expected %s (%s)" % (name, s["outcome"], want["outcome"],
                            [f["title"] for f in got] or s.get("message")))
            continue
        if want["outcome"] == "clean":
            if got:
                problems.append("%s: expected silence, got %s" % (name, [f["title"] for f in got]))
            continue
        # A finding names a function through its own pair or through its group: the extension's
        # frames on its stacks ("fn:NAME"), e.g. a race inside PyDict_GetItemRef called by get_key_unsafe.
        group_fns = {g["id"]: {a[3:] for a in g["functions"] if a.startswith("fn:")} for g in results["groups"]}
        named = [f for f in got if (set(f["functions"]) | group_fns.get(f["group"], set()))
                 & set(want.get("functions_any", []))]
        if want.get("functions_any") and not named:
            problems.append("%s: no finding names any of %s; findings: %s" % (
                name, want["functions_any"], [f["functions"] for f in got]))
        if "owner" in want and named and not any(f["owner"] == want["owner"] for f in named):
            problems.append("%s: owner %s, expected %s" % (name, [f["owner"] for f in named], want["owner"]))
    # The harness must be race-free under TSan: no report, even a suppressed one, may be its own.
    harness = [f["title"] for f in results["findings"] if f["owner"] == "harness"]
    check(not harness, "reports in ftstress's own code: %s" % harness)
    check(not problems, "\n".join(problems), err[-3000:])
    check(rc == 0, "every expectation met, yet exit code %d" % rc, err[-2000:])


main([test_golden_cases])
