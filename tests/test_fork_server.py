"""The fork server: fresh-process rounds are forked from one initialised interpreter, each worker
starts from the same clean state (nothing one round's process did is seen by the next), first-use
races are still found, crashes in forked workers keep their native frames, and --spawn gives the
same verdicts without it. Fresh-process rounds come from a zygote that did the scenario's imports
once (worker/zygote.c), in a server of the command's own and in one kept between commands; a
scenario whose imports start a thread gets none and runs as before."""
import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from ftest import SOURCE, check, findings, main, run, run_json, scenario  # noqa: E402

FRESH = """\
name: fresh-state
description: each round's process must start from the server's state, not from the last round's
threads: 2
imports: [json]
setup_once: |
  import sys
  assert not hasattr(json, "ftstress_mark"), "a forked worker saw what an earlier worker did"
  assert "ftstress_probe_module" not in sys.modules
  json.ftstress_mark = round_seen = 1
  sys.modules["ftstress_probe_module"] = json
body: |
  pass
rounds: 6
rounds_per_worker: 1
expect: clean
---
name: segfault-forked
description: a crash in a forked worker is a crash with its native frame, as in a spawned one
threads: 2
imports: [ctypes]
body: |
  if thread == 0 and round == 1:
      ctypes.string_at(0)
rounds: 4
rounds_per_worker: 2
expect: crash
"""


def write(text):
    folder = tempfile.mkdtemp(prefix="ftstress-fork-")
    path = os.path.join(folder, "fork.yaml")
    with open(path, "w") as f:
        f.write(text)
    return path


def ready_events(out_dir):
    events = []
    with open(os.path.join(out_dir, "events.jsonl")) as f:
        for line in f:
            ev = json.loads(line)["event"] or {}
            if ev.get("ev") == "ready":
                events.append(ev)
    return events


def ready_pids(out_dir):
    return [ev["pid"] for ev in ready_events(out_dir)]


THREAD_AT_IMPORT = """import threading, time
threading.Thread(target=time.sleep, args=(3600,), daemon=True).start()
value = 1
"""

STARTS_A_THREAD = """name: import-starts-thread
description: a module whose import starts a thread cannot be forked from safely, so no zygote
threads: 2
imports: [ftstress_thread_at_import]
body: |
  assert ftstress_thread_at_import.value == 1
rounds: 3
rounds_per_worker: 1
expect: clean
"""


def test_fresh_process_rounds_are_forked_and_start_clean():
    path = write(FRESH)
    rc, r, so, se = run_json(path, "--filter", "fresh-state")
    s = scenario(r, "fresh-state")
    check(rc == 0 and s["outcome"] == "clean" and s["rounds_run"] == 6, "six clean rounds", so, se)
    check(s["workers"] == 6 and s["workers_forked"] == 6, "one forked worker per round: %s" % s, se)


def test_forked_workers_are_distinct_processes():
    path = write(FRESH)
    out = tempfile.mkdtemp(prefix="ftstress-fork-out-")
    run("run", path, "--filter", "fresh-state", "-o", out, expect_rc=0)
    pids = ready_pids(out)
    check(len(pids) == 6 and len(set(pids)) == 6, "six workers, six processes: %s" % pids)


def test_fresh_rounds_come_from_a_zygote_and_stay_fresh():
    path = write(FRESH)
    for extra, env in (([], {}), (["--seed", "7"], {}), ([], {"FTSTRESS_ZYGOTE": "0"})):
        out = tempfile.mkdtemp(prefix="ftstress-zygote-out-")
        rc, so, se = run("run", path, "--filter", "fresh-state", "-o", out, *extra, env=env)
        ready = ready_events(out)
        what = "%s %s" % (extra, env)
        check(rc == 0 and len(ready) == 6 and len({ev["pid"] for ev in ready}) == 6,
              "six clean rounds in six processes (%s)" % what, so, se)
        want = env.get("FTSTRESS_ZYGOTE") != "0"
        check(all(ev.get("zygote") is want for ev in ready),
              "every worker %s a zygote (%s): %s" % ("from" if want else "not from", what, ready))


# A module that remembers the process that imported it: in workers forked from a zygote, the
# zygote's (worker/zygote.c says so), one process for every worker of the scenario.
PID_AT_IMPORT = "import os\nPID = os.getpid()\n"

