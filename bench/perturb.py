"""Measures --perturb: for each bench bug and each mode (none, jitter, pct, auto by default), N runs of
`ftstress run FILE --until-failure --duration LIMIT --seed S`, one seed per run (the same seeds for
every mode), and the rounds and seconds to the first crash, hang or forbidden outcome. Writes the
table into bench/RESULTS.md under "Perturbation" (replacing that section only).

The bugs: bench/scenarios/interleave/*.yaml (the `interleave` test extension, built by
scripts/bootstrap) and bench/scenarios/realworld/*.yaml (real extensions; FILE's stem up to the
first `_` names the extension, found as --sites DIR/EXT, a site `ftstress build-ext` made; a bug
whose site is missing is left out, and said so; these run with --keep-going, as their scenarios
expect the races and the bug is the crash they lead to).

usage: python3 bench/perturb.py [--runs N] [--limit SECONDS] [--modes none,pct,auto] [--sites DIR]
                                [--only NAME] [--lock FILE] [--log FILE] [--out bench/RESULTS.md]
Run it from a checkout where scripts/bootstrap has built everything. Runs alternate the modes seed
by seed, so that machine noise hits every mode alike. --lock takes that file's flock while runs go
on (a shared machine's heavy-work lock), released after each --lock-chunk seconds; --log appends
every run as a JSON line and skips runs already in it, so an interrupted bench resumes, and the
table is made from the log."""
import argparse
import fcntl
import glob
import json
import math
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FTSTRESS = os.path.join(ROOT, "build/harness/ftstress")
MODES = ["none", "jitter", "pct", "auto"]
KINDS = ("crash", "hang", "outcome")  # what counts as the bug showing; races are TSan's, whatever the schedule
HEADING = "## Perturbation"


def bugs(sites):
    """[(name, path, site or None)]: every interleave bug, and every real-extension bug whose site exists."""
    found = [(os.path.basename(p)[:-5], p, None)
             for p in sorted(glob.glob(os.path.join(ROOT, "bench/scenarios/interleave/*.yaml")))]
    for p in sorted(glob.glob(os.path.join(ROOT, "bench/scenarios/realworld/*.yaml"))):
        name = os.path.basename(p)[:-5]
        site = os.path.join(sites, name.split("_")[0]) if sites else None
        if site and os.path.isdir(site):
            found.append((name, p, site))
        else:
            print("%s: left out, no site %s (--sites DIR: a folder of build-ext sites)" % (name, site))
    return found


def plain_number(x):
    """Two significant digits, written as a person would: 37, 2.4, 0.76, 120 (never 1.2e+02)."""
    return "%.0f" % x if x >= 10 else "%.2g" % x


def one_run(path, site, mode, seed, limit):
    """Returns (found, rounds to the first crash, hang or forbidden outcome, wall seconds to it or to the limit)."""
    out = tempfile.mkdtemp(prefix="ftstress-perturb-")
    cmd = [FTSTRESS, "run", path, "--until-failure", "--duration", str(limit), "--seed", str(seed), "-q", "-o", out]
    if site:  # a real-extension bug: its scenario expects the races, --keep-going runs on past them to the crash
        cmd += ["--site", site, "--keep-going"]
    if mode != "none":
        cmd.append("--perturb=" + mode)
    t0 = time.monotonic()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=limit + 120)
    wall = time.monotonic() - t0
    with open(os.path.join(out, "results.json")) as f:
        doc = json.load(f)
    shutil.rmtree(out, ignore_errors=True)
    assert doc["perturb"]["mode"] == mode, doc["perturb"]
    hits = [f for f in doc["findings"] if f["kind"] in KINDS]
    if not hits:
        return False, doc["scenarios"][0]["rounds_run"], wall
    return True, min(f["first_round"] for f in hits) + 1, wall


def load():
    try:
        return float(open("/proc/loadavg").read().split()[0])
    except OSError:
        return float("nan")


