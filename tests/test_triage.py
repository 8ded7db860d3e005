"""`ftstress triage RESULTS.json`: a TSan run's groups re-run on the plain interpreter (build-plain)
and classified: outcomes.yaml's ctypes crash (round 3) crashes without TSan (with a rate), the seeded
version-counter race has no effect in 1000 rounds; each group gets "triage" with its
class and SARIF level in results.json, `report` prints it and its SARIF takes the level. Exits 77 (skipped, not passed) when build-plain has no driver."""
import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from ftest import SOURCE, check, main, run  # noqa: E402

PLAIN = os.environ.get("FTSTRESS_PLAIN_BUILD") or os.path.join(SOURCE, "build-plain")


def test_triage_classifies_a_crash_and_a_race_without_effect():
    out = tempfile.mkdtemp(prefix="ftstress-triage-")
    results = os.path.join(out, "results.json")
    # TSan: the crash (round 3) and the race (round 1). The use-after-free of bench/scenarios/interleave
    # is not used: on plain it crashed in 9 of 1000 rounds in one run and 0 of 1000 in another.
    run("run", os.path.join(SOURCE, "tests/scenarios/outcomes/outcomes.yaml"),
        os.path.join(SOURCE, "tests/scenarios/seeded/globals.yaml"), "--filter", "outcome-crash-in-round-3",
        "--filter", "p2-version-counter-unsafe", "--rounds", "200", "-q", "-o", out, "--json", results)
    groups = json.load(open(results))["groups"]
    check(len(groups) == 2, "the TSan run did not give the two groups", json.dumps(groups)[:2000])
    rc, so, se = run("triage", results, "--rounds", "1000", "--budget", "120",
                     env=dict(os.environ, FTSTRESS_PLAIN_BUILD=PLAIN))
    print(so, se, end="")
    check(rc == 0, "triage exited %d" % rc, so, se)
    by_scenario = {g["triage"]["scenario"]: g["triage"] for g in json.load(open(results))["groups"]}
    crash, race = by_scenario["outcome-crash-in-round-3"], by_scenario["p2-version-counter-unsafe"]
    check(crash["class"] == "crashes-without-tsan" and crash["hit_rounds"] >= 1 and 0 < crash["rate"] < 1,
          "the ctypes crash was not classified as a crash with a rate", crash)
    check(crash["sarif_level"] == "error", "a crash is not SARIF error", crash)
    check(race["class"] == "no-effect" and race["rounds"] == 1000 and race["sarif_level"] == "note",
          "the race was not classified as no effect in 1000 rounds", race)
    check("crashes-without-tsan" in so and "no-effect-in-1000-rounds" in so, "the table lacks the classes", so)

    # the class in the terminal report, and as the SARIF level: the race without effect is a note
    sarif = os.path.join(out, "r.sarif")
    rc, so, se = run("report", results, "--sarif", sarif)
    check("without TSan: crashes-without-tsan, " in so and "without TSan: no effect, 0 of 1000 rounds" in so,
          "the terminal report lacks the triage lines", so)
    levels = {r["ruleId"].split("/")[-1]: r["level"] for r in json.load(open(sarif))["runs"][0]["results"]}
    check(levels.get("crash") == "error" and levels.get("race") == "note", "SARIF levels %s" % levels)


def test_triage_bad_usage():
    rc, so, se = run("triage")
    check(rc == 2 and "usage" in se, "no file is a usage error", se)
    bad = tempfile.mktemp(suffix=".json")
    open(bad, "w").write("{")
    rc, so, se = run("triage", bad)
    check(rc == 2 and bad + ":1:" in se, "a broken file names file:line:column", se)


if __name__ == "__main__":
    if not os.access(os.path.join(PLAIN, "harness/ftstress"), os.X_OK):
        print("skipped: no plain driver in %s (build it with scripts/bootstrap --sanitizer none)" % PLAIN)
        sys.exit(77)
    main([test_triage_classifies_a_crash_and_a_race_without_effect, test_triage_bad_usage])
