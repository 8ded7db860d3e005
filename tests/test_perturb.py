"""--perturb: the mode and seed reach the repeat command and results.json; one seed gives one
schedule; the hook adds no ordering that hides races (seeded races still found, twins silent)."""
import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from ftest import SOURCE, check, findings, main, run, run_json, scenario  # noqa: E402

SEEDED = os.path.join(SOURCE, "tests/scenarios/seeded")

# Two C calls per iteration and nothing that depends on timing: every run of one seed must follow
# the same schedule, and the hook must count exactly 2 * iterations calls per thread.
TRACE = """
name: perturb-trace
description: a deterministic body, to read the schedule it followed
env: {FTSTRESS_PERTURB_TRACE: "1"}
setup: |
  d = {}
threads: 4
body: |
  len(d)
  abs(iteration)
iterations: 30
rounds: 6
expect: clean
"""

# The same, through a module built with branch points (interleave: -fsanitize-coverage=trace-pc-guard):
# use_once() passes the same branches every call, so the counts are exact too.
BRANCHES = """
name: perturb-branches
description: one C function with branches, called the same way every round
env: {FTSTRESS_PERTURB_TRACE: "1"}
imports: [interleave]
setup: |
  slot = interleave.Slot()
threads: 4
body: |
  slot.use_once()
iterations: 30
rounds: 6
expect: clean
"""

FAILING = """
name: perturb-fails
description: every round raises, so the run prints how to repeat it
threads: 2
body: |
  raise ValueError("seeded failure")
rounds: 1
expect: clean
"""


# The fixed twins of bench/scenarios/interleave: with every perturbation on, still no crash or hang.
TWINS = """
name: cta-twin
description: use_once() loads the item once
imports: [interleave]
setup: |
  slot = interleave.Slot()
roles:
  - name: user
    threads: 2
    body: |
      if iteration == 0:
          use = slot.use_once
      use()
  - name: toggler
    threads: 1
    body: |
      if iteration == 0:
          clear, set_ = slot.clear, slot.set
      clear()
      set_()
iterations: 200
rounds: 40
expect: clean
---
name: uaf-twin
description: get_locked() loads and reads under the lock replace_locked() takes
imports: [interleave]
setup: |
  holder = interleave.Holder()
roles:
  - name: reader
    threads: 2
    body: |
      if iteration == 0:
          get = holder.get_locked
      get()
  - name: writer
    threads: 1
    body: |
      if iteration == 0:
          replace = holder.replace_locked
      replace(iteration)
iterations: 200
rounds: 40
expect: clean
---
name: pool-twin
description: pop and push under the pool's lock
imports: [interleave]
setup: |
  pool = interleave.Pool()
threads: 3
body: |
  if iteration == 0:
      pop, push, count = pool.pop_locked, pool.push_locked, pool.count
  n = pop()
  if n is not None:
      push(n)
  if iteration % 16 == 0:
      count()
iterations: 200
rounds: 40
timeout: 10
expect: clean
"""


def write(text):
    folder = tempfile.mkdtemp(prefix="ftstress-perturb-")
    path = os.path.join(folder, "s.yaml")
    with open(path, "w") as f:
        f.write(text)
    return path


def events_of(out_dir):
    rounds = {}
    with open(os.path.join(out_dir, "events.jsonl")) as f:
        for line in f:
            ev = json.loads(line)["event"]
            if ev and ev.get("ev") == "perturb":
                rounds[ev["round"]] = ev
    return rounds


def traced(path, *args):
    out = tempfile.mkdtemp(prefix="ftstress-perturb-out-")
    rc, so, se = run("run", path, "-o", out, *args)
    check(rc == 0, "trace scenario failed (exit %d)" % rc, so, se)
    with open(os.path.join(out, "results.json")) as f:
        results = json.load(f)
    return results, events_of(out)


