"""SARIF 2.1.0 output (`run --sarif`, `report --sarif`): one result per root-cause group pointing
into the extension's source, member stacks as code flows, stable fingerprints, known and
suppressed groups marked as such, and every file valid for Microsoft's SARIF Multitool, the
reference validator. Without the validator (scripts/bootstrap installs it) the validation alone is
skipped, with the reason, and ctest reports the test as skipped."""
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from ftest import SOURCE, check, main, run  # noqa: E402

RACY = os.path.join(SOURCE, "tests/scenarios/cli/racy.yaml")
SCENARIO = "racy-but-expected-clean"
SIG = "race:next_version_unsafe|next_version_unsafe"
EXT_SOURCE = "tests/targets/seeded_globals.c"

# Every SARIF file the tests write, validated at the end.
written = []
_racy = {}



def run_racy(*extra, expect_rc=1, name="r"):
    """Runs the racy scenario from the repository root (SRCROOT); returns (results, sarif, folder)."""
    out = tempfile.mkdtemp(prefix="ftstress-sarif-")
    run("run", RACY, "-o", out, "--json", out + "/%s.json" % name, "--sarif", out + "/%s.sarif" % name, *extra,
        expect_rc=expect_rc, cwd=SOURCE)
    written.append(out + "/%s.sarif" % name)
    return json.load(open(out + "/%s.json" % name)), json.load(open(out + "/%s.sarif" % name)), out


def racy():
    if not _racy:
        _racy["doc"], _racy["sarif"], _racy["out"] = run_racy()
    return _racy["doc"], _racy["sarif"], _racy["out"]


def results_of(sarif):
    check(sarif.get("version") == "2.1.0" and "$schema" in sarif and len(sarif["runs"]) == 1, "a SARIF 2.1.0 log",
          json.dumps(sarif)[:2000])
    return sarif["runs"][0]["results"]


def test_one_result_per_group_pointing_at_the_race():
    doc, sarif, out = racy()
    results = results_of(sarif)
    run0 = sarif["runs"][0]
    check(len(results) == len(doc["groups"]) >= 1, "one result per group: %d results, %d groups" % (
        len(results), len(doc["groups"])), json.dumps(doc["groups"], indent=1))
    group = next(g for g in doc["groups"] if SIG in g["members"])
    finding = next(f for f in doc["findings"] if f["signature"] == SIG)
    res = next(r for r in results if r["properties"]["group"] == group["id"])
    check(res["ruleId"] == "ftstress/race" and res["level"] == "error" and res["baselineState"] == "new"
          and "suppressions" not in res, "a new race is an error", json.dumps(res)[:3000])
    rules = run0["tool"]["driver"]["rules"]
    check(run0["tool"]["driver"]["name"] == "ftstress" and rules[res["ruleIndex"]]["id"] == "ftstress/race"
          and rules[res["ruleIndex"]]["shortDescription"]["text"], "the rule is described", json.dumps(rules))
    check(res["message"]["text"].startswith("%s: %s" % (group["name"], group["summary"])), res["message"])
    check(res["partialFingerprints"].get("ftstressSignature/v1") in group["members"], res["partialFingerprints"])

    # The race's location: the extension's source file and line, relative to the repository root.
    loc = res["locations"][0]["physicalLocation"]
    line = int(finding["location"].rsplit(":", 1)[1])
    check(loc["artifactLocation"] == {"uri": EXT_SOURCE, "uriBaseId": "SRCROOT"} and loc["region"]["startLine"] == line,
          "location %s, finding at %s" % (loc, finding["location"]))
    root = run0["originalUriBaseIds"]["SRCROOT"]["uri"]
    check(root.startswith("file:///") and root.endswith("/") and
          os.path.samefile(root[len("file://"):], SOURCE), "SRCROOT is the repository: %s" % root)
    check(line <= len(open(os.path.join(SOURCE, EXT_SOURCE)).read().splitlines()), "line %d exists" % line)
    related = [r["physicalLocation"]["artifactLocation"]["uri"] for r in res["relatedLocations"]]
    check("tests/scenarios/cli/racy.yaml" in related, "the scenario file is a related location: %s" % related)

    # Code flows: the race's two accesses, each a thread flow ending in the racing function.
    flows = res["codeFlows"][0]["threadFlows"]
    accesses = [t for t in flows if " of size " in t["message"]["text"]]
    check(len(accesses) == 2, "two access stacks: %s" % [t["message"] for t in flows])
    for t in accesses:
        last = t["locations"][-1]["location"]
        check(last["logicalLocations"][0]["name"] == "next_version_unsafe" and
              last["physicalLocation"]["artifactLocation"]["uri"] == EXT_SOURCE and
              last["physicalLocation"]["region"]["startLine"] > 0, "the access is in the extension", json.dumps(last))
        check(any(x["importance"] == "unimportant" for x in t["locations"]), "the eval loop is marked unimportant")


