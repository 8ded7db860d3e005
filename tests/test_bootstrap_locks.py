"""scripts/bootstrap's locks: a warm bootstrap of one interpreter finishes while another interpreter is
being built in the same cache (the build holds only its own lock), and a bootstrap that must wait
says what it waits for instead of waiting silently."""
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from ftest import SOURCE, check, main  # noqa: E402

BOOTSTRAP = os.path.join(SOURCE, "scripts", "bootstrap")
HOME = os.environ.get("FTSTRESS_HOME") or os.path.join(
    os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "ftstress")
FAKE_VERSION = "3.13.99"


def fake_cpython(folder):
    """A CPython 'source tree' whose configure sleeps: a build that stays in progress for a while."""
    os.makedirs(os.path.join(folder, "Include"))
    with open(os.path.join(folder, "Include", "patchlevel.h"), "w") as f:
        f.write('#define PY_VERSION "%s"\n' % FAKE_VERSION)
    with open(os.path.join(folder, "configure"), "w") as f:
        f.write("#!/bin/sh\nsleep 60\nexit 1\n")
    os.chmod(os.path.join(folder, "configure"), 0o755)


def cleanup_fake():
    for sub in ("cpython", "build"):
        d = os.path.join(HOME, sub)
        for name in os.listdir(d) if os.path.isdir(d) else []:
            if name.startswith(FAKE_VERSION) or name.startswith("." + FAKE_VERSION):
                path = os.path.join(d, name)
                shutil.rmtree(path, ignore_errors=True) if os.path.isdir(path) else os.remove(path)


def warm_bootstrap(timeout):
    start = time.monotonic()
    p = subprocess.run([BOOTSTRAP, "-q", "--no-driver"], capture_output=True, text=True, timeout=timeout)
    return p, time.monotonic() - start


def test_a_build_in_progress_does_not_block_a_warm_bootstrap():
    folder = tempfile.mkdtemp(prefix="ftstress-fake-cpython-")
    fake_cpython(folder)
    building = subprocess.Popen([BOOTSTRAP, "--no-driver", "--cpython-src", folder], stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True)
    try:
        # Wait until the fake build is past the cache's shared steps and into its configure.
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not any(
                n.startswith(FAKE_VERSION) for n in os.listdir(os.path.join(HOME, "build"))
                if os.path.isdir(os.path.join(HOME, "build"))):
            time.sleep(0.5)
        time.sleep(2)
        check(building.poll() is None, "the fake build ended early", building.stdout.read() if building.stdout else "")
        p, took = warm_bootstrap(timeout=50)
        print("warm bootstrap beside a build in progress: exit %d in %.1f s" % (p.returncode, took))
        check(p.returncode == 0, "the warm bootstrap failed", p.stdout, p.stderr)
        check("waiting" not in p.stderr, "the warm bootstrap waited for the other build", p.stderr)
    finally:
        building.kill()
        building.wait()
        cleanup_fake()
        shutil.rmtree(folder, ignore_errors=True)


def test_waiting_is_announced():
    # Hold the lock of the interpreter a warm bootstrap uses, as a bootstrap completing it would.
    said = subprocess.run([BOOTSTRAP, "--no-driver"], capture_output=True, text=True).stderr
    ready = [line for line in said.splitlines() if "ready: interpreter " in line]
    check(ready, "bootstrap did not say which interpreter it uses", said)
    key = ready[-1].split("ready: interpreter ", 1)[1].split("/cpython/", 1)[1].split("/", 1)[0]
    lock = os.path.join(HOME, "cpython", "." + key + ".lock")
    holder = subprocess.Popen(["flock", lock, "sleep", "25"])
    time.sleep(0.5)
    try:
        p, took = warm_bootstrap(timeout=60)
        print("bootstrap behind a held lock: exit %d after %.1f s; said: %s" % (p.returncode, took, p.stderr.strip()))
        check(p.returncode == 0, "the bootstrap failed after waiting", p.stderr)
        check("waiting for another bootstrap that is building or completing the interpreter" in p.stderr,
              "the wait was silent", p.stderr)
        check(took >= 15, "the bootstrap did not wait for the lock (%.1f s)" % took)
    finally:
        holder.kill()
        holder.wait()


if __name__ == "__main__":
    main([test_a_build_in_progress_does_not_block_a_warm_bootstrap, test_waiting_is_announced])