def test_mode_and_seed_in_repeat_command_and_results():
    path = write(FAILING)
    rc, results, out, err = run_json(path, "--perturb=pct", "--seed", "123")
    check(rc == 1, "a failing scenario should exit 1, got %d" % rc, out, err)
    check(results["perturb"] == {"mode": "pct", "seed": 123}, "results.json perturb: %r" % results.get("perturb"))
    check("--perturb=pct" in results["command"] and "--seed 123" in results["command"],
          "results.json command does not repeat the schedule: %r" % results["command"])
    repeat = [l for l in out.splitlines() if "--filter perturb-fails" in l]
    check(repeat and "--seed 123" in repeat[0] and "--perturb=pct" in repeat[0],
          "the repeat line lacks the seed or the mode", out)
    # A bare --perturb is auto; without --seed the printed seed is the one results.json has.
    rc, results, out, err = run_json(path, "--perturb")
    check(results["perturb"]["mode"] == "auto", "bare --perturb: %r" % results["perturb"])
    seed = results["seed"]
    check(results["perturb"]["seed"] == seed and "--seed %d" % seed in results["command"],
          "seed %d not in perturb or command: %r %r" % (seed, results["perturb"], results["command"]))
    repeat = [l for l in out.splitlines() if "--filter perturb-fails" in l]
    check(repeat and "--seed %d --perturb=auto" % seed in repeat[0], "repeat line: %r" % repeat, out)
    rc, results, out, err = run_json(path)
    check(results["perturb"]["mode"] == "none", "no --perturb: %r" % results["perturb"])
    check("--perturb" not in out, "a run without --perturb must not print one", out)


def test_bad_mode_is_a_usage_error():
    rc, out, err = run("run", write(FAILING), "--perturb=sideways")
    check(rc == 2 and "--perturb" in err and "sideways" in err, "exit %d" % rc, out, err)
    rc, out, err = run("run", "--help")
    check("--perturb[=MODE]" in out, "help does not show --perturb[=MODE]", out)


def check_plan(ev, mode, threads):
    if mode == "auto":  # pct in rounds 0, 4, 8, ...; nothing in the others
        want = "pct" if ev["round"] % 4 == 0 else "none"
        check(ev["round_mode"] == want, "auto, round %d: %s, expected %s" % (ev["round"], ev["round_mode"], want))
        mode = want
    pr = sorted(t["priority"] for t in ev["threads"])
    if "pct" in mode or mode == "both":
        check(pr == list(range(threads)), "round %d: priorities are not a permutation: %r" % (ev["round"], pr))
        for t in ev["threads"]:
            check(t["calls"] == 60, "round %d: the hook counted %d C calls, 60 made" % (ev["round"], t["calls"]), ev)
            low = t["priority"] > 0 or t["changes"]
            check(bool(t["waits"]) == bool(low), "round %d: waits %d at priority %d" % (ev["round"], t["waits"],
                                                                                         t["priority"]), ev)
    else:
        check(pr == [0] * threads and not any(t["changes"] or t["waits"] for t in ev["threads"]),
              "round %d: PCT acted in mode %s" % (ev["round"], mode), ev)
    jit = [t["jitter_us"] for t in ev["threads"]]
    if mode in ("jitter", "both"):
        check(all(0 <= j <= 200 for j in jit) and len(set(jit)) > 1, "round %d: jitter %r" % (ev["round"], jit))
    else:
        check(jit == [0] * threads, "round %d: jitter in mode %s: %r" % (ev["round"], mode, jit))


def test_same_seed_same_schedule():
    path = write(TRACE)
    for mode in ("jitter", "pct", "both", "auto"):
        r1, a = traced(path, "--perturb=" + mode, "--seed", "7")
        r2, b = traced(path, "--perturb=" + mode, "--seed", "7")
        r3, c = traced(path, "--perturb=" + mode, "--seed", "8")
        check(sorted(a) == list(range(6)) and sorted(b) == sorted(a) and sorted(c) == sorted(a),
              "%s: one schedule event per round expected: %r %r %r" % (mode, sorted(a), sorted(b), sorted(c)))
        for r in a:
            check_plan(a[r], mode, 4)
            check_plan(c[r], mode, 4)
        plan = lambda ev: [(t["jitter_us"], t["priority"], t["changes"]) for t in ev["threads"]]
        check([a[r]["digest"] for r in a] == [b[r]["digest"] for r in a],
              "%s: seed 7 gave two schedules" % mode, [plan(a[r]) for r in a], [plan(b[r]) for r in a])
        check([plan(a[r]) for r in a] == [plan(b[r]) for r in a], "%s: digests equal, plans not" % mode)
        check([a[r]["digest"] for r in a] != [c[r]["digest"] for r in a], "%s: seeds 7 and 8 gave one schedule" % mode)
        check(len({a[r]["digest"] for r in a}) > 1, "%s: every round had the same schedule" % mode)


