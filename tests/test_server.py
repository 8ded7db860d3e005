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

# Teams of other sizes one after another: a kept server's spare worker starts its team ahead with
# the last request's size, and each scenario must still get exactly its own threads and roles.
# The arbiter's value: (thread -> (role, index in the role), the process's team threads alive,
# named fts:N; the watchdog is fts:watchdog).
COUNT = """\
setup_once: |
  import os
  def team_threads():
      def name(t):
          with open('/proc/self/task/%s/comm' % t) as f:
              return f.read()
      return sum(name(t).startswith('fts:') and name(t)[4:].strip().isdigit() for t in os.listdir('/proc/self/task'))
arbiter: |
  (sorted(result.items()), team_threads())
rounds: 2
"""
BODY = "body: |\n  result[thread] = (role, role_thread)\n"


def sizes_scenario(name, team, roles):
    """`roles`: [(role name, threads)]; one role named `body` is the plain `threads:` form."""
    expected = []
    for role, n in roles:
        expected += [(len(expected) + k, (role, k)) for k in range(n)]
    value = re.escape(repr((expected, team))).replace("\\", "\\\\").replace('"', '\\"')
    text = "name: %s\n" % name
    if roles == [("body", team)]:
        text += "threads: %d\n" % team + BODY
    else:
        text += "roles:\n" + "".join("  - name: %s\n    threads: %d\n    " % (r, n) + BODY.replace("\n  ", "\n      ")
                                     for r, n in roles)
    return text + COUNT + 'outcomes:\n  - match: "%s"\n    verdict: acceptable\n' % value


SIZES = "---\n".join([sizes_scenario("two", 2, [("body", 2)]), sizes_scenario("roles", 6, [("a", 3), ("b", 3)]),
                      sizes_scenario("one", 1, [("body", 1)])])

state = {}


def folder():
    if "dir" not in state:
        d = tempfile.mkdtemp(prefix="ftstress-server-")
        runtime = os.path.join(d, "runtime")
        os.mkdir(runtime, 0o700)
        with open(os.path.join(d, "short.yaml"), "w") as f:
            f.write(SCENARIO)
        with open(os.path.join(d, "sizes.yaml"), "w") as f:
            f.write(SIZES)
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


def test_teams_of_other_sizes_from_a_kept_server():
    """2, then 6 in two roles, then 1 thread, twice: the second command's workers are forked from the
    server's spare workers, whose teams were started ahead for the size before (4, 2, 6). Every
    thread has its own index, role and role index, and no thread started ahead outlives its need."""
    for name in ("sizes-1", "sizes-2"):
        out = os.path.join(folder(), name)
        rc, so, se = ftstress("run", "sizes.yaml", "-v", "-j", "1", "--seed", "5", "-o", out)
        check(rc == 0, "%s: every arbiter value acceptable, exit 0 (got %d)" % (name, rc), so, se)
        with open(os.path.join(out, "results.json")) as f:
            r = json.load(f)
        outcomes = {s["name"]: [o["verdict"] for o in s.get("outcomes", [])] for s in r["scenarios"]}
        check(outcomes == {"two": ["acceptable"], "roles": ["acceptable"], "one": ["acceptable"]},
              "%s: each scenario's only value is its own team: %s" % (name, outcomes), so)
        steps = [json.loads(l)["event"] for l in open(os.path.join(out, "events.jsonl"))]
        steps = [e["startup_steps"] for e in steps if e and e.get("ev") == "ready"]
        check(len(steps) == 3 and all("team" in s and "compile" in s for s in steps),
              "%s: each worker's ready event says where its start-up went" % name, steps)
    check("reused" in se, "the second command forked from the kept server", se)


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


main([test_second_command_reuses_the_server, test_teams_of_other_sizes_from_a_kept_server,
      test_run_without_seed_has_its_own_server,
      test_rebuilt_binary_or_other_environment_never_reuses, test_no_server_option_and_stop, test_bad_subcommand])
