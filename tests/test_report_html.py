"""`ftstress report --html / --markdown`: the port-validation report. A results document with racy,
crashed, clean and unexercised functions (one with a hostile name) renders one table row per
function with the right verdict, escaped text and the run's facts; the Markdown says the same.
Every root cause is listed, named by a function or not, and a function that ran beside a finding
no function is named in is "unclear", not clean."""
import json
import os
import sys
import tempfile
from html.parser import HTMLParser

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from ftest import SOURCE, check, main, run, run_json  # noqa: E402

NASTY = 'mod.<script>alert("x")</script>&amp;|*_`'


def exercised(functions, calls):
    return {"modules": ["mod"], "functions": functions, "dropped": 0, "calls": calls, "roles": {},
            "workers_reported": 1, "workers": 1, "workers_final": 1, "functions_total": len(functions),
            "functions_reached": len(calls), "not_reached": [f for f in functions if f not in calls],
            "target_reached": bool(calls), "complete": True}


def call(n, at_once, threads):
    return {"calls": n, "raised": 0, "max_concurrent": at_once, "threads": threads, "exceptions": {}}


def document():
    functions = ["mod.Ring.push", "mod.Ring.get", "mod.compute", "mod.reset", NASTY]
    calls = {"mod.Ring.push": call(400, 2, 2), "mod.Ring.get": call(300, 2, 2), "mod.compute": call(1000, 4, 4)}
    report = ("WARNING: ThreadSanitizer: data-race (round 3, body)\n  Write of size 8 by T2:\n"
              "    #0 grow_buffer /src/mod.c:10 (mod.so)\n    #1 Ring_push_impl /src/mod.c:40 (mod.so)\n")
    scenario = {"name": "ring", "file": "ring.yaml", "line": 1, "tags": [], "expect": "clean", "outcome": "crash",
                "passed": False, "status": "ran", "message": None, "rounds_run": 20, "seconds": 1.0, "threads": 4,
                "iterations": 10, "findings": [], "exercised": exercised(functions, calls)}
    idle = dict(scenario, name="idle", outcome="clean", passed=True,
                exercised=exercised(functions, {}))
    return {"ftstress": {"version": "test", "schema": 1}, "seed": 1234, "command": "ftstress run ring.yaml --seed 1234",
            "interrupted": False, "exit_code": 1,
            "interpreter": {"version": "3.13.15", "free_threaded": True, "debug": True, "tsan": True, "prefix": "/py"},
            "scenarios": [scenario, idle],
            "findings": [
                {"kind": "race", "signature": "race:grow_buffer|grow_buffer", "title": "data race: grow_buffer vs grow_buffer",
                 "functions": ["grow_buffer", "grow_buffer"], "owner": "target", "scenario": "ring", "new": True,
                 "suppressed": False, "report": report, "group": 1, "count": 1, "rounds_hit": 1, "rounds_run": 20},
                # another thread was in Ring.get when compute crashed: that names compute only
                {"kind": "crash", "signature": "crash:SIGSEGV:compute_impl", "title": "crash: SIGSEGV in mod_compute_impl",
                 "functions": ["mod_compute_impl"], "owner": "target", "scenario": "ring", "new": True,
                 "suppressed": False, "group": 2, "count": 1, "rounds_hit": 1, "rounds_run": 20,
                 "report": "Native stack of the crashing thread:\n    #0 mod_compute_impl /src/mod.c:70 (mod.so)\n\n"
                           "Native stacks of every thread:\nTID 7 (fts:1):\n  #0  Ring_get_impl /src/mod.c:50 (mod.so)\n"},
                {"kind": "race", "signature": "race:reset|x", "title": "suppressed: mod_reset", "functions": ["mod_reset"],
                 "owner": "target", "scenario": "ring", "new": False, "suppressed": True, "report": "", "group": 3,
                 "count": 1, "rounds_hit": 1, "rounds_run": 20}],
            "groups": [{"id": 1, "name": "mod: Ring_push_impl", "owner": "target", "members": []},
                       {"id": 2, "name": "mod: mod_compute_impl", "owner": "target", "members": []},
                       {"id": 3, "name": "mod: mod_reset", "owner": "target", "members": []}]}