def test_change_points_at_branches():
    """A module built with branch points: pct's first round counts its branches; from then on the
    change points are branches (inside its C functions), each thread stops at every one its round
    passes, auto is pct in every round, and one seed still gives one schedule."""
    path = write(BRANCHES)
    for mode in ("pct", "auto"):
        r1, a = traced(path, "--perturb=" + mode, "--seed", "7")
        r2, b = traced(path, "--perturb=" + mode, "--seed", "7")
        check(sorted(a) == list(range(6)), "%s: one schedule event per round: %r" % (mode, sorted(a)))
        first = [t["branches"] for t in a[0]["threads"]]
        check(a[0]["round_mode"] == "pct" and all(t["changes_at"] == "calls" for t in a[0]["threads"]) and
              len(set(first)) == 1 and first[0] >= 30, "%s, round 0: branches counted per thread %r" % (mode, first), a[0])
        for r in range(1, 6):
            ev = a[r]
            check(ev["round_mode"] == "pct", "%s, round %d: %s, expected pct in every round" % (mode, r, ev["round_mode"]))
            for t in ev["threads"]:
                check(t["changes_at"] == "branches" and t["span"] == first[0] and t["branches"] == first[0],
                      "%s, round %d: change points at %s, span %d, branches %d" % (mode, r, t["changes_at"], t["span"],
                                                                                  t["branches"]), ev)
                check(all(0 <= at < t["span"] for at, _ in t["changes"]) and
                      t["branch_changes_passed"] == len(t["changes"]),
                      "%s, round %d: passed %d of the change points %r" % (mode, r, t["branch_changes_passed"],
                                                                             t["changes"]), ev)
            check(sum(len(t["changes"]) for t in ev["threads"]) == 3, "%s, round %d: 3 change points" % (mode, r), ev)
        check([a[r]["digest"] for r in a] == [b[r]["digest"] for r in a], "%s: seed 7 gave two schedules" % mode)


def test_seeded_races_found_twins_silent():
    golden = json.load(open(os.path.join(SEEDED, "golden.json")))
    # both: the hook and the jitter in every round (auto, the default, has pct in a quarter of them)
    rc, results, out, err = run_json(SEEDED, "--perturb=both", "-j", "2", "-k", "p1-*", "-k", "p4-*", "-k", "p7-*",
                                     "-k", "p10-*")
    names = {s["name"] for s in results["scenarios"]}
    check(len(names) == 8, "expected 4 patterns and their twins, got %s" % sorted(names))
    check(results["perturb"]["mode"] == "both", "perturb: %r" % results["perturb"])
    problems = []
    for name in sorted(names):
        want, s = golden[name], scenario(results, name)
        got = findings(results, name)
        if s["outcome"] != want["outcome"]:
            problems.append("%s: %s, expected %s: %s" % (name, s["outcome"], want["outcome"], [f["title"] for f in got]))
        elif want["outcome"] == "clean" and got:
            problems.append("%s: a twin reported %s" % (name, [f["title"] for f in got]))
        elif want["outcome"] == "race":
            group_fns = {g["id"]: {a[3:] for a in g["functions"] if a.startswith("fn:")} for g in results["groups"]}
            if not [f for f in got if (set(f["functions"]) | group_fns.get(f["group"], set())) & set(want["functions_any"])]:
                problems.append("%s: no finding names %s" % (name, want["functions_any"]))
    # The hook runs on every team thread: none of its own code may show up in a report.
    harness = [f["title"] for f in results["findings"] if f["owner"] == "harness"]
    check(not harness, "reports in ftstress's own code with --perturb: %s" % harness)
    check(not problems, "\n".join(problems), err[-3000:])
    check(rc == 0, "expectations met, yet exit code %d" % rc, out, err[-2000:])


def test_interleave_twins_stay_clean():
    rc, results, out, err = run_json(write(TWINS), "--perturb=both", "--seed", "3")
    bad = [(s["name"], s["outcome"]) for s in results["scenarios"] if s["outcome"] != "clean"]
    check(rc == 0 and not bad and len(results["scenarios"]) == 3, "twins with --perturb: %r (exit %d)" % (bad, rc),
          out, err[-2000:])


main([test_interleave_twins_stay_clean, test_mode_and_seed_in_repeat_command_and_results, test_bad_mode_is_a_usage_error, test_same_seed_same_schedule,
      test_change_points_at_branches,
      test_seeded_races_found_twins_silent])
