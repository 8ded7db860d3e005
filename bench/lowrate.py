"""Bugs that need many rounds (a hit rate per round of 10% or less), ftstress against the reference
harness (bench/reference_harness.py) in the same TSan interpreter: time and rounds to the first
detection, medians of alternating runs. The cases: a data race in about 1 round of 10
(bench/scenarios/lowrate), the interleaving bugs of bench/scenarios/interleave (a crash or a hang,
no TSan report), and a real extension's crash (bench/scenarios/realworld, when --sites has its
build-ext site).

usage: python3 bench/lowrate.py [--repeat N] [--limit S] [--sites DIR] [--out bench/RESULTS.md]
Both tools get the same time limit per run; a run that reaches it counts as not found (for the
reference, a hang is only ever seen that way: it has no deadline of its own). It rewrites only its
own section of the output file."""
import argparse
import glob
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from results_section import write_section  # noqa: E402
from run import FTSTRESS, ROOT, export, fmt, median, reference_run  # noqa: E402

FAILURES = ("crash", "hang", "outcome")  # what a crash/hang case counts; races are TSan's
REFERENCE_ROUNDS = 10000000               # the reference runs until its failure or the time limit


def cases(sites):
    """[(name, path, scenario name, site or None, what counts: 'race' or 'failure', race functions)]."""
    out = []
    for p in sorted(glob.glob(os.path.join(ROOT, "bench/scenarios/lowrate/*.yaml"))):
        out.append((os.path.basename(p)[:-5], p, None, "race", ["maybe_store", "peek"]))
    for p in sorted(glob.glob(os.path.join(ROOT, "bench/scenarios/interleave/*.yaml"))):
        out.append((os.path.basename(p)[:-5], p, None, "failure", []))
    for p in sorted(glob.glob(os.path.join(ROOT, "bench/scenarios/realworld/*.yaml"))):
        name = os.path.basename(p)[:-5]
        site = os.path.join(sites, name.split("_")[0]) if sites else None
        if site and os.path.isdir(site):
            out.append((name, p, site, "failure", []))
        else:
            print("%s: left out, no site %s (--sites DIR: a folder of build-ext sites)" % (name, site))
    return [(n, p, scenario_name(p), site, kind, fns) for n, p, site, kind, fns in out]


def scenario_name(path):
    return json.loads(subprocess.run([FTSTRESS, "list", path, "--json"], capture_output=True, text=True,
                                     check=True).stdout)[0]["name"]


def ftstress_once(path, site, kind, want, limit):
    """(found, rounds to it, wall seconds): the product's defaults, stopped at the first hit. A run
    still going at the limit is interrupted (SIGINT: it writes its results and ends) and counts as
    not found."""
    out = tempfile.mkdtemp(prefix="ftstress-lowrate-")
    # a fixed hash seed: later runs fork from the server the first one kept, as a developer's reruns do
    cmd = [FTSTRESS, "run", path, "-q", "-o", out, "--json", out + "/r.json", "--hash-seed", "1"]
    if kind == "failure":  # stop at the crash, hang or forbidden outcome, past any race
        cmd += ["--until-failure", "--duration", str(limit)] + (["--keep-going"] if site else [])
    if site:
        cmd += ["--site", site]
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        p.wait(timeout=limit)
    except subprocess.TimeoutExpired:
        p.send_signal(signal.SIGINT)
        p.wait(timeout=120)
    wall = time.monotonic() - t0
    doc = json.load(open(out + "/r.json"))
    shutil.rmtree(out, ignore_errors=True)
    if kind == "failure":
        hits = [f for f in doc["findings"] if f["kind"] in FAILURES]
    else:
        hits = [f for f in doc["findings"] if f["kind"] == "race" and set(f["functions"]) & set(want)]
    if not hits or wall > limit:
        return False, None, wall
    return True, min(f["first_round"] for f in hits) + 1, wall


OTHER_REPORTS = []  # reference runs that TSan halted on a report that was not the bug's


