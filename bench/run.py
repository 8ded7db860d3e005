"""Benchmarks ftstress against the reference harness (bench/reference_harness.py: Python threads
and threading.Barrier) in the same TSan interpreter, alternating the two on each measurement so
that machine noise hits both alike. Reports medians and ftstress/reference ratios.

usage: python3 bench/run.py [--repeat N] [--quick] [--out bench/RESULTS.md]
Run it from a checkout where scripts/bootstrap has built everything."""
import argparse
import glob
import json
import os
import statistics
import subprocess
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FTSTRESS = os.path.join(ROOT, "build/harness/ftstress")
REFERENCE = os.path.join(ROOT, "bench/reference_harness.py")
SITE = os.path.join(ROOT, "build/site")


def interpreter():
    for line in open(os.path.join(ROOT, "build/CMakeCache.txt")):
        if line.startswith("FTSTRESS_PYTHON:"):
            return line.split("=", 1)[1].strip()
    raise SystemExit("build/ is not configured: run scripts/bootstrap")


PYTHON = interpreter()
PREFIX = os.path.dirname(os.path.dirname(PYTHON))
CPYTHON_SUPP = os.path.join(PREFIX, "share/ftstress/cpython-suppressions.txt")


# A reference run that has not seen a report after this long counts as "not found".
REFERENCE_LIMIT = 60


def export(path):
    out = tempfile.mktemp(suffix=".json")
    with open(out, "w") as f:
        subprocess.run([FTSTRESS, "list", path, "--json"], stdout=f, check=True)
    return out