ONE_ZYGOTE = """name: one-zygote
description: every fresh worker of one scenario is forked from the same zygote
threads: 2
imports: [ftstress_pid_at_import]
body: |
  pass
arbiter: |
  ftstress_pid_at_import.PID
outcomes:
  - match: "[0-9]+"
    verdict: acceptable
rounds: 6
rounds_per_worker: 1
expect: clean
"""


def test_every_fresh_worker_of_a_scenario_comes_from_one_zygote():
    """The zygote is chosen by the request's arguments: one that changes from worker to worker
    (the first worker has no --targets-known, the last a --last-request) must not start another
    one, which would import the modules again in the middle of the run."""
    path = write(ONE_ZYGOTE)
    site = os.path.dirname(path)
    with open(os.path.join(site, "ftstress_pid_at_import.py"), "w") as f:
        f.write(PID_AT_IMPORT)
    for extra in ([], ["--seed", "7"]):
        rc, r, so, se = run_json(path, "--site", site, "-j", "1", *extra)
        s = scenario(r, "one-zygote")
        pids = {o["value"]: o["count"] for o in s["outcomes"]}
        check(rc == 0 and s["workers"] == 6 and sum(pids.values()) == 6,
              "six rounds in six workers (%s)" % extra, so, se)
        check(len(pids) == 1, "the modules were imported by %d processes, one zygote expected (%s): %s"
              % (len(pids), extra, pids), so, se)


def test_imports_that_start_a_thread_get_no_zygote():
    path = write(STARTS_A_THREAD)
    site = os.path.dirname(path)
    with open(os.path.join(site, "ftstress_thread_at_import.py"), "w") as f:
        f.write(THREAD_AT_IMPORT)
    out = tempfile.mkdtemp(prefix="ftstress-zygote-out-")
    rc, so, se = run("run", path, "--site", site, "-o", out)
    check(rc == 0, "three clean rounds", so, se)
    ready = ready_events(out)
    check(len(ready) == 3, "three workers: %s" % ready, so, se)
    check(not any(ev.get("zygote") for ev in ready), "no worker from a zygote: %s" % ready)


def test_crash_in_forked_worker_keeps_native_frame():
    path = write(FRESH)
    rc, r, so, se = run_json(path, "--filter", "segfault-forked")
    s = scenario(r, "segfault-forked")
    check(rc == 0 and s["outcome"] == "crash" and s["workers_forked"] >= 1, "the crash is the verdict: %s" % s, so, se)
    crash = [f for f in findings(r, "segfault-forked", counting_only=False) if f["kind"] == "crash"]
    check(crash and crash[0]["first_round"] == 1, "crash in round 1", r["findings"])
    check("SIGSEGV" in crash[0]["signature"], "named by its signal: %s" % crash[0]["signature"])
    check(crash[0]["functions"][:1] == ["string_at"], "named by the native frame that crashed (string_at in "
          "_ctypes.c): %s" % crash[0]["functions"])
    check("Native stack of the crashing thread" in crash[0]["report"], "the native stack is in the report",
          crash[0]["report"][:2000])


def test_first_use_race_found_with_and_without_fork_server():
    path = os.path.join(SOURCE, "tests/scenarios/seeded/shared.yaml")
    for extra in ([], ["--seed", "11"], ["--spawn"]):
        out = tempfile.mkdtemp(prefix="ftstress-p3-out-")
        rc, so, se = run("run", path, "--filter", "p3-lazy-init-fresh-process", "-o", out, "--json",
                         out + "/r.json", *extra)
        with open(out + "/r.json") as f:
            s = scenario(json.load(f), "p3-lazy-init-fresh-process")
        check(s["outcome"] == "race", "P3 found %s: %s" % (extra or "forked", s), so, se)
        if extra == ["--spawn"]:
            check(s["workers_forked"] == 0, "--spawn forks nothing: %s" % s)
        else:
            check(s["workers_forked"] == s["workers"], "every worker forked: %s" % s)
            # the race is a first use: the zygote imported the module but never called it
            check(all(ev.get("zygote") for ev in ready_events(out)), "workers from a zygote %s" % extra)


main([test_fresh_process_rounds_are_forked_and_start_clean, test_forked_workers_are_distinct_processes,
      test_fresh_rounds_come_from_a_zygote_and_stay_fresh, test_every_fresh_worker_of_a_scenario_comes_from_one_zygote,
      test_imports_that_start_a_thread_get_no_zygote,
      test_crash_in_forked_worker_keeps_native_frame, test_first_use_race_found_with_and_without_fork_server])
