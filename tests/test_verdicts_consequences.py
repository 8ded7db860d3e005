"""A bug's consequences join its group and the scenario's own mistakes are the scenario's: a shared
Cursor races; an exception raised from a later round joins the race's group and says why; a
NameError in the scenario's own code is owned by `scenario`, in a group of its own (one short run);
a forbidden outcome after a race joins the race's group (another short run)."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from ftest import SOURCE, check, main, run_json  # noqa: E402

FILE = os.path.join(SOURCE, "tests/scenarios/verdicts/consequences.yaml")
state = {}


def results():
    if "r" not in state:
        state["r"] = run_json(FILE, expect_rc=1)
    return state["r"]


def test_exception_after_a_race_joins_its_group():
    rc, r, so, se = results()
    race = [f for f in r["findings"] if f["kind"] == "race"]
    value = [f for f in r["findings"] if "ValueError" in f["title"]]
    check(race and value, "a race and the ValueError: %s" % [f["title"] for f in r["findings"]], so)
    check(value[0]["group"] == race[0]["group"], "the ValueError joins the race's group", so)
    check("an exception raised after it" in value[0].get("joined_because", ""), "and says why: %s" % value[0], so)
    g = r["groups"][race[0]["group"] - 1]
    check([j["signature"] for j in g["joined"]] == [value[0]["signature"]], "the group lists it: %s" % g, so)
    check("joined: " in so and "an exception raised after it" in so, "the terminal says it", so)


def test_scenario_mistake_is_the_scenarios():
    rc, r, so, se = results()
    name = [f for f in r["findings"] if "NameError" in f["title"]]
    check(name and name[0]["owner"] == "scenario", "NameError owned by the scenario: %s" % name, so)
    race = [f for f in r["findings"] if f["kind"] == "race"][0]
    check(name[0]["group"] != race["group"] and "joined_because" not in name[0], "not joined to the race", so)


def test_forbidden_outcome_after_a_race_joins_its_group():
    rc, r, so, se = run_json(os.path.join(SOURCE, "tests/scenarios/verdicts/consequences-outcome.yaml"), expect_rc=1)
    race = [f for f in r["findings"] if f["kind"] == "race"]
    outcome = [f for f in r["findings"] if f["kind"] == "outcome"]
    check(race and outcome, "a race and the forbidden outcome: %s" % [f["title"] for f in r["findings"]], so)
    check(outcome[0]["group"] == race[0]["group"], "the outcome joins the race's group", so)
    check("a forbidden outcome after it" in outcome[0].get("joined_because", ""), "and says why: %s" % outcome[0], so)


if __name__ == "__main__":
    main([test_exception_after_a_race_joins_its_group, test_scenario_mistake_is_the_scenarios,
          test_forbidden_outcome_after_a_race_joins_its_group])
