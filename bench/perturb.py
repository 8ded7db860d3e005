"""Measures --perturb: for each interleaving bug of bench/scenarios/interleave and each mode (none,
jitter, pct, both), N runs of `ftstress run FILE --until-failure --duration LIMIT --seed S`, one
seed per run (the same seeds for every mode), and the rounds and seconds to the first crash or hang.
Writes the table into bench/RESULTS.md under "Perturbation" (replacing that section only).

usage: python3 bench/perturb.py [--runs N] [--limit SECONDS] [--out bench/RESULTS.md]
Run it from a checkout where scripts/bootstrap has built everything (the `interleave` extension
included). Runs alternate the modes seed by seed, so that machine noise hits every mode alike."""
import argparse
import glob
import json
import os
import re
import shutil
import statistics
import subprocess
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FTSTRESS = os.path.join(ROOT, "build/harness/ftstress")
SCENARIOS = sorted(glob.glob(os.path.join(ROOT, "bench/scenarios/interleave/*.yaml")))
MODES = ["none", "jitter", "pct", "both"]
HEADING = "## Perturbation"


def one_run(path, mode, seed, limit):
    """Returns (found, rounds to the first crash or hang, wall seconds to it or to the limit)."""
    out = tempfile.mkdtemp(prefix="ftstress-perturb-")
    cmd = [FTSTRESS, "run", path, "--until-failure", "--duration", str(limit), "--seed", str(seed), "-q", "-o", out]
    if mode != "none":
        cmd.append("--perturb=" + mode)
    t0 = time.monotonic()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=limit + 120)
    wall = time.monotonic() - t0
    with open(os.path.join(out, "results.json")) as f:
        doc = json.load(f)
    shutil.rmtree(out, ignore_errors=True)
    assert doc["perturb"]["mode"] == mode, doc["perturb"]
    hits = [f for f in doc["findings"] if f["kind"] in ("crash", "hang")]
    if not hits:
        return False, doc["scenarios"][0]["rounds_run"], wall
    return True, min(f["first_round"] for f in hits) + 1, wall


def load():
    try:
        return float(open("/proc/loadavg").read().split()[0])
    except OSError:
        return float("nan")


def table(results, runs, limit, loads, elapsed, command):
    rows = ["| bug | mode | found | median rounds | median seconds | rounds (each run) |",
            "|---|---|---|---|---|---|"]
    for name, by_mode in results.items():
        for mode in MODES:
            rs = by_mode[mode]
            found = [r for r in rs if r[0]]
            med_r = statistics.median(r[1] for r in found) if found else None
            med_s = statistics.median(r[2] for r in found) if found else None
            each = " ".join(str(r[1]) if r[0] else "-" for r in rs)
            rows.append("| %s | %s | %d/%d | %s | %s | %s |" % (
                name, mode, len(found), len(rs), "%g" % med_r if med_r is not None else "-",
                "%.1f" % med_s if med_s is not None else "-", each))
    caption = ("%d runs per bug and mode, seeds 1-%d (the same for every mode), each stopped at %d s; "
               "rounds: up to and including the one that crashed or hung; seconds: wall time of the whole "
               "`ftstress run` (interpreter start-up and, for the hang, its %s deadline included); "
               "`-` in the last column: not found within the limit. Load average during the bench "
               "%.1f-%.1f (1-minute, sampled before each run) on 2 cores shared with other engineers; "
               "the whole bench took %.0f s." % (runs, runs, limit, "2 s", min(loads), max(loads), elapsed))
    return "\n".join([HEADING, "", "Command: `%s`" % command, "", caption, ""] + rows) + "\n"


def write_section(path, section):
    text = open(path).read() if os.path.exists(path) else "# Benchmark results\n"
    pattern = re.compile(r"^%s\n.*?(?=^## |\Z)" % re.escape(HEADING), re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(lambda m: section + "\n", text)
    else:
        text = text.rstrip("\n") + "\n\n" + section
    with open(path, "w") as f:
        f.write(text)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--limit", type=int, default=20, help="seconds before a run counts as not found")
    ap.add_argument("--out", default=os.path.join(ROOT, "bench/RESULTS.md"))
    args = ap.parse_args()
    command = "python3 bench/perturb.py --runs %d --limit %d" % (args.runs, args.limit)
    results, loads, t0 = {}, [], time.monotonic()
    for path in SCENARIOS:
        name = os.path.basename(path)[:-5]
        results[name] = {m: [] for m in MODES}
        for seed in range(1, args.runs + 1):
            for mode in MODES:
                loads.append(load())
                r = one_run(path, mode, seed, args.limit)
                results[name][mode].append(r)
                print("%-16s %-6s seed %2d: %s, %d rounds, %.1f s" % (
                    name, mode, seed, "found" if r[0] else "NOT FOUND", r[1], r[2]), flush=True)
    section = table(results, args.runs, args.limit, loads, time.monotonic() - t0, command)
    print(section)
    write_section(args.out, section)


if __name__ == "__main__":
    main()
