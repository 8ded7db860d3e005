"""Real extensions, run past their first finding: C extensions from Debian's source packages are
fetched (scripts/fetch-debian-source), built with `ftstress build-ext` and hammered by the scenarios
in tests/realworld/ (`expect: clean`, `--keep-going`). They race in many function pairs at once and
often crash; what users need from ftstress then: no hang blamed on them, nothing of its own, a crash
that names the extension's native frames, and the findings collapsed into a few named groups. Each
file also has a control (tag `control`): the same calls on thread-owned objects, which must stay
clean for every round.

Needs the network the first time (the sources come from the Debian mirror this machine's apt uses);
the tarballs, the unpacked sources and the builds are cached under $FTSTRESS_HOME/realworld, so a
rerun only runs the scenarios. ctest label: realworld (`ctest -L realworld`, or `-LE realworld`)."""
import fcntl
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from ftest import SOURCE, check, main, run  # noqa: E402

HOME = os.environ.get("FTSTRESS_HOME") or os.path.join(
    os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "ftstress")
FETCH = os.path.join(SOURCE, "scripts/fetch-debian-source")
SCENARIOS = os.path.join(SOURCE, "tests/realworld")

# One entry per extension: Debian source package, upstream version prefix, its scenario file, and
# how many root-cause groups its findings may fall into at most (what the scenario's comment says
# it exercises: one unlocked object, plus at most the Python-level symptoms of the corruption), and
# the extension's allocator wrappers, which a group must not be named after.
TARGETS = [
    # Reader has no lock: the C redisReader's buffer (one group), the Reader's own shouldDecode
    # field (Reader_gets vs itself, reached through no shared C function), and the ProtocolError
    # that parsing a torn buffer raises in the scenario's body.
    {"name": "hiredis", "package": "python-hiredis", "version": "2.3.2",
     "scenarios": "hiredis.yaml", "max_groups": 3,
     "allocators": ["hi_malloc", "hi_calloc", "hi_realloc", "hi_free"]},
    # The trie's child arrays have no lock: all of it goes through the trie node functions.
    {"name": "ahocorasick", "package": "python-pyahocorasick", "version": "1.4.1",
     "scenarios": "ahocorasick.yaml", "max_groups": 2, "allocators": ["memory_alloc", "memory_realloc", "memory_free"]},
]

state = {}


def interpreter_key():
    """The interpreter build `ftstress` uses (its cache folder's name): builds are kept per key."""
    if "key" not in state:
        rc, out, err = run("doctor")
        m = re.search(r"^\S+\s+interpreter\s+(\S+)", out, re.M)
        path = m.group(1) if m else ""
        state["key"] = os.path.basename(os.path.dirname(os.path.dirname(path))) if path else "default"
    return state["key"]


def prepare(t):
    """Fetches and builds one target once (cached across runs); a failure is remembered, so later
    tests report it again instead of retrying the download and the build."""
    if "site" in t:
        return t
    if "error" in t:
        raise AssertionError(t["error"])
    try:
        return prepare_once(t)
    except AssertionError as e:
        t["error"] = str(e)
        raise


