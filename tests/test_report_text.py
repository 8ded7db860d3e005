"""The terminal report on a results document: long group names and finding titles (a C++ signature,
a Cython name) wrap inside their column so the columns after them stay aligned, `at` lines are
relative to the source tree that was built, and the closing line counts root causes in the words
of the HTML and Markdown headline (no run: a written document through `ftstress report`)."""
import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from ftest import check, main, run  # noqa: E402

LONG_GROUP = "msgpack: int unpack_execute<true>(unpack_context*, char const*, unsigned long, unsigned long*)"
LONG_TITLE = ("data race: __pyx_f_7msgpack_9_cmsgpack_8Unpacker__unpack_and_a_very_long_tail_without_spaces_at_all "
              "vs unpack_callback_uint64")


def document():
    scenario = {"name": "unpacker-shared", "file": "m.yaml", "line": 1, "tags": [], "expect": "clean",
                "outcome": "race", "passed": False, "status": "ran", "message": None, "rounds_run": 20,
                "seconds": 1.0, "threads": 4, "iterations": 10, "findings": []}
    finding = {"kind": "race", "signature": "race:a|b", "title": LONG_TITLE, "functions": ["a", "b"],
               "owner": "target", "scenario": "unpacker-shared", "new": True, "suppressed": False, "report": "",
               "count": 3, "rounds_hit": 2, "rounds_run": 20, "group": 1,
               "location": "/x/site/.ftstress-build/msgpack-1.0/src/msgpack/unpack_template.h:201"}
    other = dict(finding, signature="race:c|d", title="data race: c vs d", group=2, new=False, suppressed=True,
                 suppressed_by="supp.txt:1: race:c", location="/usr/include/x.h:3")
    rate = {"hit_rounds": 2, "rounds": 20, "rate": 0.1, "rate_ci95": [0.03, 0.3], "rounds_for_99": 40,
            "rate_is_lower_bound": True}
    groups = [dict(rate, id=1, name=LONG_GROUP, owner="target", summary="2 races", new=True, members=["race:a|b", "x"],
                   scenarios=["unpacker-shared"], by_scenario=[dict(rate, scenario="unpacker-shared")]),
              dict(rate, id=2, name="msgpack: c", owner="target", summary="1 race", new=False, members=["race:c|d"],
                   scenarios=["unpacker-shared"], by_scenario=[dict(rate, scenario="unpacker-shared")])]
    return {"ftstress": {"version": "test", "schema": 1}, "seed": 1, "command": "ftstress run m.yaml",
            "interrupted": False, "exit_code": 1, "scenarios": [scenario], "findings": [finding, other],
            "groups": groups}


def report():
    folder = tempfile.mkdtemp(prefix="ftstress-text-")
    json.dump(document(), open(folder + "/r.json", "w"))
    rc, out, err = run("report", folder + "/r.json", env={"GITHUB_ACTIONS": ""})
    check(rc == 1, "exit 1 for a NEW finding: %d" % rc, out, err)
    return out


def test_long_group_names_wrap_in_their_column():
    out = report()
    lines = out.split("\n")
    first = next(i for i, line in enumerate(lines) if line.startswith("NEW    target  msgpack: int unpack_execute"))
    block = lines[first:first + 4]
    summary_at = [line.find(" 2 races") for line in block]
    last = next(i for i, at in enumerate(summary_at) if at >= 0)
    check(last >= 1, "the name takes more than one line:\n" + "\n".join(block), out)
    check(all(line.startswith(" " * 15) and len(line) <= 15 + 44 for line in block[1:last]),
          "continuation lines start at the name's column and stay inside it:\n" + "\n".join(block), out)
    check(summary_at[last] == 15 + 44, "the summary column stays where it is (col %d):\n%s" % (
          summary_at[last], "\n".join(block)), out)
    joined = " ".join(line[15:15 + 44].strip() for line in block[:last + 1])
    check(joined.replace(" ", "") == LONG_GROUP.replace(" ", ""), "nothing of the name is lost: %s" % joined, out)


def test_long_titles_wrap_and_keep_the_count_column():
    out = report()
    lines = out.split("\n")
    first = next(i for i, line in enumerate(lines) if line.startswith("NEW    race     target  data race: __pyx_f_"))
    last = next(i for i in range(first, first + 5) if lines[i].rstrip().endswith("unpacker-shared"))
    check(last > first and all(lines[i].startswith(" " * 24) for i in range(first + 1, last + 1)),
          "the title wraps at its column", "\n".join(lines[first:last + 1]))
    check(lines[last][24 + 58:].split()[0] == "3", "the count stays in its column: %r" % lines[last], out)


def test_at_lines_and_closing_counts():
    out = report()
    check("       at msgpack/unpack_template.h:201\n" in out, "`at` relative to the tree build-ext built", out)
    check("2 findings in 2 root causes (1 new, 1 suppressed)" in out, "the closing line's root causes", out)


def test_group_of_expected_findings_is_not_new():
    # a scenario written to race, which raced: its findings are `expect`, and so is their group's line
    # (it said NEW above findings all marked `expect`, in a run that exited 0)
    doc = document()
    doc["scenarios"][0].update(expect="race", passed=True)
    doc["findings"] = [doc["findings"][0], dict(doc["findings"][0], signature="race:e|f", title="data race: e vs f")]
    doc["groups"] = doc["groups"][:1]
    doc["groups"][0]["members"] = ["race:a|b", "race:e|f"]
    doc["exit_code"] = 0
    folder = tempfile.mkdtemp(prefix="ftstress-text-")
    json.dump(doc, open(folder + "/r.json", "w"))
    rc, out, err = run("report", folder + "/r.json", env={"GITHUB_ACTIONS": ""})
    lines = out.splitlines()
    group = [x for x in lines if "msgpack: int unpack_execute" in x]
    check(rc == 0 and group and group[0].startswith("expect ") and not any(x.startswith("NEW") for x in lines),
          "the group of expected findings is marked expect (exit %d)" % rc, out, err)


if __name__ == "__main__":
    main([test_long_group_names_wrap_in_their_column, test_long_titles_wrap_and_keep_the_count_column,
          test_at_lines_and_closing_counts, test_group_of_expected_findings_is_not_new])
