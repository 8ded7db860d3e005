"""The command line: exit codes, positioned errors, GIL handling, JSON schema, JUnit, baseline,
suppressions, shards and report merging, doctor."""
import json
import os
import sys
import tempfile
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from ftest import FTSTRESS, SOURCE, check, findings, main, run, run_json, scenario  # noqa: E402

BAD = os.path.join(SOURCE, "tests/data/bad")
CLI = os.path.join(SOURCE, "tests/scenarios/cli")
DEMO = os.path.join(SOURCE, "scenarios/demo")


def test_malformed_scenarios_exit_2_with_position():
    cases = {"unknown-key.yaml": ":3:1: error: unknown key 'iteratons'",
             "threads-range.yaml": ":2:10: error: 'threads' must be between 1 and 1024",
             "not-yaml.yaml": ":3:1: error: YAML syntax"}
    for name, message in cases.items():
        for command in ("check", "run", "list"):
            rc, out, err = run(command, os.path.join(BAD, name), expect_rc=2)
            check(os.path.join(BAD, name) + message in err, "%s %s: %s" % (command, name, err))
            check("ThreadSanitizer" not in err, "no sanitizer output", err)


def test_body_syntax_error_names_file_and_line():
    path = os.path.join(BAD, "body-syntax.yaml")
    for command in ("check", "run"):
        rc, out, err = run(command, path, expect_rc=2)
        check(path + ":5:" in err and "'body[body]'" in err and "syntax-error" in err, err)


def test_usage_errors_exit_2():
    run("run", "--threads", "0", DEMO, expect_rc=2)
    run("run", "--no-such-option", expect_rc=2)
    run("frobnicate", expect_rc=2)
    run("run", "--shard", "3/2", DEMO, expect_rc=2)


def test_could_not_run_exits_3():
    rc, r, out, err = run_json(os.path.join(CLI, "notrun.yaml"), expect_rc=3)
    s = scenario(r, "import-fails")
    check(s["status"] == "not-run" and "no_such_module_anywhere" in s["message"], s)
    s = scenario(r, "gil-reenabled")
    check(s["status"] == "not-run" and "PYTHON_GIL" in s["message"] and s["gil_enabled"], s)
    check("importing 'legacy_gil'" in s["message"], "the refusal names the module that turned the GIL on: %s" % s)


RNG = """\
name: rng-per-thread
description: each thread draws from its own rng; the arbiter lists the draws
threads: 3
body: |
  result[thread] = rng.random()
rounds: 3
arbiter: |
  tuple("%.12f" % result[t] for t in range(threads))
outcomes:
  - match: ".*"
    verdict: acceptable
    description: any draw
"""


def test_rng_is_per_thread_and_repeats_with_the_seed():
    folder = tempfile.mkdtemp()
    path = os.path.join(folder, "rng.yaml")
    open(path, "w").write(RNG)
    draws = []
    for seed in ("11", "11", "12"):
        rc, r, out, err = run_json(path, "--seed", seed, expect_rc=0)
        draws.append([h["value"] for h in scenario(r, "rng-per-thread")["outcomes"]])
    check(draws[0] == draws[1], "the same seed gives the same draws: %s" % draws[:2])
    check(draws[0] != draws[2], "another seed gives other draws")
    values = [eval(v) for v in draws[0]]
    check(len(values) == 3 and all(len(set(v)) == 3 for v in values), "each thread and round draws its own: %s" % values)


SITES = """\
name: site-folders
threads: 1
body: |
  pass
imports: [plain_mod, pth_mod]
check: |
  import sys
  assert plain_mod.WHERE == 'plain' and pth_mod.WHERE == 'behind-pth', (plain_mod.WHERE, pth_mod.WHERE)
  assert sys.path.count(PLAIN) == 1 and 'plain' not in sys.path, sys.path
  assert PTH_RAN, 'the .pth line that imports ran'
setup_once: |
  import builtins, os
  PLAIN = os.path.realpath(os.path.dirname(plain_mod.__file__))
  PTH_RAN = getattr(builtins, '_ftstress_test_pth_ran', False)
rounds: 1
"""


def test_site_folders_with_and_without_pth_files():
    """--site: a folder without .pth files is put on sys.path once, as an absolute path, however it
    is written; one with them is processed as site.addsitedir does (its paths added, its import
    lines run)."""
    folder = tempfile.mkdtemp()
    plain, with_pth, behind = (os.path.join(folder, d) for d in ("plain", "with-pth", "behind"))
    for d in (plain, with_pth, behind):
        os.mkdir(d)
    open(os.path.join(plain, "plain_mod.py"), "w").write("WHERE = 'plain'\n")
    open(os.path.join(behind, "pth_mod.py"), "w").write("WHERE = 'behind-pth'\n")
    open(os.path.join(with_pth, "extra.pth"), "w").write(
        "../behind\nimport builtins; builtins._ftstress_test_pth_ran = True\n")
    path = os.path.join(folder, "sites.yaml")
    open(path, "w").write(SITES)
    rc, r, out, err = run_json(path, "--site", "plain", "--site", os.path.join(folder, "plain"), "--site", with_pth,
                               expect_rc=0, cwd=folder)
    check(scenario(r, "site-folders")["passed"], "both modules found, the plain folder once", out, err)