def ftstress_run(path, name, *extra):
    """One ftstress run of one scenario; returns (wall seconds, its scenario result, finding list)."""
    out = tempfile.mkdtemp()
    t0 = time.monotonic()
    subprocess.run([FTSTRESS, "run", path, "--filter", name, "--json", out + "/r.json", "-o", out, "-q", *extra],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.monotonic() - t0
    doc = json.load(open(out + "/r.json"))
    return wall, doc["scenarios"][0], [f for f in doc["findings"] if f["new"]]


def reference_run(exported, name, *extra, halt=False):
    """One reference run; with halt, TSan ends it at the first unsuppressed report."""
    env = dict(os.environ, PYTHONPATH=SITE,
               TSAN_OPTIONS="halt_on_error=%d exitcode=66 report_bugs=%d suppressions=%s log_path=%s" % (
                   1 if halt else 0, 1 if halt else 0, CPYTHON_SUPP, tempfile.mktemp()))
    t0 = time.monotonic()
    try:
        p = subprocess.run([PYTHON, REFERENCE, exported, name, *extra], capture_output=True, text=True, env=env,
                           timeout=REFERENCE_LIMIT)
    except subprocess.TimeoutExpired:  # ran its budget without a report, or spun: not found in time
        return REFERENCE_LIMIT, t0, None, -1
    wall = time.monotonic() - t0
    result = json.loads(p.stdout.strip().splitlines()[-1]) if p.returncode == 0 and p.stdout.strip() else None
    return wall, t0, result, p.returncode


def median(xs):
    return statistics.median(xs) if xs else float("nan")


def round_rate(repeat, rounds):
    rows = []
    path = os.path.join(ROOT, "bench/scenarios/trivial.yaml")
    exported = export(path)
    for threads in (2, 4, 8):
        ft_rate, ref_rate, ft_skew, ref_skew, ft_start, ref_start, ft_rss, ref_rss = ([] for _ in range(8))
        for _ in range(repeat):
            wall, s, _ = ftstress_run(path, "bench-trivial", "--threads", str(threads), "--rounds", str(rounds))
            ft_rate.append(s["rounds_run"] / s["seconds"])
            ft_skew.append(s["barrier_skew_ns"] / 1000)
            ft_start.append(s["startup_seconds"])
            ft_rss.append(s["peak_rss_kb"] / 1024)
            wall, t0, r, rc = reference_run(exported, "bench-trivial", "--threads", str(threads), "--rounds", str(rounds))
            ref_rate.append(r["rounds"] / r["seconds"])
            ref_skew.append(r["skew_ns_median"] / 1000)
            ref_start.append(r["first_round_monotonic"] - t0)
            ref_rss.append(r["peak_rss_kb"] / 1024)
        rows.append((threads, median(ft_rate), median(ref_rate), median(ft_skew), median(ref_skew),
                     median(ft_start), median(ref_start), median(ft_rss), median(ref_rss)))
    return rows


def race_cases():
    """Every scenario of the corpus that expects a race: (file, name)."""
    cases = []
    for path in sorted(glob.glob(os.path.join(ROOT, "tests/scenarios/seeded/*.yaml")) +
                       glob.glob(os.path.join(ROOT, "scenarios/stdlib/*.yaml"))):
        for s in json.loads(subprocess.run([FTSTRESS, "list", path, "--json"], capture_output=True, text=True,
                                           check=True).stdout):
            if s["expect"] == "race" and not s["rounds_per_worker"] and "PYTHON_GIL=1" not in s["env"]:
                cases.append((path, s["name"]))
    return cases


def detection(repeat):
    rows = []
    for path, name in race_cases():
        exported = export(path)
        ft_wall, ref_wall, ft_rounds, ft_found, ref_found = [], [], [], 0, 0
        for _ in range(repeat):
            wall, s, found = ftstress_run(path, name)
            if found:
                ft_found += 1
                ft_wall.append(wall)
                ft_rounds.append(min(f["first_round"] for f in found) + 1)
            wall, t0, r, rc = reference_run(exported, name, halt=True)
            if rc == 66:  # TSan halted it on a report: detection
                ref_found += 1
                ref_wall.append(wall)
        rows.append((name, median(ft_wall), median(ref_wall), median(ft_rounds), ft_found, ref_found, repeat))
    return rows


def detection_rounds(repeat, out):
    """ftstress alone: rounds until the first detection of every corpus race, `repeat` runs each;
    the table that the scenarios' round budgets are tuned by."""
    lines = ["# Rounds to first detection", "",
             "Generated by `python3 bench/run.py --detection-rounds --repeat %d` on %s. Each case ran %d times;"
             " a run stops at its first race. Round budgets in the scenario files are set well above the"
             " worst case here, since a budget is only spent when the race is not found." % (
                 repeat, time.strftime("%Y-%m-%d"), repeat), "",
             "| scenario | found | rounds min | median | max | budget |", "|---|---|---|---|---|---|"]
    for path, name in race_cases():
        budget = next(s["rounds"] for s in json.loads(subprocess.run(
            [FTSTRESS, "list", path, "--json"], capture_output=True, text=True).stdout) if s["name"] == name)
        rounds = []
        for _ in range(repeat):
            wall, s, found = ftstress_run(path, name)
            if found:
                rounds.append(min(f["first_round"] for f in found) + 1)
        lines.append("| %s | %d/%d | %s | %s | %s | %d |" % (
            name, len(rounds), repeat, min(rounds) if rounds else "-", "%.0f" % median(rounds) if rounds else "-",
            max(rounds) if rounds else "-", budget))
        print(lines[-1], flush=True)
    with open(out, "w") as f:
        f.write("\n".join(lines) + "\n")
    print("written to", out)


def main():
    global REFERENCE_LIMIT
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--rounds", type=int, default=2000)
    ap.add_argument("--quick", action="store_true", help="round rate only")
    ap.add_argument("--reference-limit", type=float, default=REFERENCE_LIMIT,
                    help="seconds before a reference run counts as not found (default %(default)s)")
    ap.add_argument("--detection-rounds", action="store_true",
                    help="ftstress only: rounds to first detection per corpus race (writes bench/DETECTION.md)")
    ap.add_argument("--out", default=None)
    a = ap.parse_args()
    REFERENCE_LIMIT = a.reference_limit
    if a.detection_rounds:
        detection_rounds(a.repeat, a.out or os.path.join(ROOT, "bench/DETECTION.md"))
        return
    a.out = a.out or os.path.join(ROOT, "bench/RESULTS.md")
    lines = ["# Benchmark results", "",
             "Generated by `python3 bench/run.py --repeat %d --reference-limit %g` on %s (%d cores). Medians of"
             " alternating runs; ratio = ftstress / reference." % (a.repeat, REFERENCE_LIMIT, time.strftime("%Y-%m-%d"),
                                                                  os.cpu_count()), "",
             "## Round rate, barrier skew, start-up, memory (empty body, %d rounds)" % a.rounds, "",
             "| threads | ftstress rounds/s | reference rounds/s | ratio | skew ftstress us | skew reference us |"
             " start-up ftstress s | start-up reference s | peak RSS ftstress MB | peak RSS reference MB |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for t, fr, rr, fs, rs, fst, rst, frss, rrss in round_rate(a.repeat, a.rounds):
        lines.append("| %d | %.0f | %.0f | %.1fx | %.1f | %.1f | %.2f | %.2f | %.0f | %.0f |" % (
            t, fr, rr, fr / rr, fs, rs, fst, rst, frss, rrss))
        print(lines[-1], flush=True)
    if not a.quick:
        lines += ["", "## Time to first detection, every race in the corpus", "",
                  "Wall time from command start until the first race report ends the run (ftstress stops at the"
                  " expected outcome; the reference runs with TSan's halt_on_error=1). Both use CPython's"
                  " suppressions. A reference run is stopped after %d s and counts as not found. A case a tool"
                  " missed in every run shows `-`." % REFERENCE_LIMIT, "",
                  "| scenario | ftstress s | reference s | ratio | ftstress rounds to first | found ftstress | found reference |",
                  "|---|---|---|---|---|---|---|"]
        ratios = []
        for name, fw, rw, fr, ff, rf, n in detection(a.repeat):
            ratio = fw / rw if ff and rf else float("nan")
            if ratio == ratio:
                ratios.append(ratio)
            lines.append("| %s | %s | %s | %s | %s | %d/%d | %d/%d |" % (
                name, "%.2f" % fw if ff else "-", "%.2f" % rw if rf else "-",
                "%.2fx" % ratio if ratio == ratio else "-", "%.0f" % fr if ff else "-", ff, n, rf, n))
            print(lines[-1], flush=True)
        lines += ["", "Median ratio over the cases both found: **%.2fx**." % median(ratios)]
    with open(a.out, "w") as f:
        f.write("\n".join(lines) + "\n")
    print("written to", a.out)


main()
