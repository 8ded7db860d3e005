"""Where --perturb's delays go: runs one bench scenario with FTSTRESS_PERTURB_TRACE in each mode and
prints, from the per-round schedule events, the round's length, each thread's body length, the
microseconds per C call of threads at the top priority and of threads that waited at most calls,
and an estimate of how many calls of two thread groups coincide per round (for each pair of threads
of the two groups: the overlap of their bodies times both call rates, calls spread evenly).

usage: python3 bench/perturb_trace.py FILE --calls 200,200,400 --groups 0,1:2 [--rounds 60] [--seed 7]
       [--modes none,jitter,pct,auto] [--site DIR]
--calls: C calls each thread makes per round (in thread order); --groups A:B: the thread indices of
the two sides of the race (e.g. the users and the toggler). Used for bench/RESULTS.md, "Perturbation"."""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FTSTRESS = os.path.join(ROOT, "build/harness/ftstress")


def schedules(path, mode, rounds, seed, site):
    out = tempfile.mkdtemp(prefix="ftstress-perturb-trace-")
    cmd = [FTSTRESS, "run", path, "--rounds", str(rounds), "--seed", str(seed), "--no-server", "-q", "-o", out]
    if site:
        cmd += ["--site", site]
    if mode != "none":
        cmd.append("--perturb=" + mode)
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=600,
                   env=dict(os.environ, FTSTRESS_PERTURB_TRACE="1"))
    evs = []
    with open(os.path.join(out, "events.jsonl")) as f:
        for line in f:
            ev = json.loads(line).get("event")
            if isinstance(ev, dict) and ev.get("ev") == "perturb":
                evs.append(ev)
    shutil.rmtree(out, ignore_errors=True)
    return evs


def summary(evs, calls, a, b):
    rounds, coincide, top, low = [], [], [], []
    for ev in evs:
        iv = [t["body_ns"] for t in ev["threads"]]
        rounds.append((max(x[1] for x in iv) - min(x[0] for x in iv)) / 1e6)
        rate = [calls[i] / max(1e-9, (x[1] - x[0]) / 1e6) for i, x in enumerate(iv)]  # calls per ms
        coincide.append(sum(max(0, min(iv[i][1], iv[j][1]) - max(iv[i][0], iv[j][0])) / 1e6 * rate[i] * rate[j]
                            for i in a for j in b))
        for t in ev["threads"]:
            if t["calls"]:  # counted by the hook in pct rounds only
                us = (t["body_ns"][1] - t["body_ns"][0]) / 1e3 / t["calls"]
                (low if t["waits"] > t["calls"] // 2 else top).append(us)
    med = lambda v: "%.1f" % statistics.median(v) if v else "-"
    return "%3d rounds | round %s ms | coinciding calls per round %s | us per C call: top %s, waiting %s" % (
        len(evs), med(rounds), med(coincide), med(top), med(low))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("file")
    ap.add_argument("--calls", required=True)
    ap.add_argument("--groups", required=True)
    ap.add_argument("--rounds", type=int, default=60)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--modes", default="none,jitter,pct,auto")
    ap.add_argument("--site")
    args = ap.parse_args()
    calls = [int(x) for x in args.calls.split(",")]
    a, b = ([int(x) for x in side.split(",")] for side in args.groups.split(":"))
    for mode in args.modes.split(","):
        evs = schedules(args.file, mode, args.rounds, args.seed, args.site)
        print("%-7s %s" % (mode, summary(evs, calls, a, b) if evs else "no schedule events"), flush=True)


if __name__ == "__main__":
    main()
