"""What the bodies exercised: a scenario calling some of a seeded module's functions shows those with
their counts (4 threads inside rendezvous() at once), the rest as not reached; a scenario whose body
never calls its target says "target not reached"; one that reaches it only by constructing its type
is reached, with the constructor's calls and exceptions counted, and a constructor call is left when
it returns; calls through functools.partial count as calls of what it wraps, calls of an instance
as calls of its type; a scenario that reaches the target only from C is shown reached by its
race's native stack; role body calls and exception counts are exact; a clean scenario whose threads
were never inside the target at once is flagged as saying little."""
import glob
import json
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from ftest import FTSTRESS, SOURCE, check, main, run_json, scenario  # noqa: E402

FILE = os.path.join(SOURCE, "tests/scenarios/exercised/exercised.yaml")
ROUNDS = 3
state = {}


def results():
    if "r" not in state:
        state["r"] = run_json(FILE, "--rounds", str(ROUNDS), expect_rc=0)
    return state["r"]


def test_called_functions_are_counted():
    rc, r, so, se = results()
    ex = scenario(r, "exercised-some")["exercised"]
    calls = ex["calls"]
    # 4 callers x 50 iterations x 3 rounds; rendezvous once per caller per round
    check(calls["exercised.add"]["calls"] == 4 * 50 * ROUNDS, "add calls: %s" % calls.get("exercised.add"))
    check(calls["exercised.Box.get"]["calls"] == 4 * 50 * ROUNDS, "Box.get, a method: %s" % calls.get("exercised.Box.get"))
    check(calls["exercised.rendezvous"]["calls"] == 4 * ROUNDS and calls["exercised.rendezvous"]["threads"] == 4,
          "rendezvous: %s" % calls.get("exercised.rendezvous"))
    # rendezvous(4) returns only once four threads were inside together: the counter must have seen it
    check(calls["exercised.rendezvous"]["max_concurrent"] >= 2, "threads at once: %s" % calls["exercised.rendezvous"])
    check(calls["exercised.add"]["threads"] == 4, "add from 4 threads: %s" % calls["exercised.add"])
    check(ex["target_reached"] is True and ex["complete"] is True, "reached and complete: %s" % ex)


def test_uncalled_functions_are_not_reached():
    rc, r, so, se = results()
    ex = scenario(r, "exercised-some")["exercised"]
    # Box() runs in the setup, on the main thread: not a body's call
    check(sorted(ex["not_reached"]) == ["exercised.Box", "exercised.Box.put", "exercised.close", "exercised.reset"],
          "not reached: %s" % ex["not_reached"])
    check(ex["functions_total"] == 8 and ex["functions_reached"] == 4, "totals: %s" % ex)
    check("exercised: 4 of 8 target functions, max 4 threads at once; not reached: Box, Box.put, close, reset" in so,
          "the one-liner", so)


def test_exceptions_by_role_and_function():
    rc, r, so, se = results()
    ex = scenario(r, "exercised-some")["exercised"]
    roles = ex["roles"]
    check(roles["caller"] == {"body_calls": 4 * 50 * ROUNDS, "exceptions": {}}, "caller: %s" % roles["caller"])
    check(roles["failer"] == {"body_calls": 0, "exceptions": {"ValueError": 10 * ROUNDS}}, "failer: %s" % roles["failer"])
    # the catcher's ValueError never leaves its body: raised, not an exception of the role
    check(roles["catcher"] == {"body_calls": 5 * ROUNDS, "exceptions": {}}, "catcher: %s" % roles["catcher"])
    fail = ex["calls"]["exercised.fail"]
    check(fail["calls"] == 15 * ROUNDS and fail["raised"] == 15 * ROUNDS, "fail: %s" % fail)
    check(fail["exceptions"] == {"ValueError": 10 * ROUNDS}, "escaped exceptions of fail: %s" % fail)


def test_target_not_reached_is_a_warning_not_clean():
    rc, r, so, se = results()
    s = scenario(r, "exercised-unreached")
    ex = s["exercised"]
    check(ex["target_reached"] is False and ex["functions_reached"] == 0 and ex["calls"] == {}, "unreached: %s" % ex)
    check(ex["roles"]["body"]["body_calls"] == 2 * 10 * ROUNDS, "its bodies still ran: %s" % ex["roles"])
    check("warning: target not reached: no body called any of the 8 functions" in so, "warning under the row", so)
    check("1 scenario never reached the target's code" in so, "closing warning", so)


