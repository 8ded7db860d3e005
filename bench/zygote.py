"""Benchmarks fresh-process rounds of scenarios that import something (`rounds_per_worker: 1`): workers
forked from the scenario's zygote (the imports done once), forked from the fork server without it
(FTSTRESS_ZYGOTE=0: each worker imports), and the reference, which starts an interpreter and imports
per round. Per round = (wall of N rounds - wall of 1 round) / (N - 1): the command's fixed cost left
out. Alternating runs, medians.

usage: python3 bench/zygote.py [--repeat N] [--rounds N] [--site DIR --module NAME]... [--out bench/RESULTS.md]
Rewrites only its own section of the output file (between the zygote.py markers)."""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FTSTRESS = os.path.join(ROOT, "build/harness/ftstress")
REFERENCE = os.path.join(ROOT, "bench/reference_harness.py")
SITE = os.path.join(ROOT, "build/site")
BEGIN, END = "<!-- bench/zygote.py: begin -->", "<!-- bench/zygote.py: end -->"
SCENARIO = """\
name: fresh-imports
threads: 4
imports: [%s]
env: {PYTHON_GIL: "0"}   # real extensions often lack Py_mod_gil: keep the GIL off as their users do
body: |
  pass
rounds: %d
rounds_per_worker: 1
"""


def interpreter():
    for line in open(os.path.join(ROOT, "build/CMakeCache.txt")):
        if line.startswith("FTSTRESS_PYTHON:"):
            return line.split("=", 1)[1].strip()
    raise SystemExit("build/ is not configured: run scripts/bootstrap")


def write(module, rounds):
    path = os.path.join(tempfile.mkdtemp(), "fresh.yaml")
    with open(path, "w") as f:
        f.write(SCENARIO % (module, rounds))
    return path


def ftstress(path, site, rounds, zygote):
    env = dict(os.environ, FTSTRESS_ZYGOTE="1" if zygote else "0")
    extra = ["--site", site] if site else []
    t0 = time.monotonic()
    subprocess.run([FTSTRESS, "run", path, "-q", "-o", tempfile.mkdtemp(), "--rounds", str(rounds), *extra],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=True)
    return time.monotonic() - t0


def reference_round(python, exported, site):
    """One round as a user without ftstress runs it: a new interpreter that imports and runs it."""
    path = os.pathsep.join(p for p in (site, SITE) if p)
    t0 = time.monotonic()
    subprocess.run([python, REFERENCE, exported, "fresh-imports", "--rounds", "1"], capture_output=True,
                   env=dict(os.environ, PYTHONPATH=path, PYTHON_GIL="0", TSAN_OPTIONS="report_bugs=0"), check=True)
    return time.monotonic() - t0


def measure(python, module, site, rounds, repeat):
    path = write(module, rounds)
    exported = tempfile.mktemp(suffix=".json")
    with open(exported, "w") as f:
        subprocess.run([FTSTRESS, "list", path, "--json"], stdout=f, check=True)
    cells = {"zygote": [], "no zygote": [], "reference": []}
    for _ in range(repeat):
        for zygote, name in ((True, "zygote"), (False, "no zygote")):
            many = ftstress(path, site, rounds, zygote)
            one = ftstress(path, site, 1, zygote)
            cells[name].append((many - one) / (rounds - 1))
        cells["reference"].append(reference_round(python, exported, site))
    return {k: statistics.median(v) for k, v in cells.items()}


def write_section(out, lines):
    text = open(out).read() if os.path.exists(out) else "# Benchmark results\n"
    section = BEGIN + "\n" + "\n".join(lines) + "\n" + END
    if BEGIN in text and END in text:
        text = text[:text.index(BEGIN)] + section + text[text.index(END) + len(END):]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    with open(out, "w") as f:
        f.write(text)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--site", action="append", default=[], help="a site folder for the --module of the same position")
    ap.add_argument("--module", action="append", default=[], help="a module to import (a real extension)")
    ap.add_argument("--out", default=os.path.join(ROOT, "bench/RESULTS.md"))
    a = ap.parse_args()
    if len(a.site) != len(a.module):
        raise SystemExit("give one --site per --module")
    python = interpreter()
    cases = [("json", None)] + list(zip(a.module, a.site))
    load = os.getloadavg()[0]
    rows = []
    for module, site in cases:
        m = measure(python, module, site, a.rounds, a.repeat)
        print("%s: zygote %.3f s/round, no zygote %.3f, reference %.3f" % (module, m["zygote"], m["no zygote"],
                                                                         m["reference"]), flush=True)
        rows.append("| `%s` | **%.3f** | %.3f | %.3f | %.1fx | %.1fx |" % (
            module, m["zygote"], m["no zygote"], m["reference"], m["no zygote"] / m["zygote"],
            m["reference"] / m["zygote"]))
    lines = ["## Fresh-process rounds that import (zygotes)", "",
             "Generated by `python3 %s` on %s (%d cores, load average %.1f at the start; %d runs per cell, medians,"
             " %d rounds). Seconds per fresh-process round (`rounds_per_worker: 1`, 4 threads, empty body), the"
             " command's fixed cost left out: forked from the scenario's zygote (its imports done once), forked"
             " from the fork server without one (`FTSTRESS_ZYGOTE=0`: every worker imports), and the reference"
             " (a new interpreter that imports, per round)." % (" ".join(["bench/zygote.py"] + sys.argv[1:]),
                                                               time.strftime("%Y-%m-%d"), os.cpu_count(), load,
                                                               a.repeat, a.rounds), "",
             "| imports | zygote s/round | no zygote | reference | no zygote / zygote | reference / zygote |",
             "|---|---|---|---|---|---|"] + rows
    write_section(a.out, lines)
    print("written to", a.out)


main()
