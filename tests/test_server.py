"""The fork server kept between commands: a second command with the same binary, interpreter, seed
and environment forks its workers from the first one's server; a run without --seed (a random hash
seed no later command shares) has a server of its own; a rebuilt (here: copied, then touched) binary or another environment never talks to
an old server; `ftstress server list` and `stop` see and end them. Each test uses a private server
folder (XDG_RUNTIME_DIR) so that nothing else on the machine is touched."""
import json
import os
import re
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from ftest import FTSTRESS, check, main  # noqa: E402
import subprocess  # noqa: E402

SCENARIO = """\
name: short
description: two threads and one short round, so the start-up of the command is most of it
threads: 2
body: |
  x = 1
rounds: 1
expect: clean
"""

state = {}


def folder():
    if "dir" not in state:
        d = tempfile.mkdtemp(prefix="ftstress-server-")
        runtime = os.path.join(d, "runtime")
        os.mkdir(runtime, 0o700)
        with open(os.path.join(d, "short.yaml"), "w") as f:
            f.write(SCENARIO)
        state["dir"], state["runtime"] = d, runtime
    return state["dir"]


def ftstress(*args, binary=FTSTRESS, extra_env=None):
    d = folder()
    env = dict(os.environ, XDG_RUNTIME_DIR=state["runtime"], FTSTRESS_SERVER_IDLE="120", **(extra_env or {}))
    p = subprocess.run([binary, *args], capture_output=True, text=True, env=env, cwd=d, timeout=600)
    return p.returncode, p.stdout, p.stderr


def run_short(name, *args, binary=FTSTRESS, extra_env=None):
    out = os.path.join(folder(), name)
    rc, so, se = ftstress("run", "short.yaml", "-v", "-o", out, *args, binary=binary, extra_env=extra_env)
    check(rc == 0, "run %s: exit code %d" % (name, rc), so, se)
    with open(os.path.join(out, "results.json")) as f:
        r = json.load(f)
    m = re.search(r"fork server ([0-9a-f]{16}) (started|reused)", se)
    check(m, "run %s says which fork server it used" % name, se)
    check(r["scenarios"][0]["workers_forked"] >= 1, "run %s forked its worker" % name, r["scenarios"][0])
    return m.group(1), m.group(2), se


def servers():
    rc, so, se = ftstress("server", "list")
    check(rc == 0, "server list: exit code %d" % rc, so, se)
    return re.findall(r"server (\d+)\s+key ([0-9a-f]{16})", so)


def test_second_command_reuses_the_server():
    key1, how1, se1 = run_short("one", "--seed", "5")
    key2, how2, se2 = run_short("two", "--seed", "5")
    check(how1 == "started" and how2 == "reused" and key1 == key2, "started, then reused: %s %s" % (how1, how2), se2)
    check([k for _, k in servers()] == [key1], "one server kept: %s" % servers())
    state["key"] = key1


def test_run_without_seed_has_its_own_server():
    out = os.path.join(folder(), "seedless")
    rc, so, se = ftstress("run", "short.yaml", "-v", "-o", out)
    check(rc == 0 and re.search(r"fork server \d+ started", se), "a server of its own", se)
    check(not re.search(r"fork server [0-9a-f]{16} (started|reused)", se), "none kept", se)
    check([k for _, k in servers()] == [state["key"]], "no server kept for it: %s" % servers())


def test_rebuilt_binary_or_other_environment_never_reuses():
    copy = os.path.join(folder(), "ftstress-rebuilt")
    shutil.copy2(FTSTRESS, copy)
    key_b, how_b, se = run_short("rebuilt", "--seed", "5", binary=copy)
    check(how_b == "started" and key_b != state["key"], "another binary: its own server", se)
    os.utime(copy, (time.time() + 5, time.time() + 5))  # the same path rebuilt: a new modification time
    key_t, how_t, se = run_short("touched", "--seed", "5", binary=copy)
    check(how_t == "started" and key_t not in (key_b, state["key"]), "a rebuilt binary: its own server", se)
    key_e, how_e, se = run_short("other-env", "--seed", "5", extra_env={"FTSTRESS_TEST_MARK": "1"})
    check(how_e == "started" and key_e != state["key"], "another environment: its own server", se)
    keys = [k for _, k in servers()]
    check(len(keys) == 4 and state["key"] in keys, "four servers, the first still there: %s" % keys)


def test_no_server_option_and_stop():
    out = os.path.join(folder(), "own")
    rc, so, se = ftstress("run", "short.yaml", "-v", "--no-server", "--seed", "5", "-o", out)
    check(rc == 0 and re.search(r"fork server \d+ started", se), "--no-server: a server of its own", se)
    check(not re.search(r"fork server [0-9a-f]{16} (started|reused)", se), "--no-server: none kept", se)
    pids = [int(p) for p, _ in servers()]
    rc, so, se = ftstress("server", "stop")
    check(rc == 0 and "%d fork servers stopped" % len(pids) in so, "stop says what it stopped", so, se)
    deadline = time.time() + 20
    while time.time() < deadline and any(os.path.exists("/proc/%d" % p) for p in pids):
        time.sleep(0.1)
    check(not servers(), "none left: %s" % servers())
    check(not [p for p in pids if os.path.exists("/proc/%d" % p)], "their processes ended")
    check(not [f for f in os.listdir(state["runtime"]) if f.endswith(".sock")], "their sockets removed",
          os.listdir(state["runtime"]))


def test_bad_subcommand():
    rc, so, se = ftstress("server", "restart")
    check(rc == 2 and "expected 'list' or 'stop'" in se, "exit 2 naming what is expected", se)


main([test_second_command_reuses_the_server, test_run_without_seed_has_its_own_server,
      test_rebuilt_binary_or_other_environment_never_reuses, test_no_server_option_and_stop, test_bad_subcommand])