def test_target_reached_only_through_a_constructor():
    rc, r, so, se = results()
    ex = scenario(r, "exercised-constructor")["exercised"]
    box = ex["calls"].get("exercised.Box")
    # 2 threads x 9 iterations x 3 rounds, every third with a str: TypeError out of the constructor
    check(box is not None and box["calls"] == 2 * 9 * ROUNDS and box["raised"] == 2 * 3 * ROUNDS and box["threads"] == 2,
          "Box(): %s" % box)
    check(box["exceptions"] == {"TypeError": 2 * 3 * ROUNDS}, "escaped exceptions of Box(): %s" % box)
    check(ex["target_reached"] is True and ex["functions_reached"] == 1 and "exercised.Box" not in ex["not_reached"],
          "reached through Box() alone: %s" % ex)
    check(ex["roles"]["body"] == {"body_calls": 2 * 6 * ROUNDS, "exceptions": {"TypeError": 2 * 3 * ROUNDS}},
          "body calls and exceptions: %s" % ex["roles"])
    row = so[so.index("exercised-constructor "):].split("\n")[1]
    check("exercised: 1 of 8 target functions" in row and "not reached" in row, "its one-liner", row)
    check("1 scenario never reached the target's code" in so, "only exercised-unreached is warned about", so)


def test_constructor_call_is_left_when_it_returns():
    rc, r, so, se = results()
    calls = scenario(r, "exercised-constructor-apart")["exercised"]["calls"]
    # both threads were inside rendezvous together, each Box() before or after it: never two at once
    check(calls["exercised.rendezvous"]["max_concurrent"] == 2, "rendezvous: %s" % calls["exercised.rendezvous"])
    check(calls["exercised.Box"]["calls"] == 2 and calls["exercised.Box"]["threads"] == 2 and
          calls["exercised.Box"]["max_concurrent"] == 1, "Box(): %s" % calls["exercised.Box"])


def test_calls_through_a_partial_count_as_the_wrapped_function():
    rc, r, so, se = results()
    ex = scenario(r, "exercised-partial")["exercised"]
    calls = ex["calls"]
    for name in ("exercised.add", "exercised.Box.get", "exercised.Box"):
        c = calls.get(name)
        check(c is not None and c["calls"] == 2 * 7 * ROUNDS and c["threads"] == 2, "%s through a partial: %s" % (name, c))
    check(not any(k.startswith("functools") for k in calls), "the partials are not counted as themselves: %s" % calls)
    check(ex["target_reached"] is True, "reached: %s" % ex)


def test_an_error_is_named_after_the_target_function_that_raised_it():
    rc, r, so, se = results()
    f = [x for x in r["findings"] if x["scenario"] == "exercised-raises"]
    check(len(f) == 1 and f[0]["kind"] == "error", "one error finding: %s" % [x["title"] for x in f])
    check(f[0]["title"].startswith("exception: ValueError from exercised.fail in body[body]"), "title: %s" % f[0]["title"])
    names = [g["name"] for g in r["groups"] if f[0]["signature"] in g["members"]]
    check(names == ["exercised: fail"], "the group reads module: function: %s" % names, so)
    # its one round (the file's, not --rounds), whether the worker was stopped at the expected error
    # or got to say it was done
    rc, alone, so, se = run_json(FILE, "--filter", "exercised-raises", expect_rc=0)
    check(scenario(alone, "exercised-raises")["rounds_run"] == 1, "rounds run: %s" % scenario(alone, "exercised-raises"))


def test_calling_an_instance_counts_as_its_type():
    rc, r, so, se = results()
    ex = scenario(r, "exercised-instance-call")["exercised"]
    box = ex["calls"].get("exercised.Box")
    # setup's Box(3) is the main thread's; each body's box() and box.__call__() is the type's tp_call
    check(box is not None and box["calls"] == 3 * 2 * 5 * ROUNDS and box["threads"] == 2, "box(): %s" % box)
    check(ex["target_reached"] is True, "reached through box(): %s" % ex)


def test_reached_only_from_c_is_shown_by_the_findings_stacks():
    rc, r, so, se = run_json(os.path.join(SOURCE, "tests/scenarios/exercised-from-c"), expect_rc=0)
    ex = scenario(r, "exercised-reached-from-c")["exercised"]
    check(not ex.get("calls") and ex["target_reached"] is True and ex["reached_by_findings"] is True,
          "map() calls from C, but the race's stack is in seeded_globals: %s" % ex)
    row = so[so.index("exercised-reached-from-c "):].split("\n")[1]
    check("no call counted" in row and "it was reached" in row and "warning" not in row, "its one-liner", row)


