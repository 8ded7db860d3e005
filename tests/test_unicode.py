"""Nothing vanishes for its encoding: non-ASCII paths, exception messages (long ones cut in the
middle of multi-byte characters, and lone surrogates) and C function names reach results.json,
JUnit and the terminal whole, and every finding is counted."""
import json
import os
import sys
import tempfile
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from ftest import check, main, run  # noqa: E402

SCENARIOS = """\
name: unicode-long-message
description: a message of 600 non-ASCII characters; the title is cut between characters
threads: 2
body: |
  raise ValueError("välue ✓ Ω " * 60)
rounds: 2
expect: clean
---
name: unicode-surrogate
description: a message holding a lone surrogate, as bytes decoded with surrogateescape give
threads: 1
body: |
  raise KeyError(b"bad \\xff byte".decode("utf-8", "surrogateescape"))
rounds: 1
expect: clean
---
name: unicode-function-name
description: two threads race in flood_zähler, a C function with a non-ASCII name
imports: [flood]
setup: |
  obj = flood.Flood()
threads: 2
body: |
  if iteration == 0:
      z = obj.zaehler
  z()
iterations: 50
rounds: 20
expect: race
"""


def test_non_ascii_reaches_every_output():
    folder = tempfile.mkdtemp(prefix="ftstress-ünï-")
    path = os.path.join(folder, "scénario ✓.yaml")
    with open(path, "w", encoding="utf-8") as f:
        f.write(SCENARIOS)
    out = os.path.join(folder, "öut")
    rc, so, se = run("run", path, "-o", out, "--json", out + "/r.json", "--junit", out + "/r.xml")
    check(rc == 1, "exit code %d: two unexpected errors must fail the run" % rc, so, se)
    check("could not encode" not in se and "unreadable" not in se, "an event was lost", se)
    r = json.load(open(out + "/r.json", encoding="utf-8"))
    by = {f["scenario"]: f for f in r["findings"]}
    long_msg = by.get("unicode-long-message")
    check(long_msg is not None, "the long-message finding vanished: %s" % sorted(by))
    check(len(long_msg["title"].encode()) <= 160 and long_msg["title"].endswith("..."),
          "the title is cut to 160 bytes: %r" % long_msg["title"])
    check("välue ✓ Ω" in long_msg["title"] and "välue ✓ Ω" in long_msg["report"], long_msg["title"])
    check(long_msg["location"] == path + ":5", "points at the raise in the non-ASCII path: %s" % long_msg["location"])
    sur = by.get("unicode-surrogate")
    check(sur is not None and "\\udcff" in sur["title"], "the surrogate is escaped, not dropped: %s" % sur)
    race = by.get("unicode-function-name")
    check(race is not None and race["functions"] == ["flood_zähler", "flood_zähler"],
          "the race names flood_zähler: %s" % (race and race["functions"]))
    check(race["signature"] == "race:flood_zähler|flood_zähler", race["signature"])
    check("flood_zähler" in so and "scénario ✓.yaml" in json.dumps(r, ensure_ascii=False), "terminal and paths", so)
    suite = ET.parse(out + "/r.xml").getroot()
    failures = [f.text or "" for f in suite.iter("failure")]
    check(any("välue ✓ Ω" in t for t in failures), "JUnit carries the message", failures)
    check(len(r["findings"]) == 3 and len(os.listdir(out + "/findings")) == 3,
          "three findings, three folders: %s" % [f["signature"] for f in r["findings"]])


main([test_non_ascii_reaches_every_output])