def table(results, modes, runs, limit, loads, elapsed, command):
    rows = ["| bug | mode | found | median rounds | median seconds | rounds (each run) |",
            "|---|---|---|---|---|---|"]
    for name, by_mode in results.items():
        for mode in modes:
            rs = by_mode[mode]
            found = [r for r in rs if r[0]]
            med_r = statistics.median(r[1] for r in found) if found else None
            med_s = statistics.median(r[2] for r in found) if found else None
            each = " ".join(str(r[1]) if r[0] else "-" for r in rs)
            rows.append("| %s | %s | %d/%d | %s | %s | %s |" % (
                name, mode, len(found), len(rs), "%g" % med_r if med_r is not None else "-",
                "%.1f" % med_s if med_s is not None else "-", each))
    caption = ("%d runs per bug and mode, seeds 1-%d (the same for every mode), each stopped at %d s; "
               "rounds: up to and including the one that crashed, hung or had a forbidden outcome; seconds: wall time of the whole "
               "`ftstress run` (interpreter start-up and, for the hang, its %s deadline included); "
               "`-` in the last column: not found within the limit. Load average during the bench "
               "%.1f-%.1f (1-minute, sampled before each run) on 2 cores shared with other engineers; "
               "the runs took %.0f s of the lock in all." % (runs, runs, limit, "2 s", min(loads), max(loads), elapsed))
    summary = ["| bug | " + " | ".join(modes) + " |", "|---|" + "---|" * len(modes)]
    for name, by_mode in results.items():
        base = median_rounds(by_mode.get("none", []))
        cells = []
        for mode in modes:
            med = median_rounds(by_mode[mode])
            found = sum(1 for r in by_mode[mode] if r[0])
            ratio = " (%sx)" % plain_number(base / med) if base and med and mode != "none" and base != float("inf") else ""
            p = rank_sum_p(rounds_all(by_mode.get("none", [])), rounds_all(by_mode[mode])) if mode != "none" else None
            if p is not None:
                ratio += ", p=%.2f%s" % (p, "" if p >= 0.05 else " better" if med < base else " worse")
            shown = "-" if med is None else "not found" if med == float("inf") else "%g" % med
            cells.append("%d/%d, %s%s" % (found, len(by_mode[mode]), shown, ratio))
        summary.append("| %s | %s |" % (name, " | ".join(cells)))
    legend = ("Summary: found/runs, median rounds to detect over all runs (a run that did not find it counts "
              "as longer than any that did), and in brackets none's median over the mode's (above 1: the "
              "mode needs fewer rounds), then the two-sided rank-sum test's p against none over every run "
              "(`better`/`worse` when p < 0.05: beyond the seeds' noise; a run that did not find it ranks last).")
    return "\n".join([HEADING, "", "Command: `%s`" % command, "", caption, "", legend, ""] + summary + [""] +
                      rows) + "\n"


def rank_sum_p(a, b):
    """Two-sided p-value of the Mann-Whitney rank-sum test that runs `a` and `b` (rounds to detect,
    inf for not found) come from one distribution: normal approximation with the tie correction
    and a continuity correction, fair from about 8 runs a side. "Beyond noise" is p < 0.05."""
    n1, n2 = len(a), len(b)
    if not n1 or not n2:
        return None
    values = sorted([(v, 0) for v in a] + [(v, 1) for v in b], key=lambda x: x[0])
    ranks, ties, i = [0.0] * len(values), 0.0, 0
    while i < len(values):
        j = i
        while j + 1 < len(values) and values[j + 1][0] == values[i][0]:
            j += 1
        for k in range(i, j + 1):
            ranks[k] = (i + j) / 2 + 1
        t = j - i + 1
        ties += t ** 3 - t
        i = j + 1
    u1 = sum(r for r, (_, side) in zip(ranks, values) if side == 0) - n1 * (n1 + 1) / 2
    n = n1 + n2
    var = n1 * n2 / 12 * ((n + 1) - ties / (n * (n - 1)))
    if var <= 0:
        return 1.0
    z = max(0.0, abs(u1 - n1 * n2 / 2) - 0.5) / math.sqrt(var)
    return math.erfc(z / math.sqrt(2))


