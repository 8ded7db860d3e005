"""Interpreter differentials: `ftstress run --python A --python B` runs a scenario on two CPython
builds and says, per root-cause group, where it was found. The case is a race CPython fixed between
3.13.5 and 3.13.15 (gh-143880, functools.partial's vectorcall slot): found on 3.13.5 only."""
import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from ftest import SOURCE, check, main, run  # noqa: E402

OLD = os.environ["FTSTRESS_DIFF_BUILD"]  # the driver built for CPython 3.13.5 (scripts/test makes it)
NEW = os.path.dirname(os.path.dirname(os.environ["FTSTRESS_BIN"]))
CASE = os.path.join(SOURCE, "tests/scenarios/differential/partial.yaml")


def differential(a, b):
    out = tempfile.mkdtemp(prefix="ftstress-diff-")
    rc, so, se = run("run", CASE, "--python", a, "--python", b, "-o", out, "--json", out + "/d.json")
    check(os.path.exists(out + "/d.json"), "the comparison is written", so, se)
    return rc, json.load(open(out + "/d.json")), so, se


def partial_group(side):
    return side and any("partial_vectorcall_fallback" in a for a in side["functions"])


def test_race_fixed_in_the_newer_interpreter():
    rc, doc, so, se = differential(OLD, NEW)
    versions = [i["version"] for i in doc["interpreters"]]
    check(versions == ["CPython 3.13.5", "CPython 3.13.15"], "each run names its interpreter: %s" % versions)
    rows = doc["comparisons"][0]["groups"]
    fixed = [r for r in rows if r["verdict"] == "only_a" and partial_group(r["a"])]
    check(fixed, "the partial race is found on 3.13.5 only: %s" % json.dumps(rows)[:2000], so, se)
    check(not any(r["verdict"] != "only_a" for r in rows), "nothing on 3.13.15: %s" % json.dumps(rows)[:2000])
    check("only A: fixed in B" in so and "partial_vectorcall_fallback" in json.dumps(fixed), "the table says so", so)
    check(rc == 1, "a side that missed its expectation fails the run: exit %d" % rc, so, se)


def test_order_reversed_it_is_new_in_b():
    rc, doc, so, se = differential(NEW, OLD)
    rows = doc["comparisons"][0]["groups"]
    check(any(r["verdict"] == "only_b" and partial_group(r["b"]) for r in rows) and "only B: new in B" in so,
          "with 3.13.5 second the race is new in B: %s" % json.dumps(rows)[:2000], so, se)


def test_needs_two_interpreters_and_real_builds():
    rc, so, se = run("run", CASE, "--python", NEW)
    check(rc == 2 and "two interpreters" in se, "one --python is a usage error", so, se)
    rc, so, se = run("run", CASE, "--python", NEW, "--python", "/nonexistent/build")
    check(rc == 2 and "/nonexistent/build" in se and "bootstrap --cpython-version" in se,
          "a missing build is named, with how to make it", so, se)


main([test_race_fixed_in_the_newer_interpreter, test_order_reversed_it_is_new_in_b,
      test_needs_two_interpreters_and_real_builds])