def test_gil_env_forces_off_or_on():
    rc, r, out, err = run_json(os.path.join(CLI, "gil-control.yaml"), expect_rc=0)
    check(not scenario(r, "gil-forced-off")["gil_enabled"], "PYTHON_GIL=0 keeps it off")
    check(scenario(r, "gil-on-control")["gil_enabled"], "PYTHON_GIL=1 is a control with the GIL on")


def check_schema(value, schema, where="$"):
    """A validator for the subset of JSON Schema that docs/results-schema.json uses."""
    types = schema.get("type")
    if types:
        names = types if isinstance(types, list) else [types]
        py = {"object": dict, "array": list, "string": str, "integer": int, "number": (int, float),
              "boolean": bool, "null": type(None)}
        ok = any(isinstance(value, py[t]) and not (t in ("integer", "number") and isinstance(value, bool))
                 for t in names)
        check(ok, "%s: %r is not %s" % (where, value, names))
    if "enum" in schema:
        check(value in schema["enum"], "%s: %r not in %s" % (where, value, schema["enum"]))
    for key in schema.get("required", []):
        check(key in value, "%s: missing %s" % (where, key))
    for key, sub in schema.get("properties", {}).items():
        if isinstance(value, dict) and key in value:
            check_schema(value[key], sub, where + "." + key)
    if "items" in schema and isinstance(value, list):
        for i, item in enumerate(value):
            check_schema(item, schema["items"], "%s[%d]" % (where, i))


def test_json_matches_documented_schema_and_junit_parses():
    out = tempfile.mkdtemp()
    rc, so, se = run("run", DEMO, "--json", out + "/r.json", "--junit", out + "/r.xml", "-o", out, expect_rc=0)
    doc = json.load(open(out + "/r.json"))
    schema = json.load(open(os.path.join(SOURCE, "docs/results-schema.json")))
    check_schema(doc, schema)
    check(doc["findings"], "the demo has findings to validate")
    root = ET.parse(out + "/r.xml").getroot()
    check(root.tag == "testsuites", root.tag)
    suites = root.findall("testsuite")
    check(len(suites) == 1 and suites[0].get("tests") == "4" and suites[0].get("failures") == "0",
          ET.tostring(root, encoding="unicode")[:2000])
    check({c.get("name") for c in suites[0].findall("testcase")} ==
          {"demo-stats-unsafe", "demo-stats-locked", "demo-ticket-unsafe", "demo-ticket-atomic"}, "testcases")
    check(os.path.exists(out + "/results.json") and os.path.exists(out + "/events.jsonl"), "out folder")
    dirs = os.listdir(out + "/findings")
    check(any("race-record-record" in d for d in dirs), dirs)
    report = open(os.path.join(out, "findings", [d for d in dirs if "record" in d][0], "report.txt")).read()
    check("ftdemo.c" in report and "role body" in report, report)


def test_failing_scenario_junit_failure_and_exit_1():
    out = tempfile.mkdtemp()
    rc, so, se = run("run", os.path.join(CLI, "racy.yaml"), "--junit", out + "/r.xml", "-o", out, expect_rc=1)
    failure = ET.parse(out + "/r.xml").getroot().find("testsuite/testcase/failure")
    check(failure is not None and "next_version_unsafe" in failure.text, "failure text names the race")
    check("--seed" in so and "--filter racy-but-expected-clean" in so, "a command that repeats it, after the table on stdout", so)


def test_baseline_makes_known_findings_pass():
    base = tempfile.mkdtemp() + "/baseline.json"
    racy = os.path.join(CLI, "racy.yaml")
    run("run", racy, "--baseline", base, "--update-baseline", "-o", tempfile.mkdtemp(), expect_rc=1)
    known = json.load(open(base))
    check(any(f["signature"] == "race:next_version_unsafe|next_version_unsafe" for f in known["findings"]), known)
    rc, r, out, err = run_json(racy, "--baseline", base, expect_rc=0)
    f = findings(r, "racy-but-expected-clean", counting_only=False)
    check(f and all(x["baselined"] and not x["new"] for x in f), f)
    # known through its group alone (as another function pair of the same bug would be), and the
    # note names the group
    known["findings"] = []
    json.dump(known, open(base, "w"))
    rc, r, out, err = run_json(racy, "--baseline", base, expect_rc=0)
    f = [x for x in findings(r, "racy-but-expected-clean", counting_only=False) if not x["suppressed"]]
    check(f and all((x["baseline_note"] or "").startswith("joins the known group seeded_globals: next_version_unsafe (")
                    for x in f), [x["baseline_note"] for x in f])