def prepare_once(t):
    work = os.path.join(HOME, "realworld", interpreter_key(), "%s-%s" % (t["package"], t["version"]))
    os.makedirs(work, exist_ok=True)
    with open(os.path.join(work, ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # a hand run and ctest may prepare the same target at once
        t0 = time.time()
        p = subprocess.run([FETCH, t["package"], t["version"], os.path.join(work, "src")],
                           capture_output=True, text=True, timeout=600)
        check(p.returncode == 0, "%s: fetch-debian-source failed (exit %d)" % (t["name"], p.returncode),
              p.stdout, p.stderr)
        t["src"] = os.path.realpath(p.stdout.strip().splitlines()[-1])
        t["fetch_seconds"] = time.time() - t0
        site = os.path.join(work, "site")
        stamp = os.path.join(site, ".ftstress-built")
        t["built"] = not os.path.exists(stamp)
        t0 = time.time()
        if t["built"]:
            shutil.rmtree(site, ignore_errors=True)
            rc, out, err = run("build-ext", t["src"], "--site", site, cwd=work, timeout=900)
            check(rc == 0, "%s: build-ext failed (exit %d)" % (t["name"], rc), out[-3000:], err[-3000:])
            with open(stamp, "w") as f:
                f.write(out)
        with open(stamp) as f:
            t["build_output"] = f.read()
        t["build_seconds"] = time.time() - t0
        t["site"] = site
    return t


def target_symbols(t):
    """Functions defined in the target's built modules (static ones too: build-ext keeps symbols)."""
    if "symbols" not in t:
        names = set()
        for root, _, files in os.walk(t["site"]):
            for f in files:
                if f.endswith(".so"):
                    p = subprocess.run(["nm", "--defined-only", os.path.join(root, f)],
                                       capture_output=True, text=True)
                    names.update(line.split()[-1] for line in p.stdout.splitlines()
                                 if len(line.split()) == 3 and line.split()[1] in "tTwW")
        t["symbols"] = names
    return t["symbols"]


def results(t):
    """Runs the target's scenarios once, every round (--keep-going); returns (rc, results, out, err)."""
    if "r" not in t:
        prepare(t)
        out = tempfile.mkdtemp(prefix="ftstress-real-%s-" % t["name"])
        path = os.path.join(SCENARIOS, t["scenarios"])
        t0 = time.time()
        rc, so, se = run("run", path, "--keep-going", "-o", out, "--json", out + "/r.json", "--site", t["site"],
                         timeout=900)
        t["run_seconds"] = time.time() - t0
        check(os.path.exists(out + "/r.json"), "%s: no results document written" % t["name"], so[-3000:], se[-3000:])
        with open(out + "/r.json") as f:
            r = json.load(f)
        rc2, listing, err = run("list", path, "--json", expect_rc=0)
        t["rounds"] = {s["name"]: s["rounds"] for s in json.loads(listing)}
        t["controls"] = {s["name"] for s in json.loads(listing) if "control" in s["tags"]}
        t["r"] = (rc, r, so, se)
        t["out"] = out
        counting = [f for f in r["findings"] if f["new"]]
        crashes = [f["title"] for f in counting if f["kind"] == "crash"]
        print("%-12s %3d findings -> %d groups, hang: %s, %s, run %.1f s (fetch %.1f s, build %s %.1f s) [%s]"
              % (t["name"], len(counting), len({f["group"] for f in counting}),
                 "yes" if any(f["kind"] == "hang" for f in r["findings"]) else "no",
                 "; ".join(crashes) or "no crash", t["run_seconds"], t["fetch_seconds"],
                 "ran" if t["built"] else "cached", t["build_seconds"], out), flush=True)
    return t["r"]


def for_each_target(fn):
    """Runs fn on every target and fails with all problems together (one target's failure must not
    hide another's)."""
    problems = []
    for t in TARGETS:
        try:
            fn(t)
        except AssertionError as e:
            problems.append("%s: %s" % (t["name"], e))
    check(not problems, "\n".join(problems))


def test_targets_are_fetched_and_built_instrumented():
    def one(t):
        prepare(t)
        out = t["build_output"]
        check("instrumented: yes" in out and "instrumented: NO" not in out,
              "build-ext did not report an instrumented module", out[-2000:])
    for_each_target(one)


def test_runs_go_past_the_first_finding():
    def one(t):
        rc, r, out, err = results(t)
        check(rc in (0, 1), "run exit code %d" % rc, err[-3000:])
        for s in r["scenarios"]:
            check(s["status"] == "ran" and s["rounds_run"] >= 1, "scenario did not run: %s" % s, err[-3000:])
            mine = [f for f in r["findings"] if f["scenario"] == s["name"] and f["new"]]
            if s["name"] in t["controls"]:
                continue  # test_controls_are_clean
            check(s["outcome"] != "clean" and any(f["owner"] == "target" for f in mine),
                  "%s: the unlocked object's races were not found (outcome %s)" % (s["name"], s["outcome"]))
            check(len(mine) > 1, "%s: stopped at the first finding (%s)" % (s["name"], [f["title"] for f in mine]))
            # Every round runs unless the worker crashed (a crash ends the scenario's rounds).
            if not any(f["kind"] == "crash" for f in mine):
                check(s["rounds_run"] == t["rounds"][s["name"]], "%s: %d of %d rounds ran" % (
                      s["name"], s["rounds_run"], t["rounds"][s["name"]]))
    for_each_target(one)


def test_controls_are_clean():
    """The same calls on thread-owned objects: the extension is fine there, so is the verdict."""
    def one(t):
        rc, r, out, err = results(t)
        check(t["controls"], "no scenario tagged control in %s" % t["scenarios"])
        for name in t["controls"]:
            s = next(x for x in r["scenarios"] if x["name"] == name)
            mine = [f["title"] for f in r["findings"] if f["scenario"] == name and f["new"]]
            check(s["outcome"] == "clean" and not mine, "%s: %s %s" % (name, s["outcome"], mine))
            check(s["rounds_run"] == t["rounds"][name], "%s: %d of %d rounds ran" % (
                  name, s["rounds_run"], t["rounds"][name]))
    for_each_target(one)


def test_no_hang_finding():
    def one(t):
        rc, r, out, err = results(t)
        hangs = [f for f in r["findings"] if f["kind"] == "hang"]
        check(not hangs, "hang finding(s): %s" % ["%s %s (%s)" % (f["title"], f["functions"], f["owner"]) for f in hangs],
              hangs[0]["report"][:4000] if hangs else "")
    for_each_target(one)


def test_no_harness_finding():
    def one(t):
        rc, r, out, err = results(t)
        own = [f for f in r["findings"] if f["owner"] == "harness"]
        check(not own, "harness-owned finding(s): %s" % ["%s [%s]" % (f["title"], f["signature"]) for f in own],
              own[0]["report"][:4000] if own else "")
    for_each_target(one)


def test_a_crash_names_a_native_frame_of_the_target():
    """Every crash carries a native stack; at least one names the extension (the others are the
    corruption's aftermath that CPython's own checks catch later, e.g. a negative reference count)."""
    def one(t):
        rc, r, out, err = results(t)
        symbols = target_symbols(t)
        crashes = [f for f in r["findings"] if f["kind"] == "crash"]
        for f in crashes:
            check("Native stack of the crashing thread" in f["report"],
                  "crash without a native stack: %s" % f["title"], f["report"][:3000])
        named = []
        for f in crashes:
            location = os.path.normpath(f["location"] or "")
            in_source = location.startswith(t["src"] + os.sep)
            in_module = bool(set(f["functions"]) & symbols)
            if in_source or in_module:
                named.append(f)
                check(f["owner"] == "target", "crash in %s owned by %s: %s" % (t["name"], f["owner"], f["title"]))
        check(not crashes or named, "no crash names a native frame of %s: %s" % (
            t["name"], [(f["title"], f["functions"], f["location"]) for f in crashes]))
    for_each_target(one)


def summary_count(summary):
    """'30 races, 2 heap-use-after-free, 1 SIGSEGV (and 4 suppressed)' -> 37."""
    return sum(int(n) for n in re.findall(r"(?:^|, |\(and )(\d+) ", summary))


def test_findings_collapse_into_few_named_groups():
    def one(t):
        rc, r, out, err = results(t)
        check("groups" in r, "results.json has no top-level 'groups' list")
        counting = [f for f in r["findings"] if f["new"]]
        groups = {g["id"]: g for g in r["groups"]}
        for f in r["findings"]:
            check(f.get("group") in groups, "finding %s has group %r, not a listed group" % (f["signature"], f.get("group")))
            check(f["signature"] in groups[f["group"]]["members"],
                  "finding %s is in group %d, whose members do not list it" % (f["signature"], f["group"]))
        for g in r["groups"]:
            check(isinstance(g.get("name"), str) and g["name"] and g.get("summary") and g.get("members"),
                  "group without a name, summary or members: %s" % g)
            mine = [f["signature"] for f in r["findings"] if f["group"] == g["id"]]
            check(sorted(mine) == sorted(g["members"]), "group %d %r: members %s, but findings in it %s"
                  % (g["id"], g["name"], g["members"], mine))
            check(summary_count(g["summary"]) == len(g["members"]), "group %d %r: summary %r counts %d, %d members"
                  % (g["id"], g["name"], g["summary"], summary_count(g["summary"]), len(g["members"])))
            # a group with an unsuppressed member counts only those; its suppressed ones are named apart
            quiet = [f for f in r["findings"] if f["group"] == g["id"] and f["suppressed"]]
            if len(quiet) < len(mine):
                check(summary_count(g["summary"].split(" (and ")[0]) == len(mine) - len(quiet),
                      "group %r: suppressed findings counted in %r" % (g["name"], g["summary"]))
        # Findings that share a function of the extension are one group (grouping's rule).
        seen = {}
        for g in r["groups"]:
            for fn in g.get("functions", []):
                if fn.startswith("fn:") and fn in seen:
                    check(False, "%s is in group %d %r and in group %d %r" % (
                          fn, seen[fn], groups[seen[fn]]["name"], g["id"], g["name"]),
                          json.dumps(r["groups"], indent=1)[:6000])
                seen.setdefault(fn, g["id"])
        used = {f["group"] for f in counting}
        check(used, "no counting finding, nothing to group")
        for i in used:
            named = groups[i]["name"].split(": ", 1)[-1]
            check(named not in t["allocators"], "group %d is named after the allocator wrapper %s: %s" % (
                  i, named, groups[i]["name"]))
        check(len(used) <= t["max_groups"], "%d findings fall into %d groups, expected at most %d: %s" % (
              len(counting), len(used), t["max_groups"],
              ["%s (%s)" % (groups[i]["name"], groups[i]["summary"]) for i in sorted(used)]))
        check(len(counting) <= 2 or len(used) < len(counting), "findings did not collapse: %d findings, %d groups"
              % (len(counting), len(used)))
    for_each_target(one)


main([test_targets_are_fetched_and_built_instrumented, test_runs_go_past_the_first_finding,
      test_controls_are_clean, test_no_hang_finding, test_no_harness_finding, test_a_crash_names_a_native_frame_of_the_target,
      test_findings_collapse_into_few_named_groups])