def test_calls_that_never_overlap_make_a_clean_outcome_say_little():
    rc, r, so, se = results()
    one = scenario(r, "exercised-one-at-a-time")
    check(one["outcome"] == "clean" and one["exercised"]["max_concurrent_any"] == 1,
          "one lock around every call: one thread inside at a time: %s" % one.get("exercised"))
    row = so[so.index("exercised-one-at-a-time"):].split("\n")
    check(row[2].strip().startswith("warning: no two threads were ever in the target's functions at once"),
          "the warning under its row", so)
    some = scenario(r, "exercised-some")
    check(some["exercised"]["max_concurrent_any"] >= 2, "rendezvous(4) puts threads inside together: %s" % some)
    after = so[so.index("exercised-some"):].split("\n")[1:3]
    check(not any("no two threads" in line for line in after), "no warning where threads met", after)


def test_counting_off():
    rc, r, so, se = run_json(FILE, "--rounds", "1", env={"FTSTRESS_EXERCISE": "0"}, expect_rc=0)
    check(all("exercised" not in s for s in r["scenarios"]), "FTSTRESS_EXERCISE=0: nothing counted")


def test_entry_points_are_symbolized_again_for_a_changed_extension():
    """A second command takes the targets' C entry points from what the first one kept (the
    symbolizer is not asked), and once the extension's file changes (a rebuild; here its times) they
    are derived anew: a changed object never gets the entries of the old one."""
    folder = tempfile.mkdtemp(prefix="ftstress-test-")
    runtime, site = os.path.join(folder, "runtime"), os.path.join(folder, "site")
    os.mkdir(runtime, 0o700)
    os.mkdir(site)
    built = glob.glob(os.path.join(os.path.dirname(os.path.dirname(FTSTRESS)), "site", "exercised.*.so"))
    check(len(built) == 1, "the test extension beside the driver: %s" % built)
    ext = shutil.copy(built[0], site)
    path = os.path.join(folder, "one.yaml")
    with open(path, "w") as f:
        f.write("name: entries\nimports: [exercised]\npath: [site]\nthreads: 2\nbody: |\n  exercised.add(1, 2)\n"
                "rounds: 1\n")
    env = {"XDG_RUNTIME_DIR": runtime}

    def entries():
        rc, r, so, se = run_json(path, "--seed", "1", env=env, expect_rc=0)
        return scenario(r, "entries")["exercised"]["entries"]

    first = entries()
    check(first["exercised.add"] and first["exercised.add"][0][1] == ext, "add's entry in the copy: %s" % first)
    kept = [p for p in glob.glob(runtime + "/ftstress/entries-*/*.json") if json.load(open(p))["key"]["path"] == ext]
    check(len(kept) == 1, "one file of the copy's entries: %s" % glob.glob(runtime + "/ftstress/**", recursive=True))
    with open(kept[0]) as f:
        doc = json.load(f)
    check(any(v == first["exercised.add"][0] for v in doc["symbols"].values()), "add's entry kept: %s" % doc)
    for k, v in doc["symbols"].items():  # marked, to tell the kept entries from symbolized ones
        doc["symbols"][k] = ["kept_" + v[0], v[1]]
    with open(kept[0], "w") as f:
        json.dump(doc, f)
    second = entries()
    check(second == {n: [["kept_" + e[0], e[1]] if e[1] == ext else e for e in es] for n, es in first.items()},
          "the second command's entries are the kept ones: %s" % second)
    st = os.stat(ext)
    os.utime(ext, ns=(st.st_atime_ns, st.st_mtime_ns + 1000000000))  # what a rebuild does to it, and more
    check(entries() == first, "derived anew from the changed file, none of the kept ones")


if __name__ == "__main__":
    main([test_called_functions_are_counted, test_uncalled_functions_are_not_reached,
          test_exceptions_by_role_and_function, test_target_not_reached_is_a_warning_not_clean,
          test_target_reached_only_through_a_constructor, test_constructor_call_is_left_when_it_returns,
          test_calls_through_a_partial_count_as_the_wrapped_function,
          test_an_error_is_named_after_the_target_function_that_raised_it, test_calling_an_instance_counts_as_its_type,
          test_reached_only_from_c_is_shown_by_the_findings_stacks,
          test_calls_that_never_overlap_make_a_clean_outcome_say_little, test_counting_off,
          test_entry_points_are_symbolized_again_for_a_changed_extension])
