"""Interrupted runs: Ctrl-C and SIGTERM stop the workers, write partial results marked
`interrupted: true` and exit with 128 + the signal; a supervisor killed with SIGKILL takes its
workers with it and leaves a results.json that `ftstress report` reads."""
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from ftest import FTSTRESS, check, main, run  # noqa: E402

SLOW = """\
name: slow-rounds
description: every round sleeps, so the run is still going when it is interrupted
threads: 2
body: |
  __import__("time").sleep(0.2)
rounds: 1000
"""


def start(folder):
    path = os.path.join(folder, "slow.yaml")
    with open(path, "w") as f:
        f.write(SLOW)
    out = os.path.join(folder, "out")
    p = subprocess.Popen([FTSTRESS, "run", path, "-o", out], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True)
    deadline = time.time() + 60  # wait until a round has run and results.json exists
    while time.time() < deadline and not os.path.exists(os.path.join(out, "results.json")):
        time.sleep(0.2)
    time.sleep(1.5)
    return p, path, out


def alive(pid):
    try:
        return open("/proc/%s/stat" % pid).read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def workers_of(supervisor, out):
    """Processes still running for this supervisor: spawned workers and a fork server of its own
    carry FTSTRESS_SUPERVISOR_PID; every worker, forked by a server kept between commands too,
    is named in the run's events.jsonl."""
    mark = b"FTSTRESS_SUPERVISOR_PID=%d" % supervisor.pid
    found = set()
    for pid in os.listdir("/proc"):
        try:
            env = open("/proc/%s/environ" % pid, "rb").read().split(b"\0")
        except OSError:
            continue
        if mark in env and alive(pid):
            found.add(int(pid))
    try:
        for line in open(os.path.join(out, "events.jsonl")):
            pid = json.loads(line).get("worker")
            if pid and alive(pid):
                found.add(pid)
    except (OSError, ValueError):
        pass
    return sorted(found)


def interrupted_by(sig, code):
    folder = tempfile.mkdtemp(prefix="ftstress-int-")
    p, path, out = start(folder)
    check(p.poll() is None and workers_of(p, out), "the run is going before the signal")
    p.send_signal(sig)
    so, se = p.communicate(timeout=60)
    check(p.returncode == code, "exit code %d after %s, expected %d" % (p.returncode, sig.name, code), so, se)
    r = json.load(open(os.path.join(out, "results.json")))
    check(r["interrupted"] is True, "results.json says interrupted")
    s = r["scenarios"][0]
    check(0 < s["rounds_run"] < 1000, "partial rounds recorded: %s" % s["rounds_run"])
    check("interrupted by" in se, "the terminal says so", se)
    time.sleep(0.5)
    check(not workers_of(p, out), "no worker left running: %s" % workers_of(p, out))


def test_ctrl_c_stops_workers_and_writes_partial_results():
    interrupted_by(signal.SIGINT, 130)


def test_sigterm_stops_workers_and_writes_partial_results():
    interrupted_by(signal.SIGTERM, 143)


def test_supervisor_killed_takes_its_workers_along():
    folder = tempfile.mkdtemp(prefix="ftstress-kill-")
    p, path, out = start(folder)
    check(workers_of(p, out), "a worker is running")
    p.kill()
    p.communicate(timeout=30)
    deadline = time.time() + 10
    while time.time() < deadline and workers_of(p, out):
        time.sleep(0.2)
    check(not workers_of(p, out), "workers outlived their SIGKILLed supervisor: %s" % workers_of(p, out))
    rc, so, se = run("report", os.path.join(out, "results.json"))
    check(rc in (0, 1) and "slow-rounds" in so, "ftstress report reads what the killed run left", so, se)


main([test_ctrl_c_stops_workers_and_writes_partial_results, test_sigterm_stops_workers_and_writes_partial_results,
      test_supervisor_killed_takes_its_workers_along])