class Rows(HTMLParser):
    """Collects the function tables' rows (data-function, data-verdict, cell texts) and every text."""
    def __init__(self):
        super().__init__()
        self.rows, self.texts, self.scripts, self.cell = [], [], 0, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "script":
            self.scripts += 1
        if tag == "tr" and "data-function" in a:
            self.rows.append({"function": a["data-function"], "verdict": a["data-verdict"], "cells": []})
        if tag == "td" and self.rows and self.cell is None:
            self.cell = ""

    def handle_endtag(self, tag):
        if tag == "td" and self.cell is not None:
            if self.rows:
                self.rows[-1]["cells"].append(self.cell.strip())
            self.cell = None
        if tag == "tr" and self.rows:
            self.cell = None

    def handle_data(self, data):
        self.texts.append(data)
        if self.cell is not None:
            self.cell += data


def render(doc):
    folder = tempfile.mkdtemp(prefix="ftstress-report-")
    path = os.path.join(folder, "r.json")
    json.dump(doc, open(path, "w"))
    run("report", path, "--html", folder + "/r.html", "--markdown", folder + "/r.md", "-q", expect_rc=1)
    html = open(folder + "/r.html", encoding="utf-8").read()
    parser = Rows()
    parser.feed(html)
    return html, parser, open(folder + "/r.md", encoding="utf-8").read()


EXPECTED = {"mod.Ring.push": "racy", "mod.Ring.get": "clean", "mod.compute": "crashed", "mod.reset": "not exercised",
            NASTY: "not exercised"}


def test_one_row_per_function_with_its_verdict():
    html, p, md = render(document())
    got = {r["function"]: r["verdict"] for r in p.rows}
    check(got == EXPECTED, "verdicts: %s" % got, html[:3000])
    row = [r for r in p.rows if r["function"] == "mod.Ring.get"][0]
    check(row["cells"][1] == "clean under 300 calls from 2 threads" and row["cells"][2:5] == ["300", "2", "2"],
          "clean row: %s" % row)
    push = [r for r in p.rows if r["function"] == "mod.Ring.push"][0]
    # named through a frame of its report (Ring_push_impl), not through the finding's top functions
    check("data race: grow_buffer vs grow_buffer (ring)" in push["cells"][5] and "root cause: mod: Ring_push_impl" in push["cells"][5],
          "findings of Ring.push: %s" % push)
    reset = [r for r in p.rows if r["function"] == "mod.reset"][0]
    check("suppressed" not in reset["cells"][5], "a suppressed finding makes nothing racy: %s" % reset)


def test_facts_and_scenarios():
    html, p, md = render(document())
    text = " ".join(p.texts)
    for fact in ("CPython 3.13.15, free-threaded, debug build, ThreadSanitizer", "1234",
                 "ftstress run ring.yaml --seed 1234", "1 of 2 scenarios met their expectation; exit code 1",
                 "target not reached"):
        check(fact in text, "the page says %r" % fact, text[:2000])


def test_nasty_name_is_escaped_and_no_script():
    html, p, md = render(document())
    check(p.scripts == 0, "no script element: the nasty name was escaped")
    check('&lt;script&gt;' in html and NASTY in " ".join(p.texts), "the name reads back whole from the page")
    check("<script>" not in md and "&lt;script&gt;" in md, "Markdown escapes HTML too", md)


