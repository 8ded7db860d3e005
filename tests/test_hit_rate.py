"""Hit rates per root-cause group (rounds hit, Wilson 95% interval, rounds for 99% detection),
--until-failure --confidence, and --threads sweeps, as the user sees them: terminal and results.json."""
import json
import math
import os
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from ftest import check, main, run, run_json, scenario  # noqa: E402

# p2 of the seeded corpus: a plain ++ on a global counter (racy), and its atomic twin. "fresh" runs
# every round in a worker of its own, so TSan can report the race again in every round.
SCENARIOS = """
name: p2-fresh
imports: [seeded_globals]
threads: 4
body: |
  seeded_globals.next_version_unsafe()
iterations: 100
rounds: 10
rounds_per_worker: 1
expect: race
---
name: p2-one-worker
imports: [seeded_globals]
threads: 4
body: |
  seeded_globals.next_version_unsafe()
iterations: 100
rounds: 10
expect: race
---
name: p2-atomic
imports: [seeded_globals]
threads: 4
body: |
  seeded_globals.next_version_atomic()
iterations: 100
rounds: 10
rounds_per_worker: 1
expect: clean
"""


def scenario_file():
    path = tempfile.mkdtemp(prefix="ftstress-hitrate-") + "/p2.yaml"
    with open(path, "w") as f:
        f.write(SCENARIOS)
    return path


def wilson(k, n, z=1.959963984540054):
    p = k / n
    d = 1 + z * z / n
    c = (p + z * z / (2 * n)) / d
    h = z / d * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max(0.0, c - h) if k else 0.0, min(1.0, c + h) if k < n else 1.0


def rate_row(results, name):
    """The by-scenario hit rate of the group that scenario `name` produced."""
    for g in results["groups"]:
        for row in g.get("by_scenario", []):
            if row["scenario"] == name:
                return g, row
    return None, None


def test_group_hit_rate_interval_and_rounds_for_99():
    rc, r, out, err = run_json(scenario_file(), "--keep-going", "--seed", "7", expect_rc=0)
    g, fresh = rate_row(r, "p2-fresh")
    check(fresh is not None, "the racy scenario's group has a hit rate", r["groups"])
    k, n = fresh["hit_rounds"], fresh["rounds"]
    check(n == 10 and 1 <= k <= 10, "hits counted in the 10 rounds run: %d/%d" % (k, n), fresh)
    check(abs(fresh["rate"] - k / n) < 1e-9, "rate is hits/rounds", fresh)
    lo, hi = wilson(k, n)
    check(abs(fresh["rate_ci95"][0] - lo) < 1e-6 and abs(fresh["rate_ci95"][1] - hi) < 1e-6,
          "Wilson interval of %d/%d is [%.4f, %.4f]" % (k, n, lo, hi), fresh)
    check(fresh["rounds_for_99"] == math.ceil(math.log(0.01) / math.log(1 - lo)), "rounds for 99% from the lower bound",
          fresh)
    check(fresh["rate_is_lower_bound"] is False, "a worker per round: the rate is exact", fresh)
    _, shared = rate_row(r, "p2-one-worker")
    check(shared is not None and shared["rate_is_lower_bound"] is True and shared["rounds"] == 10,
          "one worker for every round: TSan reports the pair once, the rate is a lower bound", shared)
    for key in ("hit_rounds", "rounds", "rate", "rate_ci95", "rounds_for_99", "rate_is_lower_bound"):
        check(key in g, "group field %s" % key, g)
    check(not [x for x in r["groups"] if "p2-atomic" in x["scenarios"]], "the clean twin has no group", r["groups"])
    line = "hit %d/10 rounds (%.1f%%, 95%% CI %.1f–%.1f%%), 99%% detection in ≤ %d rounds" % (
        k, 100 * k / n, 100 * lo, 100 * hi, fresh["rounds_for_99"])
    check(line in out, "the terminal shows: " + line, out)
    check("hit ≥ %d/10 rounds" % shared["hit_rounds"] in out and "rounds_per_worker: 1 gives exact rates" in out,
          "the terminal marks the lower bound and says why", out)