def test_suppressions_are_counted_and_stale_ones_reported():
    supp = tempfile.mkdtemp() + "/mine.supp"
    with open(supp, "w") as fh:
        fh.write("# the counter is known to race\nrace:next_version_unsafe\n# matches nothing\nrace:nothing_like_this\n")
    rc, r, out, err = run_json(os.path.join(CLI, "racy.yaml"), "--suppressions", supp, expect_rc=0)
    f = findings(r, "racy-but-expected-clean", counting_only=False)
    check(f and f[0]["suppressed"] and f[0]["suppressed_by"] == supp + ":2: race:next_version_unsafe", f)
    check("stale suppression" in err and "nothing_like_this" in err, err[-2000:])
    check("supp" in out, "suppressed findings are listed, not dropped", out)


def test_shards_merged_equal_one_run():
    outs = []
    for shard in ("1/2", "2/2"):
        rc, r, so, se = run_json(DEMO, "--shard", shard, "--seed", "5")
        outs.append(r)
    names = [[s["name"] for s in r["scenarios"]] for r in outs]
    check(names[0] and names[1] and not set(names[0]) & set(names[1]), "disjoint shards: %s" % names)
    tmp = tempfile.mkdtemp()
    for i, r in enumerate(outs):
        json.dump(r, open("%s/%d.json" % (tmp, i), "w"))
    rc, so, se = run("report", tmp + "/0.json", tmp + "/1.json", "--json", tmp + "/merged.json", "--junit",
                     tmp + "/m.xml", expect_rc=0)
    merged = json.load(open(tmp + "/merged.json"))
    rc, whole, so, se = run_json(DEMO, "--seed", "5")

    def verdicts(doc):
        return sorted((s["name"], s["outcome"], s["passed"]) for s in doc["scenarios"])

    def sigs(doc):
        return sorted((f["scenario"], f["signature"]) for f in doc["findings"])
    check(verdicts(merged) == verdicts(whole), "%s vs %s" % (verdicts(merged), verdicts(whole)))
    check(sigs(merged) == sigs(whole), "%s vs %s" % (sigs(merged), sigs(whole)))
    check(merged["exit_code"] == whole["exit_code"] == 0, "same verdict")


def test_duration_repeats_and_until_failure_stops():
    import time
    t0 = time.time()
    rc, r, out, err = run_json(DEMO, "--filter", "demo-ticket-atomic", "--duration", "4", expect_rc=0)
    s = scenario(r, "demo-ticket-atomic")
    check(time.time() - t0 >= 4 and s["rounds_run"] > 20 and s["workers"] > 1,
          "--duration repeats the scenario: %d rounds in %d workers" % (s["rounds_run"], s["workers"]))
    rc, r, out, err = run_json(os.path.join(CLI, "racy.yaml"), "--until-failure", "--duration", "120", expect_rc=1)
    s = scenario(r, "racy-but-expected-clean")
    check(not s["passed"] and s["workers"] == 1, "--until-failure stops after the failing pass: %s" % s)


def test_repeat_line_runs_as_printed():
    """Paths with spaces and quotes work (TSan's options quote them), and the "to repeat a failure"
    line carries --site and --suppressions as given, quoted for the shell; run as printed it fails
    the same way."""
    import shlex
    import shutil
    folder = tempfile.mkdtemp(prefix="ftstress repeat ")  # a space in every path
    path = os.path.join(folder, "racy copy.yaml")
    shutil.copy(os.path.join(CLI, "racy.yaml"), path)
    site = os.path.join(folder, "extra site")
    os.mkdir(site)
    supp = os.path.join(folder, "it's.supp")
    open(supp, "w").write("race:no_such_function_anywhere\n")
    rc, out, err = run("run", path, "--site", site, "--suppressions", supp, "-o", folder + "/o 1", expect_rc=1)
    check("FAIL   racy-but-expected-clean            clean     race" in out and "did not answer" not in err,
          "the race is found with spaces in every path", out, err)
    lines = [l.strip() for l in out.splitlines() if "--filter racy-but-expected-clean" in l]
    argv = shlex.split(lines[0]) if lines else []
    check(argv[2:3] == [path] and argv[argv.index("--site") + 1] == site and argv[argv.index("--suppressions") + 1] == supp,
          "the repeat line: %r" % lines, out)
    check(argv[0] == os.path.join(SOURCE, "scripts/ftstress") and argv[1] == "run",
          "it starts with the README's command, as an absolute path: %r" % argv)
    rc, out2, err2 = run(*argv[1:], "-o", folder + "/o2")
    check(rc == 1 and "FAIL   racy-but-expected-clean" in out2, "run as printed: exit %d" % rc, out2, err2)


