"""Benchmarks ftstress against the reference harness (bench/reference_harness.py: Python threads
and threading.Barrier) in the same TSan interpreter, alternating the tools on every measurement so
that machine noise hits all alike. Reports medians and ratios, with the number of runs per cell.

usage: python3 bench/run.py [--repeat N] [--parts rate,fresh,startup,detection] [--out bench/RESULTS.md]
Run it from a checkout where scripts/bootstrap has built everything. It rewrites only its own part
of the output file (between the run.py markers)."""
import argparse
import glob
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from results_section import write_section  # noqa: E402

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
REFERENCE_LIMIT = 60  # seconds before a reference run without a report counts as "not found"


def suppressions_file():
    """The suppressions ftstress applies by default (CPython's file and suppressions/*.supp), as one
    file for the reference's TSAN_OPTIONS: both tools hide exactly the same reports."""
    parts = [os.path.join(PREFIX, "share/ftstress/cpython-suppressions.txt")]
    parts += sorted(glob.glob(os.path.join(ROOT, "suppressions/*.supp")))
    path = tempfile.mktemp(suffix=".supp")
    with open(path, "w") as out:
        for p in parts:
            out.write(open(p).read() + "\n")
    return path


SUPPRESSIONS = suppressions_file()


def export(path):
    out = tempfile.mktemp(suffix=".json")
    with open(out, "w") as f:
        subprocess.run([FTSTRESS, "list", path, "--json"], stdout=f, check=True)
    return out


