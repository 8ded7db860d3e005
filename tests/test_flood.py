"""The report path under a flood: eight threads report dozens of distinct races at once from one
unlocked object, then the racing code crashes. Every report TSan produced must be delivered (no
deadlock in the hook, no hang), the crash must carry its native frame, and the findings must form
one root-cause group."""
import glob
import os
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from ftest import SOURCE, check, main, run  # noqa: E402

FILE = os.path.join(SOURCE, "tests/scenarios/flood/flood.yaml")


def test_every_report_delivered_and_one_group():
    import json
    for attempt in range(3):  # three runs: a deadlock that happens one time in three must show
        out = tempfile.mkdtemp(prefix="ftstress-flood-")
        rc, so, se = run("run", FILE, "--keep-going", "-o", out, "--json", out + "/r.json", timeout=300)
        r = json.load(open(out + "/r.json"))
        delivered = sum('"ev":"report"' in line for line in open(out + "/events.jsonl"))
        produced = sum(open(p, errors="replace").read().count("WARNING: ThreadSanitizer:")
                       for p in glob.glob(out + "/logs/flood-one-object/tsan.*"))
        kinds = [f["kind"] for f in r["findings"]]
        print("run %d: %d reports produced, %d delivered, %d findings, %d groups" % (
            attempt + 1, produced, delivered, len(kinds), len(r["groups"])))
        check(rc == 0, "exit code %d (expect crash met)" % rc, so[-3000:], se[-2000:])
        check("hang" not in kinds, "a hang in the flood: %s" % kinds)
        check(produced >= 16, "the flood produced only %d reports" % produced)
        check(delivered == produced, "%d reports produced by TSan, %d delivered" % (produced, delivered))
        check("unreadable event" not in se and "cut off" not in se, "a report was lost", se[-2000:])
        check(not [f for f in r["findings"] if f["owner"] == "harness"], "harness-owned findings")
        crash = [f for f in r["findings"] if f["kind"] == "crash"]
        check(len(crash) == 1 and crash[0]["functions"][0].startswith("flood_bump_"),
              "the crash is named by its native frame: %s" % [f["signature"] for f in crash])
        check(crash[0]["location"].startswith(os.path.join(SOURCE, "tests/targets/flood.c")),
              "the crash points into the extension: %s" % crash[0]["location"])
        check(len(r["groups"]) == 1, "one object, one bug: %s" % [(g["name"], g["summary"]) for g in r["groups"]])
        g = r["groups"][0]
        check(g["name"].startswith("flood: flood_bump_") and "SIGSEGV" in g["summary"], "group %s" % g)
        check(all(f["group"] == g["id"] for f in r["findings"]), "every finding in the group")
        check("group (one root cause)" in so and g["summary"] in so, "the terminal shows the group", so[:2000])


main([test_every_report_delivered_and_one_group])