def test_threads_sweep_table_and_json():
    out_dir = tempfile.mkdtemp(prefix="ftstress-sweep-")
    rc, so, se = run("run", scenario_file(), "-k", "p2-one-worker", "-k", "p2-atomic", "--threads", "2,4", "--rounds",
                     "3", "--keep-going", "--seed", "7", "-o", out_dir, expect_rc=0)
    table = so[so.find("sweep: hit rate"):]
    check(table and "threads=2" in table and "threads=4" in table, "a table with a column per value", so)
    check("seeded_globals: next_version_unsafe" in table and "/3" in table, "a row per group, cells hits/rounds", table)
    doc = json.load(open(out_dir + "/results.json"))
    sweep = doc.get("sweep", [])
    check([s["threads"] for s in sweep] == [2, 4], "one sweep entry per value", sweep)
    for s in sweep:
        check(os.path.exists(os.path.join(out_dir, s["out"], "results.json")), "each run keeps its folder", s)
        rows = [g for g in s["groups"] if g["name"] == "seeded_globals: next_version_unsafe"]
        check(rows and rows[0]["hit_rounds"] >= 1 and rows[0]["rounds"] == 3, "per-value rate of the group", s)
        sub = json.load(open(os.path.join(out_dir, s["out"], "results.json")))
        check(scenario(sub, "p2-one-worker")["threads"] == s["threads"], "the run used its value", sub["scenarios"])
    check(scenario(doc, "p2-atomic")["rounds_run"] == 6, "the merged document sums every run", doc["scenarios"])


def test_until_failure_confidence_stops_when_enough_rounds_ran():
    path = scenario_file()
    rc, r, out, err = run_json(path, "-k", "p2-atomic", "--until-failure", "--confidence", "0.99", "--rate", "0.5",
                               expect_rc=0)
    # 0.5^7 = 0.0078 <= 0.01 < 0.5^6: seven rounds, not one more
    check(scenario(r, "p2-atomic")["rounds_run"] == 7, "stops after 7 rounds", scenario(r, "p2-atomic"))
    check("p2-atomic: not reproduced in 7 rounds: with the given rate 0.5 the chance of missing it was ≤ 0.01" in out,
          "says what the clean run means", out)
    run("run", path, "--confidence", "0.99", "--rate", "0.5", expect_rc=2)  # no --until-failure
    run("run", path, "--until-failure", "--confidence", "0.99", expect_rc=2)  # no rate
    rc, so, se = run("run", path, "-k", "p2-atomic", "--until-failure", "--confidence", "0.99", "--rates",
                     os.devnull, expect_rc=2)


def test_confidence_from_measured_rates():
    path = scenario_file()
    rc, before, out, err = run_json(path, "-k", "p2-fresh", "--keep-going", "--rounds", "4", expect_rc=0)
    rates = tempfile.mkdtemp() + "/before.json"
    json.dump(before, open(rates, "w"))
    _, row = rate_row(before, "p2-fresh")
    # the fix: the same scenario name, the atomic counter, expected clean
    fixed = path.replace("p2.yaml", "fixed.yaml")
    with open(fixed, "w") as f:
        f.write(SCENARIOS.split("---")[0].replace("next_version_unsafe", "next_version_atomic")
                .replace("expect: race", "expect: clean"))
    rc, r, out, err = run_json(fixed, "--until-failure", "--confidence", "0.99", "--rates", rates, expect_rc=0)
    want = math.ceil(math.log(0.01) / math.log(1 - row["rate_ci95"][0]))
    check(scenario(r, "p2-fresh")["rounds_run"] == want, "rounds from the measured lower bound: %d" % want,
          scenario(r, "p2-fresh"), row)
    check("not reproduced in %d rounds: with the measured rate" % want in out, "names the measured rate", out)


main([test_group_hit_rate_interval_and_rounds_for_99, test_threads_sweep_table_and_json,
      test_until_failure_confidence_stops_when_enough_rounds_ran, test_confidence_from_measured_rates])