def ftstress_run(path, name, *extra):
    """One ftstress run of one scenario: (wall seconds, its scenario result, new findings, out dir)."""
    out = tempfile.mkdtemp()
    t0 = time.monotonic()
    subprocess.run([FTSTRESS, "run", path, "--filter", name, "--json", out + "/r.json", "-o", out, "-q", *extra],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.monotonic() - t0
    doc = json.load(open(out + "/r.json"))
    return wall, doc["scenarios"][0], [f for f in doc["findings"] if f["new"]], out


def reference_run(exported, name, *extra, halt=False, limit=None, site=None, stderr=None):
    """One reference run: (wall, start time, its JSON line or None, exit code, TSan log text).
    With halt, TSan ends it at the first unsuppressed report (exit code 66). Detection runs stop at
    REFERENCE_LIMIT; measurements of speed get `limit` (they are not races against a clock). `site`:
    another folder of extensions to import from; `stderr`: a list the run's stderr is appended to."""
    limit = limit or REFERENCE_LIMIT
    log = tempfile.mktemp()
    env = dict(os.environ, PYTHONPATH=SITE + (":" + site if site else ""),
               TSAN_OPTIONS="halt_on_error=%d exitcode=66 report_bugs=%d suppressions=%s log_path=%s" % (
                   1 if halt else 0, 1 if halt else 0, SUPPRESSIONS, log))
    t0 = time.monotonic()
    try:
        p = subprocess.run([PYTHON, REFERENCE, exported, name, *extra], capture_output=True, text=True, env=env,
                           timeout=limit)
    except subprocess.TimeoutExpired:  # ran its budget without a report, or spun: not found in time
        return limit, t0, None, None, ""
    wall = time.monotonic() - t0
    if stderr is not None:
        stderr.append(p.stderr)
    text = "".join(open(f, errors="replace").read() for f in glob.glob(log + ".*"))
    result = json.loads(p.stdout.strip().splitlines()[-1]) if p.returncode == 0 and p.stdout.strip() else None
    return wall, t0, result, p.returncode, text


def median(xs):
    return statistics.median(xs) if xs else float("nan")


def fmt(x, spec="%.2f"):
    return spec % x if x == x else "-"


# ---------------------------------------------------------------------------------------------
# Round rate at 2, 4, 8 threads (one worker, many rounds)

def round_rate(repeat, rounds):
    rows = []
    path = os.path.join(ROOT, "bench/scenarios/trivial.yaml")
    exported = export(path)
    for threads in (2, 4, 8):
        cells = {k: [] for k in ("fr", "rr", "fs", "rs", "frss", "rrss")}
        for _ in range(repeat):
            wall, s, _, _ = ftstress_run(path, "bench-trivial", "--threads", str(threads), "--rounds", str(rounds))
            cells["fr"].append(s["rounds_run"] / s["seconds"])
            cells["fs"].append(s["barrier_skew_ns"] / 1000)
            cells["frss"].append(s["peak_rss_kb"] / 1024)
            wall, t0, r, rc, _ = reference_run(exported, "bench-trivial", "--threads", str(threads),
                                               "--rounds", str(rounds), limit=1800)
            cells["rr"].append(r["rounds"] / r["seconds"])
            cells["rs"].append(r["skew_ns_median"] / 1000)
            cells["rrss"].append(r["peak_rss_kb"] / 1024)
        m = {k: median(v) for k, v in cells.items()}
        rows.append("| %d | %.0f | %.0f | **%.1fx** | %.1f | %.1f | %.0f | %.0f | %d |" % (
            threads, m["fr"], m["rr"], m["fr"] / m["rr"], m["fs"], m["rs"], m["frss"], m["rrss"], repeat))
        print(rows[-1], flush=True)
    return ["## Round rate (empty body, %d rounds in one process)" % rounds, "",
            "Rounds per second in rounds, barrier skew (median spread of threads leaving the barrier) and peak"
            " memory of the process running the rounds. Target: ratio >= 20x at 2, 4 and 8 threads.", "",
            "| threads | ftstress rounds/s | reference rounds/s | ratio | skew ftstress us | skew reference us |"
            " peak RSS ftstress MB | peak RSS reference MB | runs |", "|---|---|---|---|---|---|---|---|---|"] + rows


# ---------------------------------------------------------------------------------------------
# Fresh-process rounds (rounds_per_worker: 1): forked, spawned, and the reference's only way

FRESH = """\
name: bench-fresh
description: a fresh process per round (first-use races need fresh module state)
threads: 4
body: |
  pass
rounds: %d
rounds_per_worker: 1
"""


def fresh_rounds(repeat, rounds):
    folder = tempfile.mkdtemp()
    path = os.path.join(folder, "fresh.yaml")
    with open(path, "w") as f:
        f.write(FRESH % rounds)
    exported = export(path)
    forked, steady, spawned, reference = [], [], [], []
    for _ in range(repeat):
        wall, s, _, _ = ftstress_run(path, "bench-fresh")
        assert s["rounds_run"] == rounds and s["workers_forked"] == rounds, s
        forked.append(rounds / wall)
        # The same command with one round: what the command costs besides its rounds (supervisor,
        # fork server start-up, compile check). What is left is the cost of a fresh-process round.
        one, _, _, _ = ftstress_run(path, "bench-fresh", "--rounds", "1")
        steady.append((rounds - 1) / max(wall - one, 1e-9))
        wall, s, _, _ = ftstress_run(path, "bench-fresh", "--spawn")
        spawned.append(rounds / wall)
        # The reference has no fresh-process mode: a new interpreter per round is what a user does.
        t0 = time.monotonic()
        for _ in range(rounds):
            reference_run(exported, "bench-fresh", "--rounds", "1", limit=600)
        reference.append(rounds / (time.monotonic() - t0))
    f, st, s, r = median(forked), median(steady), median(spawned), median(reference)
    print("fresh: forked %.1f/s (steady %.1f/s) spawned %.1f/s reference %.1f/s" % (f, st, s, r), flush=True)
    return ["## Fresh-process rounds (`rounds_per_worker: 1`, 4 threads, empty body, %d rounds)" % rounds, "",
            "Rounds per second of wall time for the whole command, start-up included. ftstress forks each worker"
            " from its fork server; `--spawn` starts each as a new process (the previous behaviour); the"
            " reference starts a new interpreter per round. \"per round\" leaves out the command's fixed cost"
            " (the same command with `--rounds 1` subtracted): the rate a long fresh-process run settles at."
            " Target: >= 20 rounds/s.", "",
            "| ftstress (fork server) | per round | ftstress --spawn | reference | forked / spawned |"
            " forked / reference | runs |", "|---|---|---|---|---|---|---|",
            "| %.1f | **%.1f** | %.2f | %.2f | %.1fx | %.1fx | %d |" % (f, st, s, r, f / s, f / r, repeat)]


# ---------------------------------------------------------------------------------------------
# Start-up of each scenario of a file (the first pays the interpreter; the rest should not)

def startup(repeat, scenarios):
    folder = tempfile.mkdtemp()
    path = os.path.join(folder, "many.yaml")
    with open(path, "w") as f:
        f.write("\n---\n".join("name: s%02d\nthreads: 4\nbody: |\n  pass\nrounds: 3\n" % i for i in range(scenarios)))
    exported = export(path)
    first_f, rest_f, first_s, rest_s, ref = [], [], [], [], []
    for _ in range(repeat):
        for extra, first, rest in (([], first_f, rest_f), (["--spawn"], first_s, rest_s)):
            out = tempfile.mkdtemp()
            subprocess.run([FTSTRESS, "run", path, "-o", out, "-q", *extra], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
            ready = {}
            for line in open(os.path.join(out, "events.jsonl")):
                e = json.loads(line)
                if (e["event"] or {}).get("ev") == "ready":
                    ready.setdefault(e["scenario"], e["event"]["startup_seconds"])
            times = [ready["s%02d" % i] for i in range(scenarios)]
            first.append(times[0])
            rest.append(median(times[1:]))
        wall, t0, r, rc, _ = reference_run(exported, "s01", limit=600)
        ref.append(r["first_round_monotonic"] - t0)
    row = "| %.3f | **%.3f** | %.3f | %.3f | %.3f | %d |" % (median(first_f), median(rest_f), median(first_s),
                                                             median(rest_s), median(ref), repeat)
    print("startup:", row, flush=True)
    return ["## Start-up of a scenario (%d trivial 4-thread scenarios in one file)" % scenarios, "",
            "Seconds from asking for a worker to its first round (`startup_seconds` of each scenario's worker);"
            " \"later\" is the median over the scenarios after the first. The reference's is from starting"
            " the interpreter to its first round. Target: later scenarios <= 0.1 s.", "",
            "| ftstress first | ftstress later | --spawn first | --spawn later | reference | runs |",
            "|---|---|---|---|---|---|", row]


# ---------------------------------------------------------------------------------------------
# Time to first detection, every race in the corpus, with the race that ended each run checked

def race_cases():
    """Every scenario of the corpus that expects a race: (file, name, expected functions)."""
    cases = []
    for folder in ("tests/scenarios/seeded", "scenarios/stdlib"):
        golden = json.load(open(os.path.join(ROOT, folder, "golden.json")))
        for path in sorted(glob.glob(os.path.join(ROOT, folder, "*.yaml"))):
            for s in json.loads(subprocess.run([FTSTRESS, "list", path, "--json"], capture_output=True, text=True,
                                               check=True).stdout):
                want = golden.get(s["name"], {})
                if want.get("outcome") == "race" and "PYTHON_GIL=1" not in s["env"]:
                    cases.append((path, s["name"], want.get("functions_any", [])))
    return cases


def ftstress_detects(findings, want):
    """A finding of the run has one of the expected functions on its stacks (its report holds every
    stack, as the reference's TSan log does), or is a crash."""
    return any(f["kind"] == "crash" or set(f["functions"]) & set(want) or
               any(re.search(r"\b%s\b" % re.escape(w), f.get("report") or "") for w in want) for f in findings)


def reference_detects(rc, log, want):
    """66: TSan halted on a report, which must name an expected function; 67 (a thread raised) or a
    signal: the run failed, counted as a detected crash, as ftstress would report one."""
    if rc == 66:
        frames = set(re.findall(r"#\d+ (\S+) ", log))
        return bool(frames & set(want))
    return rc is not None and (rc == 67 or rc < 0)


def detection(repeat):
    rows, ratios, wrong = [], [], []
    for path, name, want in race_cases():
        exported = export(path)
        ft_wall, ref_wall, ft_rounds, ft_found, ref_found = [], [], [], 0, 0
        for _ in range(repeat):
            # one hash seed for every run: later commands fork from the server the first one kept
            wall, s, found, _ = ftstress_run(path, name, "--hash-seed", "1")
            if found and ftstress_detects(found, want):
                ft_found += 1
                ft_wall.append(wall)
                ft_rounds.append(min(f["first_round"] for f in found) + 1)
            elif found:
                wrong.append("ftstress %s: %s" % (name, [f["title"] for f in found]))
            wall, t0, r, rc, log = reference_run(exported, name, halt=True)
            if reference_detects(rc, log, want):
                ref_found += 1
                ref_wall.append(wall)
            elif rc == 66:
                wrong.append("reference %s: %s" % (name, (re.findall(r"SUMMARY: .*", log) or ["?"])[0]))
        fw, rw = median(ft_wall), median(ref_wall)
        ratio = fw / rw if ft_found and ref_found else float("nan")
        if ratio == ratio:
            ratios.append(ratio)
        rows.append("| %s | %s | %s | %s | %s | %d/%d | %d/%d |" % (
            name, fmt(fw), fmt(rw), fmt(ratio, "%.2fx"), fmt(median(ft_rounds), "%.0f"), ft_found, repeat,
            ref_found, repeat))
        print(rows[-1], flush=True)
    lines = ["## Time to first detection, every race in the corpus", "",
             "Wall time from command start until the run ends on the expected race (ftstress stops at the"
             " expected outcome; the reference runs with TSan's `halt_on_error=1`). Every ftstress run is given"
             " `--hash-seed 1`, so every command after the first forks its workers from the server an earlier one"
             " kept, as a developer's second and later commands do (a scenario with its own `env` gets a server"
             " of its own on its first run). Both apply the same"
             " suppressions (CPython's file and `suppressions/*.supp`). A run counts as found only when the"
             " race that ended it names one of the scenario's expected functions (golden.json), or when it"
             " crashed (for the reference: a thread raised an exception that is not ignored, exit 67, or a"
             " signal). A reference run is stopped after %d s and counts as not found. Target: median"
             " ratio <= 0.5x." % REFERENCE_LIMIT, "",
             "| scenario | ftstress s | reference s | ratio | ftstress rounds to first | found ftstress |"
             " found reference |", "|---|---|---|---|---|---|---|"] + rows
    lines += ["", "Median ratio over the cases both found: **%s**." % fmt(median(ratios), "%.2fx")]
    if wrong:
        lines += ["", "Runs that ended on another finding than the expected one (not counted as found):", ""]
        lines += ["- " + w for w in wrong]
    return lines


def detection_rounds(repeat, out):
    """ftstress alone: rounds until the first detection of every corpus race, `repeat` runs each;
    the table that the scenarios' round budgets are tuned by."""
    lines = ["# Rounds to first detection", "",
             "Generated by `python3 bench/run.py --detection-rounds --repeat %d` on %s. Each case ran %d times;"
             " a run stops at its first race. Round budgets in the scenario files are set well above the"
             " worst case here, since a budget is only spent when the race is not found." % (
                 repeat, time.strftime("%Y-%m-%d"), repeat), "",
             "| scenario | found | rounds min | median | max | budget |", "|---|---|---|---|---|---|"]
    for path, name, want in race_cases():
        budget = next(s["rounds"] for s in json.loads(subprocess.run(
            [FTSTRESS, "list", path, "--json"], capture_output=True, text=True).stdout) if s["name"] == name)
        rounds = []
        for _ in range(repeat):
            wall, s, found, _ = ftstress_run(path, name)
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
    ap.add_argument("--repeat", type=int, default=5, help="runs per cell (default %(default)s)")
    ap.add_argument("--rounds", type=int, default=2000, help="rounds for the round-rate cells")
    ap.add_argument("--fresh-rounds", type=int, default=40, help="rounds for the fresh-process cells")
    ap.add_argument("--parts", default="rate,fresh,startup,detection")
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
    parts = a.parts.split(",")
    load = os.getloadavg()[0]
    makers = {"rate": lambda: round_rate(a.repeat, a.rounds), "fresh": lambda: fresh_rounds(a.repeat, a.fresh_rounds),
              "startup": lambda: startup(a.repeat, 10), "detection": lambda: detection(a.repeat)}
    for part in parts:
        if part not in makers:
            raise SystemExit("unknown part %r (rate, fresh, startup, detection)" % part)
    # each part has its own section, so that one part can be measured again without the others
    for part in parts:
        lines = ["Generated by `python3 bench/run.py --repeat %d --parts %s --reference-limit %g` on %s (%d cores,"
                 " load average %.1f at the start of the command). Medians of alternating runs; ratio = ftstress /"
                 " reference; `runs` is the number of runs per cell." % (
                     a.repeat, a.parts, REFERENCE_LIMIT, time.strftime("%Y-%m-%d"), os.cpu_count(), load), ""]
        write_section(a.out, "bench/run.py %s" % part, lines + makers[part]())
    print("written to", a.out)


if __name__ == "__main__":
    main()
