"""The port report's verdicts on captured results (seeded_objects, recorded with entry points): a
finding is a row's only when its stacks pass through that callable's own C entry point in its own
shared object and the callable was called there (or its counts were cut short); a type whose
instances raced is never clean; "clean under N calls" counts only calls of scenarios without
findings; a scenario-owned finding blames nobody; suppressed groups say by what; documents written
before entry points were recorded keep the naming-convention verdicts."""
import copy
import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from ftest import SOURCE, check, main, run  # noqa: E402

CAPTURED = os.path.join(SOURCE, "tests/data/verdicts/seeded-objects.json")
M = "seeded_objects."


def load():
    return json.load(open(CAPTURED, encoding="utf-8"))


def table(doc):
    """{function: verdict text} and the root-cause lines of the Markdown report."""
    folder = tempfile.mkdtemp(prefix="ftstress-verdicts-")
    path = os.path.join(folder, "r.json")
    json.dump(doc, open(path, "w"))
    run("report", path, "--markdown", folder + "/r.md", "-q")
    md = open(folder + "/r.md", encoding="utf-8").read()
    rows, groups = {}, []
    section = None
    for line in md.splitlines():
        if line.startswith("### "):
            section = line
        cells = [c.strip().replace("\\_", "_").strip("*") for c in line.strip("|").split("|")]
        if section and section.startswith("### module") and len(cells) > 2 and cells[0] not in ("function", "---"):
            rows[cells[0]] = cells[1]
        if section == "### root causes" and len(cells) > 3 and cells[0].startswith(M.rstrip(".") + ":"):
            groups.append(cells)
    return rows, groups, md


def scenario(doc, name):
    return [s for s in doc["scenarios"] if s["name"] == name][0]


def test_every_group_has_a_called_racy_row_and_types_follow():
    rows, groups, md = table(load())
    for g in groups:
        check(g[4] and g[4] != "none by name", "group %s names a callable" % g[0], md)
    check(rows[M + "Cursor.next_unsafe"] == "racy" and rows[M + "Ring.push_unsafe"] == "racy"
          and rows[M + "Ring.get_unsafe"] == "racy", "the racing methods: %s" % rows, md)
    for t in ("Cursor", "Ring", "Counter", "Digest"):
        check(rows[M + t].startswith("racy"), "type %s, whose instances raced: %s" % (t, rows[M + t]), md)
    # the locked twins ran only in clean scenarios: clean under exactly their calls; the capture saw
    # next_locked's 4 threads never inside it together (its max_concurrent is 1), and the verdict
    # says so, where Digest.update_locked's threads met (3 at once) and its verdict has no such tail
    check(rows[M + "Cursor.next_locked"] == "clean under 1200 calls from 4 threads, never two at once",
          "next_locked: %s" % rows, md)
    check(rows[M + "Digest.update_locked"] == "clean under 600 calls from 4 threads", "update_locked: %s" % rows, md)


def test_same_bare_name_in_another_object_is_not_racy():
    doc = load()
    ex = scenario(doc, "p7-ring-unsafe")["exercised"]
    # another module's callable whose C function has the racing function's bare name
    for s in doc["scenarios"]:
        s["exercised"]["functions"].append("other.push")
        s["exercised"]["entries"]["other.push"] = [["ring_push", "/site/other.cpython-313td-x86_64-linux-gnu.so"]]
    ex["calls"]["other.push"] = {"calls": 50, "raised": 0, "max_concurrent": 1, "threads": 2, "exceptions": {}}
    rows, groups, md = table(doc)
    check(rows.get("other.push", "").startswith("unclear"), "other.push: %s" % rows.get("other.push"), md)


def test_never_called_is_never_racy_when_counts_are_complete():
    doc = load()
    ex = scenario(doc, "p7-ring-unsafe")["exercised"]
    ex["complete"] = True
    del ex["calls"][M + "Ring.push_unsafe"]
    rows, groups, md = table(doc)
    check(rows[M + "Ring.push_unsafe"] == "not exercised", "push_unsafe, never called: %s" % rows, md)
    check(rows[M + "Ring.get_unsafe"] == "racy", "get_unsafe, called and on the stacks: %s" % rows, md)


def test_clean_counts_only_clean_scenarios():
    doc = load()
    # get_locked also called in the racy scenario, whose finding does not pass through it
    scenario(doc, "p7-ring-unsafe")["exercised"]["calls"][M + "Ring.get_locked"] = {
        "calls": 1000, "raised": 0, "max_concurrent": 1, "threads": 2, "exceptions": {}}
    rows, groups, md = table(doc)
    check(rows[M + "Ring.get_locked"] == "clean under 120 calls from 2 threads, never two at once", "get_locked: %s" % rows, md)


def test_scenario_owned_and_suppressed():
    doc = load()
    f = [f for f in doc["findings"] if f["scenario"] == "p8-shared-cursor-unsafe"][0]
    f["owner"] = "scenario"
    rows, groups, md = table(doc)
    check(rows[M + "Cursor.next_unsafe"] != "racy", "a scenario-owned finding blames nobody: %s" % rows, md)
    doc = load()
    f = [f for f in doc["findings"] if f["scenario"] == "p8-shared-cursor-unsafe"][0]
    f.update(suppressed=True, suppressed_by="race:cursor_next (ftstress.supp:3)", new=False)
    doc["groups"][f["group"] - 1]["new"] = False
    rows, groups, md = table(doc)
    g = [g for g in groups if "cursor_next" in g[0]][0]
    check(g[1] == "suppressed by race:cursor_next (ftstress.supp:3)", "suppressed group status: %s" % g, md)


def test_documents_without_entry_points_keep_conventions():
    doc = load()
    for s in doc["scenarios"]:
        s["exercised"].pop("entries")
        s["exercised"].pop("types")
    rows, groups, md = table(doc)
    check(rows[M + "Ring.get_unsafe"] == "racy", "by convention: %s" % rows, md)


if __name__ == "__main__":
    main([test_every_group_has_a_called_racy_row_and_types_follow, test_same_bare_name_in_another_object_is_not_racy,
          test_never_called_is_never_racy_when_counts_are_complete, test_clean_counts_only_clean_scenarios,
          test_scenario_owned_and_suppressed, test_documents_without_entry_points_keep_conventions])
