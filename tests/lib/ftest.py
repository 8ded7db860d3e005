"""Helpers for ftstress's integration tests: run the driver, read its outputs, fail with context."""
import json
import os
import subprocess
import sys
import tempfile

FTSTRESS = os.environ["FTSTRESS_BIN"]
SOURCE = os.environ["FTSTRESS_SOURCE_DIR"]


class Failure(AssertionError):
    pass


def check(cond, message, *context):
    """Fails with `message` and whatever context explains it (output, results)."""
    if not cond:
        raise Failure(message + "".join("\n--- context ---\n" + str(c) for c in context))


def run(*args, expect_rc=None, env=None, cwd=None, timeout=900):
    """Runs `ftstress ARGS`; returns (rc, stdout, stderr). With expect_rc, the code must match."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    p = subprocess.run([FTSTRESS, *args], capture_output=True, text=True, env=full_env, cwd=cwd, timeout=timeout)
    if expect_rc is not None:
        check(p.returncode == expect_rc,
              "ftstress %s: exit code %d, expected %d" % (" ".join(args), p.returncode, expect_rc), p.stdout, p.stderr)
    return p.returncode, p.stdout, p.stderr


def run_json(*args, expect_rc=None, env=None, cwd=None):
    """Runs `ftstress run ARGS --json FILE` into a fresh folder; returns (rc, results, stdout, stderr)."""
    out = tempfile.mkdtemp(prefix="ftstress-test-")
    rc, so, se = run("run", *args, "--json", out + "/r.json", "-o", out, expect_rc=expect_rc, env=env, cwd=cwd)
    check(os.path.exists(out + "/r.json"), "no results document written", so, se)
    with open(out + "/r.json") as f:
        return rc, json.load(f), so, se


def scenario(results, name):
    for s in results["scenarios"]:
        if s["name"] == name:
            return s
    raise Failure("scenario %s missing from results" % name)


def findings(results, name, counting_only=True):
    return [f for f in results["findings"] if f["scenario"] == name and (f["new"] or not counting_only)]


def main(tests):
    """Runs test functions; prints one line each and the closing 'N passed, N failed' line."""
    passed = failed = 0
    only = sys.argv[1:]
    for t in tests:
        if only and t.__name__ not in only:
            continue
        try:
            t()
            passed += 1
            print("PASS", t.__name__, flush=True)
        except Exception as e:  # a test that raises anything has failed; say what
            failed += 1
            print("FAIL", t.__name__ + ":", e, flush=True)
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed or not passed else 0)
