"""Under GitHub Actions a NEW root-cause group is also a workflow annotation at its extension source
line: `::error file=REL,line=N,title=...::message`, REL relative to the repository
($GITHUB_WORKSPACE) though build-ext compiled a copy of the project; none without GITHUB_ACTIONS,
none with FTSTRESS_ANNOTATIONS=0, and `report` prints the same lines from the results document.
Builds tests/ext/racy_project (a counter bumped without a lock) inside a scratch repository."""
import os
import re
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from ftest import SOURCE, check, main, run  # noqa: E402

SCENARIO = os.path.join(SOURCE, "tests/scenarios/verdicts/annotate.yaml")
state = {}


def built():
    """A scratch repository with the project in native/, built into a site outside it."""
    if "repo" not in state:
        work = tempfile.mkdtemp(prefix="ftstress-annotate-")
        repo, site = work + "/repo", work + "/site"
        os.makedirs(repo + "/.git")  # what makes it a repository for the SARIF writer too
        shutil.copytree(os.path.join(SOURCE, "tests/ext/racy_project"), repo + "/native")
        run("build-ext", repo + "/native", "--site", site, expect_rc=0, timeout=300)
        state.update(work=work, repo=repo, site=site)
    return state


def race_line():
    text = open(os.path.join(SOURCE, "tests/ext/racy_project/src/ftbump/_bump.c")).read().split("\n")
    return next(i + 1 for i, line in enumerate(text) if "FTSTRESS-RACE-LINE" in line)


def annotations(text):
    return [line for line in text.split("\n") if line.startswith("::")]


def github_run():
    if "so" not in state:
        s = built()
        env = {"GITHUB_ACTIONS": "true", "GITHUB_WORKSPACE": s["repo"]}
        # up to 3 tries: the race shows in most 10-round runs, not in every one
        for attempt in range(3):
            out = "%s/out%d" % (s["work"], attempt)
            rc, so, se = run("run", SCENARIO, "--site", s["site"], "-o", out, "--json", out + "/r.json", env=env)
            if rc == 1:
                break
        check(rc == 1, "the race was found in 3 runs (exit %d)" % rc, so, se)
        state.update(so=so, json=out + "/r.json")
    return state["so"]


def test_a_new_group_is_annotated_at_its_source_line():
    so = github_run()
    lines = annotations(so)
    check(len(lines) == 1, "one annotation for one NEW group: %s" % lines, so)
    m = re.match(r"::error file=([^,]*),line=(\d+),title=([^:]*)::(.*)$", lines[0])
    check(m, "the annotation's form: %s" % lines[0])
    check(m.group(1) == "native/src/ftbump/_bump.c", "the file relative to the repository, not build-ext's "
          "copy: %s" % m.group(1))
    check(int(m.group(2)) == race_line(), "at the racing line %d: %s" % (race_line(), m.group(2)))
    check("bump" in m.group(3) and "%3A" in m.group(3), "titled by the group, ':' escaped: %s" % m.group(3))
    check("race" in m.group(4) and "annotate-bump-races" in m.group(4) and "%0A" in m.group(4),
          "the message names the findings and the scenario: %s" % m.group(4))


def test_the_terminal_shows_the_path_in_the_built_tree():
    so = github_run()
    check("at src/ftbump/_bump.c:%d" % race_line() in so, "the `at` line relative to the project built", so)
    check(".ftstress-build" not in so, "not build-ext's copy", so)


def test_report_annotates_the_same_and_only_under_github():
    so = github_run()
    s = built()
    env = {"GITHUB_ACTIONS": "true", "GITHUB_WORKSPACE": s["repo"]}
    rc, out, err = run("report", state["json"], env=env)
    check(annotations(out) == annotations(so), "report prints the run's annotations", out, so)
    rc, out, err = run("report", state["json"], env={"GITHUB_ACTIONS": "", "GITHUB_WORKSPACE": s["repo"]})
    check(not annotations(out), "no annotation outside GitHub Actions", out)
    rc, out, err = run("report", state["json"], env=dict(env, FTSTRESS_ANNOTATIONS="0"))
    check(not annotations(out), "none with FTSTRESS_ANNOTATIONS=0", out)


if __name__ == "__main__":
    main([test_a_new_group_is_annotated_at_its_source_line, test_the_terminal_shows_the_path_in_the_built_tree,
          test_report_annotates_the_same_and_only_under_github])