def test_markdown_has_the_same_verdicts():
    html, p, md = render(document())
    tables = md.split("\n### module ")[1:]  # the function tables; the root causes come before them
    rows = [line for t in tables for line in t.split("\n### ")[0].splitlines() if line.startswith("| mod")]
    check(len(rows) == len(EXPECTED), "one Markdown row per function", md)
    for line in rows:
        name = line.split(" | ")[0][2:].replace("\\", "")
        verdict = line.split(" | ")[1].strip("*")
        want = EXPECTED[name.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")]
        check(verdict.startswith(want if want != "clean" else "clean under"), "%s: %s, want %s" % (name, verdict, want), md)
    check(":warning: target not reached" in md, "the unreached scenario is flagged", md)


def test_every_root_cause_is_listed_and_unnamed_ones_make_clean_unclear():
    doc = document()
    # a race in a static helper of the extension, on no convention's name for a table function
    doc["findings"].append({"kind": "race", "signature": "race:grow_table|grow_table", "title": "data race: grow_table vs grow_table",
                            "functions": ["grow_table", "grow_table"], "owner": "target", "scenario": "ring", "new": True,
                            "suppressed": False, "report": "    #0 grow_table /src/mod.c:90 (mod.so)\n", "group": 4,
                            "count": 1, "rounds_hit": 1, "rounds_run": 20, "location": "/src/mod.c:90"})
    doc["groups"].append({"id": 4, "name": "mod: grow_table", "owner": "target", "members": [], "new": True,
                          "summary": "1 race"})
    doc["groups"][0].update(new=True, summary="1 race")
    html, p, md = render(doc)
    got = {r["function"]: r["verdict"] for r in p.rows}
    check(got["mod.Ring.get"] == "unclear", "a function that ran beside an unnamed finding is not clean: %s" % got)
    get = [r for r in p.rows if r["function"] == "mod.Ring.get"][0]
    check(get["cells"][1] == "unclear: 300 calls, and 1 finding of its scenarios name no function here", "%s" % get)
    check('data-group="mod: grow_table"' in html and "data race: grow_table vs grow_table (ring) at /src/mod.c:90" in html
          and "none of the table&apos;s functions by name" in html.replace("&#39;", "&apos;").replace("'", "&apos;"),
          "the unnamed root cause is listed", html[:4000])
    check('data-group="mod: Ring_push_impl"' in html and 'data-status="new"' in html, "every group, with its status", html[:4000])
    check("suppressed: suppressed: mod_reset" in html, "a suppressed finding is listed as such", html[:4000])
    check("4 root causes (2 new, 1 known, 1 suppressed)" in p.texts, "the counts line", " ".join(p.texts)[:1000])
    check("- found: 4 root causes (2 new, 1 known, 1 suppressed); 5 functions and methods:" in md,
          "the Markdown's headline says the same", md)
    check("| mod: grow\\_table | **new** | target |" in md and "none by name" in md, "Markdown lists it too", md)


def test_real_run():
    rc, r, so, se = run_json(os.path.join(SOURCE, "tests/scenarios/exercised"), os.path.join(SOURCE, "tests/scenarios/exercised-from-c"))
    folder = tempfile.mkdtemp(prefix="ftstress-report-")
    json.dump(r, open(folder + "/r.json", "w"))
    run("report", folder + "/r.json", "--html", folder + "/r.html", "-q", expect_rc=0)
    p = Rows()
    p.feed(open(folder + "/r.html", encoding="utf-8").read())
    got = {x["function"]: x["verdict"] for x in p.rows}
    mine = {k: v for k, v in got.items() if k.startswith("exercised.")}
    check(got.get("exercised.add") == "clean" and got.get("exercised.reset") == "not exercised" and len(mine) == 8,
          "rows of a real run: %s" % got)
    # called only from C (map), so not counted, but racy by its findings' stacks
    check(got.get("seeded_globals.next_version_unsafe") == "racy", "rows of a real run: %s" % got)


if __name__ == "__main__":
    main([test_one_row_per_function_with_its_verdict, test_facts_and_scenarios, test_nasty_name_is_escaped_and_no_script,
          test_markdown_has_the_same_verdicts, test_every_root_cause_is_listed_and_unnamed_ones_make_clean_unclear,
          test_real_run])
