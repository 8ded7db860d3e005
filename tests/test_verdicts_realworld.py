"""The port report's verdicts on real Debian extensions, from results captured with hand-written
scenarios (tests/data/verdicts/realworld-*.json: cymem and msgpack, Cython compiled as C++;
python-rapidjson, C++; xxhash, whose races are inside the system's libxxhash on objects the
extension allocated; datrie, Cython over its bundled libdatrie, whose shared trie races, hangs and
crashes), without rebuilding them: one group per bug, its exceptions joined to it; every root-cause group of the target has a racy or crashed row for a
callable its scenario really called whose C entry point is on the group's stacks; no callable that
was never called is racy; no type whose instances raced reads clean; group names are the Python
and C++ names a maintainer knows, not mangled symbols or signatures."""
import glob
import json
import os
import re
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from ftest import SOURCE, check, main, run  # noqa: E402

CAPTURED = sorted(glob.glob(os.path.join(SOURCE, "tests/data/verdicts/realworld-*.json")))
FRAME = re.compile(r"^\s*#\d+\s+(.*?)\s+(?:\S+:\d+(?::\d+)?\s+)?\((\S+?)(?:\+0x[0-9a-f]+)?\)\s*$")


def rows_of(doc):
    """{function: (verdict text, calls cell)} from the Markdown report of `doc`."""
    folder = tempfile.mkdtemp(prefix="ftstress-realworld-")
    json.dump(doc, open(folder + "/r.json", "w"))
    run("report", folder + "/r.json", "--markdown", folder + "/r.md", "-q", env={"GITHUB_ACTIONS": ""})
    md = open(folder + "/r.md", encoding="utf-8").read()
    rows, section = {}, None
    for line in md.splitlines():
        if line.startswith("### "):
            section = line
        cells = [unescape(c.strip()).strip("*") for c in line.strip("|").split("|")]
        if section and section.startswith("### module") and len(cells) > 5 and cells[0] not in ("function", "---"):
            rows[cells[0]] = (cells[1], cells[2], cells[5])
    return rows, md


def unescape(text):
    for a, b in (("\\_", "_"), ("\\*", "*"), ("\\`", "`"), ("\\[", "["), ("\\]", "]"), ("&lt;", "<"),
                 ("&gt;", ">"), ("&amp;", "&")):
        text = text.replace(a, b)
    return text


def cython_key(sym):
    m = re.match(r"__pyx_p[wf]_(.*)$", sym)
    return re.sub(r"(^|_)\d+", r"\1", m.group(1)) if m else None


def is_entry(function, module, entry):
    sym, obj = entry
    if os.path.basename(obj) != os.path.basename(module):
        return False
    bare = function.split("(")[0]
    esym = sym.split("(")[0]
    return bare in (esym, esym + "_impl") or (cython_key(bare) is not None and cython_key(bare) == cython_key(esym))


def frames(report, crash):
    out = []
    for line in report.splitlines():
        if crash and (line.startswith("Native stacks of every thread") or line.startswith("Python stacks")):
            break
        m = FRAME.match(line)
        if m:
            out.append((m.group(1), m.group(2)))
    return out


def facts(doc):
    """Per scenario: calls per callable, entries per callable, and the type names."""
    calls, entries, types = {}, {}, set()
    for s in doc["scenarios"]:
        ex = s.get("exercised") or {}
        calls[s["name"]] = {k: v["calls"] for k, v in (ex.get("calls") or {}).items()}
        entries.update(ex.get("entries") or {})
        types.update(ex.get("types") or [])
    return calls, entries, types


def on_stacks(f, callable_entries):
    return any(is_entry(fn, mod, e) for fn, mod in frames(f.get("report") or "", f["kind"] == "crash")
               for e in callable_entries)


def called(calls, scenario, name, types):
    got = calls.get(scenario, {})
    return got.get(name, 0) > 0 or (name in types and any(k.startswith(name + ".") and v for k, v in got.items()))


def target_groups(doc):
    for g in doc["groups"]:
        members = [f for f in doc["findings"] if f["group"] == g["id"] and not f["suppressed"]
                   and f["owner"] == "target" and f["kind"] in ("race", "tsan", "crash")]
        if members:
            yield g, members


