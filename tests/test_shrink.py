"""`ftstress shrink`: a seeded race buried in noise (an unrelated role, extra statements in the body,
inside an `if` block of it too, and in setup, 8 threads, 50 iterations) is cut down to a valid scenario that still reproduces the same
race, with every step and the final hit rate printed; a scenario with nothing to reproduce exits 1
with a message that says so."""
import os
import re
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from ftest import SOURCE, check, main, run, run_json  # noqa: E402

SEEDED = os.path.join(SOURCE, "tests/scenarios/seeded/globals.yaml")
RACE = "race:next_version_unsafe|next_version_unsafe"


def seeded_body(name):
    """The body of a seeded scenario, read from the corpus file (the part the noise is added to)."""
    with open(SEEDED) as f:
        docs = f.read().split("\n---\n")
    for doc in docs:
        if re.search(r"^name: %s$" % re.escape(name), doc, re.M):
            m = re.search(r"^body: \|\n((?:  .*\n)+)", doc + "\n", re.M)
            check(m, "no block body in %s" % name, doc)
            return [line[2:] for line in m.group(1).splitlines()]
    raise AssertionError("%s not in %s" % (name, SEEDED))


def noisy(name, body):
    """The seeded body inside an if block among unrelated statements, next to a role doing unrelated work."""
    lines = (["x = len(label)", "if iteration >= 0:", "    w = str(iteration)"] + ["    " + line for line in body] +
             ["    v = [thread] * 2", "y = [i * i for i in range(5)]"])
    return "\n".join([
        "name: %s" % name,
        "imports: [seeded_globals, json]",
        "setup_once: |",
        "  table = {i: str(i) for i in range(10)}",
        "setup: |",
        "  scratch = []",
        "  total = sum(range(10))",
        "  label = 'round %d' % round",
        "roles:",
        "  - name: stamper",
        "    threads: 4",
        "    body: |",
        *("      " + line for line in lines),
        "  - name: bystander",
        "    threads: 4",
        "    body: |",
        "      d = json.dumps({'a': thread})",
        "      z = table[iteration % 10]",
        "iterations: 50",
        "rounds: 8",
        "rounds_per_worker: 1",
        "expect: race",
        "",
    ])


def test_shrink_cuts_the_noise_and_keeps_the_race():
    folder = tempfile.mkdtemp(prefix="ftstress-shrink-test-")
    src, out = os.path.join(folder, "noisy.yaml"), os.path.join(folder, "small.yaml")
    with open(src, "w") as f:
        f.write(noisy("noisy-p2", seeded_body("p2-version-counter-unsafe")))
    rc, so, se = run("shrink", src, "-o", out, "--max-runs", "20")
    print(so, end="")
    check(rc == 0, "shrink exited %d" % rc, so, se)
    steps = re.findall(r"^step \d+: .+ — (still reproduces: \d+/\d+ rounds, [0-9.e+-]+ hits/s \(\d runs?\)|.+kept as it was)$",
                       so, re.M)
    kept = [s for s in steps if s.startswith("still reproduces")]
    check(len(kept) >= 4, "expected the printed steps to keep several cuts", so)
    check(re.search(r"^input: hit \d+/\d+ rounds \(.*hits per second", so, re.M), "no input hit rate printed", so)
    check(re.search(r"^output: hit \d+/\d+ rounds \(.*hits per second", so, re.M), "no output hit rate printed", so)
    check(os.path.exists(out), "no output written", so, se)
    text = open(out).read()
    print(text, end="")
    run("check", out, expect_rc=0)
    # The header gives both rates side by side and the rounds written, with their reason.
    check(re.search(r"^#   rounds hit +\d+/\d+ \([0-9.]+%\) +\d+/\d+ \([0-9.]+%\)$", text, re.M), "no rates table", text)
    check(re.search(r"^# rounds: \d+ find it with 99% probability", text, re.M), "rounds not explained", text)
    # The noise is gone: the unrelated role, its import, the extra statements and setup blocks.
    for noise in ("bystander", "json", "len(label)", "i * i", "scratch", "table", "setup", "str(iteration)",
                  "[thread] * 2"):
        check(noise not in text.split("\n", 3)[3], "'%s' survived the shrink" % noise, text)
    check("seeded_globals.next_version_unsafe()" in text, "the racing call was removed", text)
    # ... and the race is still there, in a run of the output as written.
    _, results, so2, se2 = run_json(out, "--keep-going")
    sigs = [f["signature"] for f in results["findings"]]
    check(RACE in sigs, "the shrunk scenario no longer finds %s" % RACE, sigs, so2, se2)
    row = results["scenarios"][0]
    check(row["threads"] < 8 and row["iterations"] < 50, "threads or iterations not reduced", row)
    check(row["passed"], "the output does not meet its own expect: race", row)


def test_nothing_to_shrink_exits_1():
    folder = tempfile.mkdtemp(prefix="ftstress-shrink-test-")
    out = os.path.join(folder, "never.yaml")
    rc, so, se = run("shrink", SEEDED, "--filter", "p2-version-counter-atomic", "--rounds", "3", "-o", out)
    print(so, end="")
    check(rc == 1, "a scenario without findings: exit %d, expected 1" % rc, so, se)
    check("nothing to shrink: the first run of 'p2-version-counter-atomic' found nothing in 3 rounds" in so,
          "the message does not say why", so, se)
    check(not os.path.exists(out), "an output was written for nothing")
    # usage errors are 2 and cost no run
    rc, so, se = run("shrink", SEEDED)
    check(rc == 2 and "-o OUT.yaml" in se, "missing -o: exit %d" % rc, so, se)


if __name__ == "__main__":
    main([test_shrink_cuts_the_noise_and_keeps_the_race, test_nothing_to_shrink_exits_1])
