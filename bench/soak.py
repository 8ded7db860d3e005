"""Soak benchmark (not in CI): ftstress --duration on a noisy scenario for a long time, sampling the
supervisor's and the workers' resident memory and the output folder's size, to show that a night's
run stays bounded.

usage: python3 bench/soak.py [--minutes 30] [--out DIR]
Prints a Markdown table (RSS and output size at 1, 10 and 30 minutes, and the peaks) for
bench/RESULTS.md, and writes every sample to DIR/samples.json."""
import argparse
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
FTSTRESS = os.path.join(ROOT, "scripts", "ftstress")


def rss_kb(pid):
    try:
        for line in open("/proc/%d/status" % pid):
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def workers_of(supervisor):
    """Worker pids: children of the supervisor whose command line says __worker."""
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            stat = open("/proc/%s/stat" % pid).read()
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            if ppid == supervisor and b"__worker" in open("/proc/%s/cmdline" % pid, "rb").read():
                found.append(int(pid))
        except (OSError, ValueError, IndexError):
            continue
    return found


def folder_bytes(path):
    total = 0
    for d, _, files in os.walk(path):
        for f in files:
            try:
                total += os.lstat(os.path.join(d, f)).st_size
            except OSError:
                pass
    return total


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=30)
    ap.add_argument("--out", default="/tmp/ftstress-soak")
    ap.add_argument("--every", type=float, default=5.0, help="seconds between samples")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    run_out = os.path.join(a.out, "run")
    # The supervisor itself, not the wrapper script: its pid is the one to sample.
    subprocess.run([FTSTRESS, "--version"], check=True, capture_output=True)
    binary = os.path.join(ROOT, "build", "harness", "ftstress")
    p = subprocess.Popen([binary, "run", os.path.join(HERE, "soak", "noisy.yaml"), "--duration",
                          str(int(a.minutes * 60)), "-o", run_out, "-q"], stdout=subprocess.DEVNULL,
                         stderr=open(os.path.join(a.out, "stderr.txt"), "w"))
    t0 = time.time()
    samples = []
    while p.poll() is None:
        ws = workers_of(p.pid)
        samples.append({"t": round(time.time() - t0, 1), "supervisor_kb": rss_kb(p.pid),
                        "workers_kb": sum(rss_kb(w) for w in ws), "workers": len(ws),
                        "out_bytes": folder_bytes(run_out)})
        time.sleep(a.every)
    samples.append({"t": round(time.time() - t0, 1), "supervisor_kb": 0, "workers_kb": 0, "workers": 0,
                    "out_bytes": folder_bytes(run_out)})
    json.dump(samples, open(os.path.join(a.out, "samples.json"), "w"), indent=1)
    r = json.load(open(os.path.join(run_out, "results.json")))
    s = r["scenarios"][0]

    def at(minute):
        near = [x for x in samples if x["t"] <= minute * 60 and x["supervisor_kb"]]
        return near[-1] if near else None

    print("| time | supervisor RSS | worker RSS | output folder |")
    print("|---|---|---|---|")
    for m in (1, 10, 30):
        x = at(m)
        if x and m <= a.minutes:
            print("| %d min | %.1f MB | %.1f MB | %.2f MB |" % (m, x["supervisor_kb"] / 1024, x["workers_kb"] / 1024,
                                                               x["out_bytes"] / 1e6))
    live = [x for x in samples if x["supervisor_kb"]]
    print("| peak | %.1f MB | %.1f MB | %.2f MB |" % (max(x["supervisor_kb"] for x in live) / 1024,
                                                    max(x["workers_kb"] for x in live) / 1024,
                                                    max(x["out_bytes"] for x in samples) / 1e6))
    print("\n%d rounds in %d workers, %d findings (%d reports), exit %d, %.0f s" % (
        s["rounds_run"], s["workers"], len(r["findings"]), sum(f["count"] for f in r["findings"]), p.returncode,
        time.time() - t0))


if __name__ == "__main__":
    sys.exit(main())