def test_repeat_line_quotes_a_leading_dash():
    """A scenario named like an option (init names `_io`'s scenarios after the module) is quoted in the
    repeat line, and the line run as printed selects it rather than failing on an unknown option."""
    import shlex
    folder = tempfile.mkdtemp(prefix="ftstress-dash-")
    path = os.path.join(folder, "dash.yaml")
    with open(path, "w") as f:
        f.write("name: -io-shared\nthreads: 2\nimports: [seeded_globals]\nbody: |\n"
                "  seeded_globals.next_version_unsafe()\niterations: 50\nrounds: 2\nexpect: clean\n")
    rc, out, err = run("run", path, "-o", folder + "/o1", expect_rc=1)
    lines = [l.strip() for l in out.splitlines() if "--filter '-io-shared'" in l]
    check(lines, "the name is not quoted in the repeat line", out)
    argv = shlex.split(lines[0])
    rc, out2, err2 = run(*argv[1:], "-o", folder + "/o2")
    check(rc == 1 and "-io-shared" in out2, "run as printed: exit %d" % rc, out2, err2)


def test_report_rejects_bad_input():
    tmp = tempfile.mkdtemp()
    open(tmp + "/bad.json", "w").write('{"scenarios": [1,\n')
    rc, out, err = run("report", tmp + "/bad.json", expect_rc=2)
    check(tmp + "/bad.json:" in err, err)


def test_doctor():
    rc, out, err = run("doctor", expect_rc=0)
    check("GIL at start" in out and "disabled" in out and "/ftstress-python" in out, out)
    check("TSan runtime" in out and "all checks passed" in out, out)


def test_doctor_without_interpreter_says_what_to_run():
    import subprocess
    env = dict(os.environ, FTSTRESS_HOME=tempfile.mkdtemp())
    p = subprocess.run([os.path.join(SOURCE, "scripts/ftstress"), "doctor"], capture_output=True, text=True, env=env)
    check(p.returncode == 3 and "run scripts/bootstrap" in p.stderr, "exit %d: %s" % (p.returncode, p.stderr))


def test_wrapper_builds_only_after_a_source_changed():
    """scripts/ftstress runs CMake's build only when a file the build reads is newer than its last
    build: a build with nothing to do costs about 1.5 s, every command. A `cmake` first on PATH
    counts the calls."""
    import subprocess
    build = os.path.dirname(os.path.dirname(FTSTRESS))
    stamp = os.path.join(build, ".ftstress-wrapper-built")
    shim = tempfile.mkdtemp(prefix="ftstress-cmake-shim-")
    calls = os.path.join(shim, "calls")
    with open(os.path.join(shim, "cmake"), "w") as f:
        f.write('#!/bin/sh\necho "$@" >> %s\n' % calls)
    os.chmod(os.path.join(shim, "cmake"), 0o755)
    env = dict(os.environ, FTSTRESS_BUILD=build, PATH=shim + ":" + os.environ["PATH"])

    def builds_after_a_command():
        p = subprocess.run([os.path.join(SOURCE, "scripts/ftstress"), "list", DEMO], capture_output=True, text=True,
                           env=env)
        check(p.returncode == 0, "the wrapper ran the command: exit %d: %s" % (p.returncode, p.stderr))
        return open(calls).read().count("--build") if os.path.exists(calls) else 0

    open(stamp, "a").close()
    os.utime(stamp, (0, 0))  # the last build older than every source: as after a pull or an edit
    check(builds_after_a_command() == 1, "a source newer than the last build: one build")
    check(builds_after_a_command() == 1, "nothing newer since: no second build")


main([test_site_folders_with_and_without_pth_files, test_wrapper_builds_only_after_a_source_changed, test_doctor_without_interpreter_says_what_to_run, test_malformed_scenarios_exit_2_with_position, test_body_syntax_error_names_file_and_line,
      test_usage_errors_exit_2, test_could_not_run_exits_3, test_gil_env_forces_off_or_on,
      test_rng_is_per_thread_and_repeats_with_the_seed,
      test_json_matches_documented_schema_and_junit_parses, test_failing_scenario_junit_failure_and_exit_1,
      test_baseline_makes_known_findings_pass, test_suppressions_are_counted_and_stale_ones_reported,
      test_shards_merged_equal_one_run, test_duration_repeats_and_until_failure_stops, test_repeat_line_runs_as_printed, test_repeat_line_quotes_a_leading_dash, test_report_rejects_bad_input,
      test_doctor])
