"""Outcomes are produced faithfully: crash (and the run goes on), hang within its timeout, error
for exceptions and checks, ignored exceptions counted."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from ftest import SOURCE, check, findings, main, run_json, scenario  # noqa: E402

FILE = os.path.join(SOURCE, "tests/scenarios/outcomes/outcomes.yaml")
state = {}


def results():
    if "r" not in state:
        state["r"] = run_json(FILE, "--seed", "7")
    return state["r"]


def test_crash_in_round_3_and_the_next_scenario_runs():
    rc, r, out, err = results()
    s = scenario(r, "outcome-crash-in-round-3")
    check(s["outcome"] == "crash" and s["passed"], "crash scenario: %s" % s, err[-2000:])
    f = findings(r, "outcome-crash-in-round-3")
    check(len(f) == 1 and f[0]["kind"] == "crash", "one crash finding: %s" % [x["title"] for x in f])
    check(f[0]["first_round"] == 3, "crash seen in round %s, expected 3" % f[0]["first_round"])
    # the title names the signature's frames, so that two crashes in one function read apart
    check(f[0]["title"] == "crash: SIGSEGV in string_at, from _call_function_pointer, _ctypes_callproc" and
          f[0]["signature"] == "crash:SIGSEGV:string_at|_call_function_pointer|_ctypes_callproc", f[0]["title"])
    check("SIGSEGV" in f[0]["signature"], "signal named: " + f[0]["signature"])
    check("body[body]" in f[0]["report"] and "outcomes.yaml" in f[0]["report"],
          "the report holds the Python stack pointing into the scenario", f[0]["report"])
    after = scenario(r, "outcome-after-crash")
    check(after["status"] == "ran" and after["rounds_run"] == 3 and after["passed"],
          "the scenario after the crash ran: %s" % after)


def test_hang_within_timeout_with_stacks():
    rc, r, out, err = results()
    s = scenario(r, "outcome-hang")
    check(s["outcome"] == "hang" and s["passed"], "hang scenario: %s" % s, err[-2000:])
    f = findings(r, "outcome-hang")[0]
    check(f["functions"] == ["wait (threading.py)"], "innermost stuck frame named: %s" % f["functions"])
    check("outcomes.yaml\", line 27 in body[body]" in f["report"], "the stacks reach the body's line", f["report"])


def test_exception_and_check_are_errors():
    rc, r, out, err = results()
    s = scenario(r, "outcome-exception")
    f = findings(r, "outcome-exception")
    check(s["outcome"] == "error" and len(f) == 1, "exception: %s %s" % (s["outcome"], [x["title"] for x in f]))
    check(f[0]["signature"] == "error:ValueError:body[body] (outcomes.yaml)", f[0]["signature"])
    check(f[0]["location"].endswith("outcomes.yaml:37"), "points at the raise: %s" % f[0]["location"])
    check("Traceback" in f[0]["report"] and "bad value" in f[0]["report"], f[0]["report"])
    c = findings(r, "outcome-check-failure")
    check(len(c) == 1 and c[0]["signature"].startswith("check:AssertionError:check"), [x["signature"] for x in c])
    check(c[0]["first_round"] == 1, "the check first fails in round 1: %s" % c[0]["first_round"])


def test_ignored_exceptions_are_counted():
    rc, r, out, err = results()
    s = scenario(r, "outcome-ignored")
    check(s["outcome"] == "clean" and not findings(r, "outcome-ignored", counting_only=False), "no finding: %s" % s)
    check(s["ignored_exceptions"] == {"KeyError": 2 * 5 * 2}, "counted: %s" % s["ignored_exceptions"])


def test_exit_called_is_a_crash_with_its_caller():
    rc, r, out, err = results()
    f = findings(r, "outcome-exit-called")
    check(len(f) == 1 and f[0]["kind"] == "crash", "one crash finding: %s" % [x["title"] for x in f], err[-2000:])
    # named by the code exit() was given and the C frames that called it, not "exit-3 in ?"
    check(f[0]["title"].startswith("crash: exit(3) in ") and "_ctypes_callproc" in f[0]["title"], f[0]["title"])
    check(f[0]["first_round"] == 2, "exit seen in round %s, expected 2" % f[0]["first_round"])
    check("code called exit(3)" in f[0]["report"] and "below exit()" in f[0]["report"], f[0]["report"][:1500])


def test_exit_called_by_two_threads_at_once():
    rc, r, out, err = results()
    f = findings(r, "outcome-exit-called-twice")
    check(len(f) == 1 and f[0]["title"].startswith("crash: exit(5) in ") and "_ctypes_callproc" in f[0]["title"],
          "one crash with its caller: %s" % [x["title"] for x in f], err[-2000:])
    check("cannot take native stacks" not in err and "cannot wait for worker" not in err, err[-2000:])


def test_exit_code_when_all_expectations_are_met():
    rc, r, out, err = results()
    check(rc == 0 and r["exit_code"] == 0, "exit code %d" % rc, err[-2000:])


main([test_crash_in_round_3_and_the_next_scenario_runs, test_hang_within_timeout_with_stacks,
      test_exception_and_check_are_errors, test_ignored_exceptions_are_counted,
      test_exit_called_is_a_crash_with_its_caller, test_exit_called_by_two_threads_at_once,
      test_exit_code_when_all_expectations_are_met])
