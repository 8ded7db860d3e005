"""A nightly baseline that stays green: the stdlib and seeded races rewritten to `expect: clean`, as
an extension's nightly job would run them, a baseline written by one run, then five reruns against
it at the same budget, with two scenarios at once (-j 2, baseline-stability) and alone
(baseline-stability-alone). A NEW finding in a scenario whose bug the baseline knows is a false alarm (the same bug seen
through another function pair, a crash or a hang with other frames); there must be none. A
scenario in which the baseline run found nothing at all can still show its race later: that is a
bug the baseline never saw, printed, not counted as a false alarm."""
import glob
import json
import os
import re
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from ftest import SOURCE, check, main, run  # noqa: E402

RERUNS = 5
ROUNDS = 60  # the baseline run and every rerun, like a nightly job pressed for time


def corpus_expecting_clean(into):
    for folder in ("scenarios/stdlib", "tests/scenarios/seeded"):
        dest = os.path.join(into, os.path.basename(folder))
        shutil.copytree(os.path.join(SOURCE, folder), dest, ignore=shutil.ignore_patterns("golden.json"))
        for path in glob.glob(dest + "/*.yaml"):
            text = open(path).read()
            open(path, "w").write(re.sub(r"(?m)^expect: .*$", "expect: clean", text))


def reruns(jobs):
    """One baseline run, then RERUNS reruns at the same budget (ROUNDS rounds, `jobs` workers at
    once: a scenario's races interleave differently with a neighbour running and alone)."""
    work = tempfile.mkdtemp(prefix="ftstress-baseline-")
    corpus_expecting_clean(work + "/sc")
    base = work + "/known.json"
    j = ["-j", str(jobs)] if jobs > 1 else []
    run("run", work + "/sc", "--rounds", str(ROUNDS), *j, "-q", "--baseline", base, "--update-baseline",
        "-o", work + "/o0", timeout=1200)
    first = json.load(open(work + "/o0/results.json"))
    known_scenarios = {f["scenario"] for f in first["findings"] if not f["suppressed"]}
    groups = json.load(open(base))["groups"]
    print("baseline (%s): %d findings in %d groups, %d scenarios with a known bug" % (
        " ".join(j) or "alone", len(first["findings"]), len(groups), len(known_scenarios)))
    false_alarms, missed = [], []
    for i in range(1, RERUNS + 1):
        out = "%s/o%d" % (work, i)
        rc, so, se = run("run", work + "/sc", "--rounds", str(ROUNDS), *j, "-q", "--baseline", base, "-o", out,
                         "--json", out + "/r.json", timeout=1200)
        r = json.load(open(out + "/r.json"))
        new = [f for f in r["findings"] if f["new"]]
        fa = [(f["scenario"], f["signature"]) for f in new if f["scenario"] in known_scenarios]
        ms = [(f["scenario"], f["signature"]) for f in new if f["scenario"] not in known_scenarios]
        print("rerun %d: exit %d, %d findings, %d NEW: %d false alarms, %d in scenarios the baseline run "
              "found nothing in" % (i, rc, len(r["findings"]), len(new), len(fa), len(ms)))
        false_alarms += fa
        missed += ms
        check(not [f for f in r["findings"] if f["owner"] == "harness"], "harness-owned findings")
    for m in missed:
        print("  not a false alarm, the baseline run never saw this scenario's bug: %s %s" % m)
    check(not false_alarms, "false NEW findings over %d reruns:\n  %s" % (
        RERUNS, "\n  ".join("%s %s" % fa for fa in false_alarms)))


def test_reruns_against_a_baseline_raise_no_false_alarm():
    reruns(2)


def test_reruns_alone_raise_no_false_alarm():
    reruns(1)


main([test_reruns_against_a_baseline_raise_no_false_alarm, test_reruns_alone_raise_no_false_alarm])