def reference_once(exported, name, site, kind, want, limit):
    """(found, rounds to it, wall seconds). A race: TSan halts at its first report (exit 66), which
    must name an expected function. A failure: TSan does not report (the races on the way are not
    what is measured), and the run must die of a signal or a thread's exception (exit 67)."""
    err = []
    wall, t0, result, rc, log = reference_run(exported, name, "--rounds", str(REFERENCE_ROUNDS), "--progress", "1",
                                              halt=(kind == "race"), limit=limit, site=site, stderr=err)
    rounds = re.findall(r"^reference round (\d+)$", err[0], re.M) if err else []
    if kind == "race":
        found = rc == 66 and bool(set(re.findall(r"#\d+ (\S+) ", log)) & set(want))
        if rc == 66 and not found:
            OTHER_REPORTS.append("%s, round %s: %s" % (name, rounds[-1] if rounds else "?",
                                                      (re.findall(r"SUMMARY: .*", log) or ["?"])[0]))
    else:  # a signal TSan caught ends the run with its exit code 66 and an ERROR report (races are not reported)
        found = rc is not None and (rc < 0 or rc == 67 or (rc == 66 and "ERROR: ThreadSanitizer: " in log))
    return found, int(rounds[-1]) if found and rounds else None, wall


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5, help="runs per tool and case (default %(default)s)")
    ap.add_argument("--limit", type=float, default=30, help="seconds before a run counts as not found (default %(default)s)")
    ap.add_argument("--sites", default=None, help="a folder of build-ext sites, one per real extension (xxhash, rapidjson)")
    ap.add_argument("--only", default=None, help="a comma-separated list of case names")
    ap.add_argument("--out", default=os.path.join(ROOT, "bench/RESULTS.md"))
    a = ap.parse_args()
    load = os.getloadavg()[0]
    rows = []
    for name, path, sname, site, kind, want in cases(a.sites):
        if a.only and name not in a.only.split(","):
            continue
        exported = export(path)
        got = {"ftstress": [], "reference": []}
        for i in range(a.repeat):  # alternating, so that machine noise hits both alike
            got["ftstress"].append(ftstress_once(path, site, kind, want, a.limit))
            got["reference"].append(reference_once(exported, sname, site, kind, want, a.limit))
            print(name, i + 1, got["ftstress"][-1], got["reference"][-1], flush=True)
        cells = []
        for tool in ("ftstress", "reference"):
            runs = got[tool]
            found = [r for r in runs if r[0]]
            cells += ["%d/%d" % (len(found), len(runs)),
                      fmt(median([r[1] for r in found if r[1] is not None]), "%.0f"),
                      fmt(median([r[2] for r in found]))]
        fs = median([r[2] for r in got["ftstress"] if r[0]])
        rs = median([r[2] for r in got["reference"] if r[0]])
        ratio = fmt(fs / rs, "%.2fx") if fs == fs and rs == rs else "-"
        rows.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            name, "race" if kind == "race" else "crash/hang", *cells, ratio))
        print(rows[-1], flush=True)
    lines = ["## Bugs that need many rounds (hit rate per round <= 10%)", "",
             "Generated by `python3 bench/lowrate.py --repeat %d --limit %g%s` on %s (%d cores, load average %.1f at"
             " the start). Each tool ran each case %d times, alternating; medians over the runs that found it."
             " ftstress ran with its defaults (`--perturb=auto`) and `--hash-seed 1`, so that every run after the"
             " first forked its workers from the server the first one kept (a developer's reruns do the same),"
             " stopped at the expected race or, for a crash/hang case, with `--until-failure`; the reference (Python threads and a"
             " `threading.Barrier`, bench/reference_harness.py) ran with TSan's `halt_on_error=1` for a race, and"
             " without TSan reports for a crash/hang case, until it died. Rounds: up to and including the one"
             " that showed it. Seconds: the whole command, start-up included. A run past %g s counts as not"
             " found; the reference has no hang deadline, so a hang is never found by it." % (
                 a.repeat, a.limit, " --sites " + a.sites if a.sites else "", time.strftime("%Y-%m-%d"),
                 os.cpu_count(), load, a.repeat, a.limit), "",
             "| bug | kind | ftstress found | rounds | seconds | reference found | rounds | seconds | seconds ratio |",
             "|---|---|---|---|---|---|---|---|---|"] + rows
    if OTHER_REPORTS:
        lines += ["", "Reference runs that TSan halted on another report than the bug's (not found; ftstress applies"
                  " the same suppression files, and its runs end only at the expected finding):", ""]
        lines += ["- " + r for r in OTHER_REPORTS]
    write_section(a.out, "bench/lowrate.py", lines)
    print("written to", a.out)


if __name__ == "__main__":
    main()