def test_captured_runs_have_root_causes():
    check(len(CAPTURED) >= 2, "captured results: %s" % CAPTURED)
    for path in CAPTURED:
        doc = json.load(open(path))
        check(list(target_groups(doc)), "%s: no root cause of the target to check" % path)


def test_every_group_has_a_called_racy_row_through_its_entry_point():
    for path in CAPTURED:
        doc = json.load(open(path))
        rows, md = rows_of(doc)
        calls, entries, types = facts(doc)
        for g, members in target_groups(doc):
            ok = [name for name, (verdict, _, listed) in rows.items()
                  if verdict.startswith(("racy", "crashed")) and any(
                      called(calls, f["scenario"], name, types) and on_stacks(f, entries.get(name, []))
                      and "%s (%s)" % (f["title"], f["scenario"]) in listed for f in members)]
            check(ok, "%s: group %r has no racy/crashed row that lists a member, was called in its scenario and has "
                  "its entry point on the member's stacks" % (os.path.basename(path), g["name"]), md)


def test_never_called_is_never_racy():
    for path in CAPTURED:
        doc = json.load(open(path))
        rows, md = rows_of(doc)
        calls, entries, types = facts(doc)
        for name, (verdict, calls_cell, listed) in rows.items():
            if name in types or not verdict.startswith(("racy", "crashed")):
                continue
            total = sum(c.get(name, 0) for c in calls.values())
            check(total > 0 or "not counted" in verdict, "%s: %s is %r but was never called" % (
                os.path.basename(path), name, verdict), md)


def test_no_raced_type_is_clean():
    for path in CAPTURED:
        doc = json.load(open(path))
        rows, md = rows_of(doc)
        calls, entries, types = facts(doc)
        for t in types:
            own = [e for name, es in entries.items() if name == t or name.startswith(t + ".") for e in es]
            raced = [f["title"] for g, members in target_groups(doc) for f in members if on_stacks(f, own)]
            if raced:
                check(not rows[t][0].startswith(("clean", "not exercised")), "%s: type %s raced (%s) but reads %r" % (
                    os.path.basename(path), t, raced[0], rows[t][0]), md)


def in_object(f, obj):
    return any(os.path.basename(mod) == obj for _, mod in frames(f.get("report") or "", f["kind"] == "crash"))


def test_a_type_lists_the_races_on_its_instances():
    # xxhash's xxh3_64: update() tail-calls libxxhash's XXH3_64bits_update on the state its
    # constructor had libxxhash allocate, so no frame of _xxhash is on the racing stacks; the same
    # scenario's crash in update and race in the type's dealloc are. The races are the type's.
    listed_somewhere = 0
    for path in CAPTURED:
        doc = json.load(open(path))
        rows, md = rows_of(doc)
        calls, entries, types = facts(doc)
        for t in types:
            own = entries.get(t) or []
            if not own:
                continue
            obj = os.path.basename(own[0][1])
            for g, members in target_groups(doc):
                for f in members:
                    if f["kind"] == "crash" or in_object(f, obj):
                        continue
                    if any(o is not f and o["scenario"] == f["scenario"] and on_stacks(o, own) for o in members):
                        listed_somewhere += 1
                        check("%s (%s)" % (f["title"], f["scenario"]) in rows[t][2] and
                              rows[t][0].startswith(("racy", "crashed")),
                              "%s: %s raced on an instance of %s (%s) but its row reads %r and lists %r" % (
                                  os.path.basename(path), f["title"], t, f["scenario"], rows[t][0], rows[t][2]), md)
    check(listed_somewhere, "no race of a library on a type's instances in the captured results")


def test_a_special_method_reached_through_its_slot():
    # `for o in unpacker` calls Unpacker.__next__ through tp_iternext: no call is counted, yet the
    # crashes pass through it; its row says so instead of "not exercised"
    for path in [p for p in CAPTURED if "msgpack" in p]:
        rows, md = rows_of(json.load(open(path)))
        verdict = rows["msgpack._cmsgpack.Unpacker.__next__"][0]
        check(verdict.startswith(("crashed", "racy")) and "slot" in verdict, "Unpacker.__next__ reads %r" % verdict, md)


