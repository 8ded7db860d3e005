"""Scenario code cannot cut or redirect the worker's channel: a scenario that closes descriptors 3..9
and dup2()s /dev/null onto them still has every round counted, its race found and named, and the
run's exit code right (tests/scenarios/worker_fds/hostile.yaml)."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from ftest import SOURCE, check, main, run_json  # noqa: E402

HOSTILE = os.path.join(SOURCE, "tests", "scenarios", "worker_fds", "hostile.yaml")


def check_run(*extra):
    rc, results, so, se = run_json(HOSTILE, "--keep-going", *extra)
    row = results["scenarios"][0]
    print("%s: exit %d, status %s, %d rounds, findings %s" % (" ".join(extra) or "fork server", rc, row["status"],
          row["rounds_run"], [f["signature"] for f in results["findings"]]))
    check(row["status"] == "ran" and row["rounds_run"] == 6, "the worker's rounds were lost", row, so, se)
    check(any(f["signature"] == "race:next_version_unsafe|next_version_unsafe" for f in results["findings"]),
          "the race was not reported: the TSan reports were cut", results["findings"], se)
    check(row["passed"] and rc == 0, "expect: race not met (exit %d)" % rc, row, so, se)


def test_closed_and_replaced_descriptors_do_not_cut_the_channel():
    check_run()
    check_run("--spawn")


if __name__ == "__main__":
    main([test_closed_and_replaced_descriptors_do_not_cut_the_channel])