def median_rounds(rs):
    """The median over every run, a run that did not find the bug counted as longer than any that did
    (infinite): so a mode that misses often is not flattered by its lucky runs."""
    return statistics.median([r[1] if r[0] else float("inf") for r in rs]) if rs else None


def write_section(path, section):
    text = open(path).read() if os.path.exists(path) else "# Benchmark results\n"
    pattern = re.compile(r"^%s\n.*?(?=^## |\Z)" % re.escape(HEADING), re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(lambda m: section + "\n", text)
    else:
        text = text.rstrip("\n") + "\n\n" + section
    with open(path, "w") as f:
        f.write(text)


def rounds_all(rs):
    return [r[1] if r[0] else float("inf") for r in rs]


def read_log(path):
    done = {}
    if path and os.path.exists(path):
        for line in open(path):
            if line.strip():
                r = json.loads(line)
                done[(r["bug"], r["mode"], r["seed"], r["limit"])] = r
    return done


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--limit", type=int, default=20, help="seconds before a run counts as not found")
    ap.add_argument("--modes", default=",".join(MODES), help="comma-separated --perturb modes to compare")
    ap.add_argument("--sites", help="folder of build-ext sites, one per real extension (xxhash, rapidjson)")
    ap.add_argument("--only", action="append", default=[], help="only this bug (file stem; repeatable)")
    ap.add_argument("--lock", help="flock this file while runs go on, released every --lock-chunk seconds")
    ap.add_argument("--lock-chunk", type=float, default=240, help="seconds to hold --lock before letting others in")
    ap.add_argument("--log", help="append each run here as a JSON line; runs already in it are not repeated")
    ap.add_argument("--out", default=os.path.join(ROOT, "bench/RESULTS.md"))
    args = ap.parse_args()
    modes = args.modes.split(",")
    command = " ".join(["python3", "bench/perturb.py"] + sys.argv[1:])
    done = read_log(args.log)
    chosen = [b for b in bugs(args.sites) if not args.only or b[0] in args.only]
    results = {name: {m: [] for m in modes} for name, _, _ in chosen}
    loads, lock, held_since = [], None, 0.0
    # Seed-major: every bug gets seed 1 in every mode before any gets seed 2, so a bench cut short
    # still compares every bug and mode over the same seeds.
    for seed in range(1, args.runs + 1):
        for name, path, site in chosen:
            for mode in modes:
                key = (name, mode, seed, args.limit)
                if key not in done:
                    if args.lock and lock is None:
                        lock = open(args.lock, "a")
                        fcntl.flock(lock, fcntl.LOCK_EX)
                        held_since = time.monotonic()
                    l = load()
                    found, rounds, wall = one_run(path, site, mode, seed, args.limit)
                    done[key] = {"bug": name, "mode": mode, "seed": seed, "limit": args.limit, "found": found,
                                 "rounds": rounds, "seconds": wall, "load": l}
                    if args.log:
                        with open(args.log, "a") as f:
                            f.write(json.dumps(done[key]) + "\n")
                r = done[key]
                loads.append(r["load"])
                results[name][mode].append((r["found"], r["rounds"], r["seconds"]))
                print("%-24s %-6s seed %2d: %s, %d rounds, %.1f s" % (
                    name, mode, seed, "found" if r["found"] else "NOT FOUND", r["rounds"], r["seconds"]), flush=True)
            if lock and time.monotonic() - held_since > args.lock_chunk:
                lock.close()  # releases the flock: other work gets the machine between chunks
                lock = None
    if lock:
        lock.close()
    busy = sum(r["seconds"] for k, r in done.items() if k[0] in results and k[1] in modes and k[2] <= args.runs)
    section = table(results, modes, args.runs, args.limit, loads, busy, command)
    print(section)
    write_section(args.out, section)


if __name__ == "__main__":
    main()