def test_a_crash_through_a_callable_makes_it_crashed():
    # a crash's native frames come from libdwfl, without the parameters TSan's symbolizer gives the
    # entry point ("dumps" against "dumps(_object*, _object*, _object*)")
    crashes = 0
    for path in CAPTURED:
        doc = json.load(open(path))
        rows, md = rows_of(doc)
        calls, entries, types = facts(doc)
        for g, members in target_groups(doc):
            for f in members:
                if f["kind"] != "crash":
                    continue
                for name, es in entries.items():
                    if name not in types and called(calls, f["scenario"], name, types) and on_stacks(f, es):
                        crashes += 1
                        check(rows[name][0].startswith("crashed"), "%s: %s crashed (%s) but reads %r" % (
                            os.path.basename(path), name, f["title"], rows[name][0]), md)
    check(crashes, "no crash through a called callable in the captured results")


def test_group_names_are_a_maintainers():
    # "module: function", the function as Python or C++ source names it: "Unpacker._unpack", not
    # "__pyx_f_7msgpack_9_cmsgpack_8Unpacker__unpack", "int unpack_execute<true>(unpack_context*, ...)"
    # or Cython's call plumbing (__Pyx_CyFunction_Vectorcall_FASTCALL_KEYWORDS)
    for path in CAPTURED:
        doc = json.load(open(path))
        for g, members in target_groups(doc):
            check(re.match(r"^\w+: \w+(\.\w+)?$", g["name"]) and "__pyx" not in g["name"].lower(), "%s: group named %r" % (
                os.path.basename(path), g["name"]))
            for f in members:
                check(not re.search(r"__pyx_|__Pyx|<", f["title"]), "title %r" % f["title"])


def test_one_group_per_bug():
    # Each captured scenario that shares an object reaches one bug of it (and its twin none): all its
    # findings, the exceptions and CPython aftermath its corruption caused included, are one group.
    # msgpack: the Packer's buffer and the Unpacker's buffer are two bugs, two groups.
    for path in CAPTURED:
        doc = json.load(open(path))
        by_scenario = {}
        for f in doc["findings"]:
            if not f["suppressed"] and f["owner"] != "scenario":
                by_scenario.setdefault(f["scenario"], set()).add(f["group"])
        for scenario, groups in sorted(by_scenario.items()):
            check(len(groups) == 1, "%s: scenario %s has %d groups: %s" % (os.path.basename(path), scenario, len(groups), [
                doc["groups"][g - 1]["name"] for g in sorted(groups)]))
        for g in doc["groups"]:
            kinds = {f["kind"] for f in doc["findings"] if f["group"] == g["id"] and not f["suppressed"]}
            check(not kinds or kinds & {"race", "tsan", "crash"} or g["owner"] == "scenario",
                  "%s: group %r holds only %s" % (os.path.basename(path), g["name"], sorted(kinds)))
    msgpack = [p for p in CAPTURED if "msgpack" in p]
    check(msgpack, "no captured msgpack results")
    for path in msgpack:
        doc = json.load(open(path))
        names = sorted(g["name"] for g, _ in target_groups(doc))
        check(names == ["_cmsgpack: Packer._pack", "_cmsgpack: Unpacker._unpack"], "msgpack's groups: %s" % names)
        errors = [f for f in doc["findings"] if f["kind"] == "error" and f["owner"] == "target" and not f["suppressed"]]
        check(errors and all(f.get("joined_because") or any(
            o["group"] == f["group"] and o["kind"] != "error" for o in doc["findings"]) for f in errors),
            "msgpack's exceptions joined to their bug")


if __name__ == "__main__":
    main([test_captured_runs_have_root_causes, test_every_group_has_a_called_racy_row_through_its_entry_point,
          test_never_called_is_never_racy, test_no_raced_type_is_clean, test_a_type_lists_the_races_on_its_instances,
          test_a_special_method_reached_through_its_slot,
          test_a_crash_through_a_callable_makes_it_crashed,
          test_group_names_are_a_maintainers, test_one_group_per_bug])
