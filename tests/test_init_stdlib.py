"""`ftstress init` on CPython's own racy modules: calls of a type's C slots from a body (next(it), a[i],
len(a), `in`, a for loop) count in "exercised"; a generated scenario never hangs on a lock the
probe found held (an RLock acquired in the setup's thread or left held by a body); a TypeError that
names an argument and the type it wants rewrites that argument."""
import json
import os
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "lib"))
sys.path.insert(0, os.path.join(HERE, "..", "harness", "tools"))
import init_args  # noqa: E402
from ftest import check, main, run  # noqa: E402

SLOTS_ONLY = """name: array-slots-only
imports: [array]
setup: |
  # one array per thread, made here: the bodies call only slots, and race on nothing
  arrays = [array.array('i', range(100)) for _ in range(2)]
threads: 2
body: |
  a = arrays[thread]
  len(a)
  a[1]
  a[2] = 5
  3 in a
  for x in a:
      break
iterations: 20
rounds: 2
expect: clean
"""


def test_slot_calls_count_in_exercised():
    folder = tempfile.mkdtemp(prefix="ftstress-init-stdlib-")
    path = os.path.join(folder, "slots.yaml")
    with open(path, "w") as f:
        f.write(SLOTS_ONLY)
    out = os.path.join(folder, "out")
    rc, stdout, _ = run("run", path, "-o", out, expect_rc=0)
    ex = json.load(open(os.path.join(out, "results.json")))["scenarios"][0]["exercised"]
    calls = ex.get("calls", {}).get("array.array", {})
    check(ex.get("target_reached") is True and "target not reached" not in stdout,
          "a body that only uses array's slots reaches array", stdout, ex.get("not_reached"))
    # 2 threads x 20 iterations x 2 rounds, each: len, a[1], a[2] = 5, in, iter, next (at least one a body)
    check(calls.get("calls", 0) >= 2 * 20 * 2, "slot calls counted with the type", calls)


def test_generated_lock_scenarios_cannot_hang():
    folder = tempfile.mkdtemp(prefix="ftstress-init-stdlib-")
    out = os.path.join(folder, "functools.yaml")
    run("init", "functools", "-o", out, expect_rc=0)
    text = open(out).read()
    rlock = text[text.index("name: functools-rlock-shared"):]
    rlock = rlock[:rlock.index("expect:")]
    check("RLock.acquire: blocks once another thread called it" in text and "obj.acquire()" not in rlock
          and "m_acquire" not in rlock, "no RLock held by the setup's thread nor left held by a body", rlock)
    rc, stdout, _ = run("run", out, "-k", "functools-rlock-shared", "--rounds", "3", "-o", os.path.join(folder, "out"),
            timeout=120)
    check(rc == 0 and " hang" not in stdout, "the RLock scenario ends clean", stdout)


def test_type_errors_say_which_argument():
    args = ["0"] * 9
    fixed = init_args.repair(args, TypeError("make_encoder() argument 5 must be str, not int"))
    check(fixed == ["0"] * 4 + [init_args.POOL["str"][0]] + ["0"] * 4, "argument 5 becomes a str", fixed)
    check(init_args.repair(args, TypeError("argument 2 must be dict or None, not int"))[1] == init_args.POOL["dict"][0],
          "the first type named wins")
    check(init_args.repair(args, ValueError("argument 1 must be str")) is None
          and init_args.repair(args, TypeError("unhashable type")) is None, "only a TypeError that says")


if __name__ == "__main__":
    main([test_type_errors_say_which_argument, test_slot_calls_count_in_exercised,
          test_generated_lock_scenarios_cannot_hang])
