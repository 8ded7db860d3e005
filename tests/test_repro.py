"""`ftstress repro`: a scenario exported as a standalone Python script (threading and a Barrier, no
ftstress, no YAML) reproduces the seeded corpus's races when run with the TSan interpreter alone,
and an arbiter's wrong results."""
import glob
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from ftest import FTSTRESS, SOURCE, check, main, run  # noqa: E402

SEEDED = os.path.join(SOURCE, "tests/scenarios/seeded")
# (file, scenario, a function the race must name); a spread of the patterns: global counter,
# static buffer, non-reentrant helper, global setting, per-object state, busy flag
CASES = [
    ("globals.yaml", "p2-version-counter-unsafe", "next_version_unsafe"),
    ("globals.yaml", "p6-static-buffer-unsafe", "format_item_unsafe"),
    ("globals.yaml", "p12-tokenizer-unsafe", "next_token_unsafe"),
    ("globals.yaml", "p13-global-setting-unsafe", "mode_unsafe"),
    ("objects.yaml", "p10-busy-flag-unsafe", "session_run_flag"),
]


def interpreter():
    rc, out, err = run("doctor")
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 3 and parts[1] == "interpreter":
            return parts[2]
    found = glob.glob(os.path.expanduser("~/.cache/ftstress/cpython/*-ft-tsan-*/bin/ftstress-python"))
    check(found, "no TSan interpreter found", out)
    return found[0]


def export(path, name, folder):
    script = os.path.join(folder, name + ".py")
    run("repro", path, "--filter", name, "-o", script, expect_rc=0)
    check(os.path.exists(script), "no script written for %s" % name)
    text = open(script).read()
    code = text.split('"""', 2)[2]
    check(FTSTRESS not in code and "yaml" not in code.lower().replace(".yaml", ""),
          "the script's code needs neither ftstress nor a YAML library")
    return script


def test_exported_scripts_reproduce_the_seeded_races():
    python = interpreter()
    folder = tempfile.mkdtemp(prefix="ftstress-repro-")
    misses = []
    for file, name, function in CASES:
        script = export(os.path.join(SEEDED, file), name, folder)
        # A race needs the threads to overlap; on a loaded machine a run can miss it, as an ftstress
        # run can: a second run of the same script is allowed, and both are printed.
        for attempt in (1, 2):
            p = subprocess.run([python, script], capture_output=True, text=True, timeout=600, cwd=folder,
                               env=dict(os.environ, TSAN_OPTIONS="halt_on_error=0"))
            found = "WARNING: ThreadSanitizer: data race" in p.stderr and function in p.stderr
            print("%-28s run %d: exit %d, %s" % (name, attempt, p.returncode,
                                                 "race in %s reported" % function if found else "missed"))
            if found:
                break
        if not found:
            misses.append("%s: %s" % (name, p.stderr[-1500:]))
    check(not misses, "the standalone script did not reproduce:\n" + "\n".join(misses))


def test_exported_arbiter_prints_the_wrong_results():
    python = interpreter()
    folder = tempfile.mkdtemp(prefix="ftstress-repro-")
    script = export(os.path.join(SOURCE, "scenarios/examples/arbiter.yaml"), "arbiter-lost-update", folder)
    p = subprocess.run([python, script], capture_output=True, text=True, timeout=600, cwd=folder)
    values = [line.rsplit(" ", 1)[1] for line in p.stdout.splitlines() if "arbiter value" in line]
    check(len(values) == 10, "one value per round: %s" % p.stdout[-1000:], p.stderr[-2000:])
    check(any(v != "8000" for v in values), "increments were lost in some round: %s" % values)


def test_bad_usage():
    rc, out, err = run("repro", os.path.join(SEEDED, "globals.yaml"))
    check(rc == 2 and "usage" in err, "no -o is a usage error", err)
    rc, out, err = run("repro", os.path.join(SEEDED, "globals.yaml"), "--filter", "nope", "-o", "/tmp/x.py")
    check(rc == 2 and "no scenario matches nope" in err, err)


main([test_exported_scripts_reproduce_the_seeded_races, test_exported_arbiter_prints_the_wrong_results,
      test_bad_usage])