def test_report_gives_the_same_results():
    doc, sarif, out = racy()
    rc, so, se = run("report", out + "/r.json", "--sarif", out + "/again.sarif", "--json", out + "/again.json",
                     expect_rc=1, cwd=SOURCE)
    written.append(out + "/again.sarif")
    again = json.load(open(out + "/again.sarif"))
    check(results_of(again) == results_of(sarif), "report --sarif differs from run --sarif",
          json.dumps(results_of(again))[:3000], json.dumps(results_of(sarif))[:3000])
    check(again["runs"][0]["tool"] == sarif["runs"][0]["tool"], "the same rules")
    check(json.load(open(out + "/again.json"))["groups"] == doc["groups"], "report keeps the run's groups")

    # A rerun merged with itself: the same groups, so the same alerts (counts add up).
    run("report", out + "/r.json", out + "/r.json", "--sarif", out + "/merged.sarif", expect_rc=1, cwd=SOURCE)
    written.append(out + "/merged.sarif")

    def identity(results):
        return [(r["ruleId"], r["partialFingerprints"], r["locations"][0]["physicalLocation"]) for r in results]
    check(identity(results_of(json.load(open(out + "/merged.sarif")))) == identity(results_of(sarif)),
          "merging reruns keeps one alert per group")


def test_known_and_suppressed_groups():
    base = tempfile.mkdtemp(prefix="ftstress-sarif-") + "/baseline.json"
    run("run", RACY, "--baseline", base, "--update-baseline", "-o", tempfile.mkdtemp(), expect_rc=1, cwd=SOURCE)
    doc, sarif, out = run_racy("--baseline", base, expect_rc=0, name="known")
    res = [r for r in results_of(sarif) if SIG in r["properties"]["signatures"]]
    check(len(res) == 1 and res[0]["level"] == "note" and res[0]["baselineState"] == "unchanged" and
          "suppressions" not in res[0], "a baselined group is a note, unchanged", json.dumps(res)[:3000])

    supp = tempfile.mkdtemp(prefix="ftstress-sarif-") + "/mine.supp"
    open(supp, "w").write("race:next_version_unsafe\n")
    doc, sarif, out = run_racy("--suppressions", supp, expect_rc=0, name="suppressed")
    res = [r for r in results_of(sarif) if SIG in r["properties"]["signatures"]]
    check(len(res) == 1 and res[0]["level"] == "note" and res[0]["suppressions"][0]["kind"] == "external" and
          "mine.supp" in res[0]["suppressions"][0].get("justification", ""),
          "a suppressed group carries an external suppression", json.dumps(res)[:3000])


def test_unwritable_file_is_named():
    doc, sarif, out = racy()
    target = out + "/no-such-dir/x.sarif"
    rc, so, se = run("report", out + "/r.json", "--sarif", target, "-q", cwd=SOURCE)
    check(rc == 1, "the verdict stands: exit %d" % rc, se)
    check(target in se and "error" in se, "the error names the file", se)
    check(not os.path.exists(out + "/no-such-dir"), "nothing left behind")
    leftovers = [n for n in os.listdir(out) if ".tmp." in n]
    check(not leftovers, "temporary files left: %s" % leftovers)


def multitool():
    if os.environ.get("FTSTRESS_SARIF_MULTITOOL"):
        return os.environ["FTSTRESS_SARIF_MULTITOOL"]
    home = os.environ.get("FTSTRESS_HOME") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "ftstress")
    return os.path.join(home, "tools/sarif-multitool/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool")


# The one warning every ftstress log gets: no 'informationUri', as ftstress has no public home page.
ACCEPTED = {"SARIF2005"}


def validate(path):
    tool = multitool()
    out = path + ".validation.sarif"
    env = dict(os.environ, DOTNET_SYSTEM_GLOBALIZATION_INVARIANT="1", DOTNET_CLI_TELEMETRY_OPTOUT="1")
    p = subprocess.run([tool, "validate", path, "--output", out, "--log", "ForceOverwrite", "--level",
                        "Error;Warning;Note"], capture_output=True, text=True, env=env, timeout=600)
    check(p.returncode == 0 and os.path.exists(out), "the validator did not run on %s" % path, p.stdout, p.stderr)
    log = json.load(open(out))
    found = [r for r in log["runs"][0].get("results", [])]
    broken = [n for inv in log["runs"][0].get("invocations", [])
              for n in inv.get("toolExecutionNotifications", []) if n.get("level", "warning") == "error"]
    check(not broken, "the validator failed on %s" % path, json.dumps(broken)[:3000], p.stdout)
    # It says nothing at all about a log it cannot read (an unknown enum value, say); the notes it
    # makes on every log it did read (no versionControlProvenance...) show that it read this one.
    check(any(r["ruleId"].startswith("SARIF2") for r in found), "the validator did not analyse %s" % path, p.stdout)
    bad = [r for r in found if r.get("level", "warning") in ("error", "warning") and r["ruleId"] not in ACCEPTED]
    check(not bad, "%s is not valid SARIF" % path, p.stdout[-6000:])
    print("  valid: %s (%d notes)" % (os.path.basename(path), len(found)))


def test_valid_for_the_reference_validator():
    tool = multitool()
    if not os.access(tool, os.X_OK):
        raise AssertionError("Microsoft's SARIF Multitool is not at %s: scripts/test installs it (npm package "
                   "@microsoft/sarif-multitool-linux), or point FTSTRESS_SARIF_MULTITOOL at it" % tool)
    if not written:  # run alone
        racy()
    for path in written:
        validate(path)


if __name__ == "__main__":
    main([test_one_result_per_group_pointing_at_the_race, test_report_gives_the_same_results,
          test_known_and_suppressed_groups, test_unwritable_file_is_named, test_valid_for_the_reference_validator])
