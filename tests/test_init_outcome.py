"""`ftstress init`'s same-results scenario: a result built in a static buffer every thread shares, with
no race TSan can see (relaxed atomics, tests/targets/hidden_state.c), is an `outcome` finding from
`init` then `run`, unedited, that shows the two values; the per-call-buffer twins stay silent. The
determinism probe keeps only calls whose result depends on their inputs alone."""
import os
import sys
import tempfile
import types

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "lib"))
sys.path.insert(0, os.path.join(HERE, "..", "harness", "tools"))
import init_probe  # noqa: E402
import init_results  # noqa: E402
from ftest import check, main, run, run_json  # noqa: E402


def test_static_buffer_is_an_outcome_finding_and_twins_stay_silent():
    folder = tempfile.mkdtemp(prefix="ftstress-init-outcome-")
    out = os.path.join(folder, "hidden_state.yaml")
    run("init", "hidden_state", "-o", out, expect_rc=0)
    text = open(out).read()
    check("name: hidden-state-same-results" in text and "arbiter: |" in text and "outcomes:" in text,
          "no same-results scenario with an arbiter", text)
    for call in ("hidden_state.render_shared(3)", "hidden_state.render_local(3)", "hidden_state.Label(3).render_shared()",
                 "hidden_state.Label(3).render_local()"):
        check('"%s"' % call in text, "no per-thread input " + call, text)
    run("check", out, expect_rc=0)

    rc, res, so, se = run_json(out, "--keep-going")
    counting = [f for f in res["findings"] if not f["suppressed"] and not f["baselined"]]
    outcome = [f for f in counting if f["kind"] == "outcome"]
    shared = [f for f in outcome if "render_shared gave a thread another result" in f["title"]]
    check(shared, "the static buffer gave no outcome finding", so)
    check(all(f["scenario"] == "hidden-state-same-results" for f in outcome), "outcome findings elsewhere", so)
    # the report holds the arbiter's value: the call, the thread's result and the single-threaded one
    check(any("gave 'item-" in f["report"] and "single-threaded" in f["report"] for f in shared),
          "the finding does not show the two values", [f["report"] for f in shared])
    check(not [f for f in outcome if "render_local" in f["title"]], "a per-call-buffer twin gave an outcome finding", so)
    check(not [f for f in counting if f["kind"] != "outcome"], "TSan reported something: the bug is meant to be "
          "invisible to it", [f["title"] for f in counting])
    print("outcome findings: %s" % [f["title"][:100] for f in outcome])


def test_only_deterministic_calls_are_kept():
    """A counter, a reader of module state another call sets, an identity-compared object and a call
    returning None are left out; a function of its input alone is kept, with one input per thread."""
    mod = types.ModuleType("fake")
    state = {"n": 0, "mode": 0}

    def pure(n):
        return "x%d" % n

    def counter():
        state["n"] += 1
        return state["n"]

    def set_mode(n):
        state["mode"] = n
        return n * 2  # deterministic itself

    def get_mode():
        return state["mode"]

    def fresh():
        return object()

    def nothing(n):
        return None

    for f in (pure, counter, set_mode, get_mode, fresh, nothing):
        setattr(mod, f.__name__, f)
    model = {"module": "fake", "types": [],
             "functions": [{"name": "pure", "args": ["7"], "role": "reader"},
                           {"name": "counter", "args": [], "role": "mutator"},
                           {"name": "set_mode", "args": ["1"], "role": "mutator"},
                           {"name": "get_mode", "args": [], "role": "reader"},
                           {"name": "fresh", "args": [], "role": "reader"},
                           {"name": "nothing", "args": ["'a'"], "role": "reader"},
                           {"name": "reset", "args": [], "role": "resetter"}]}
    p = init_probe.Prober("fake", {}, None, [])
    p.ns.update({"fake": mod, "__builtins__": __builtins__})
    kept = init_results.deterministic_calls(model, p)
    labels = [k["label"] for k in kept]
    check(set(labels) == {"fake.pure", "fake.set_mode"}, "kept the wrong calls", labels)
    check(kept[0]["inputs"] == ["fake.pure(7)", "fake.pure(8)", "fake.pure(9)", "fake.pure(10)"],
          "one input per thread", kept[0]["inputs"])
    check(init_results.variant("-1", 1, {}) == "-1" and init_results.variant("'ab'", 2, {}) == "'ab-2'"
          and init_results.variant("b'abcdefgh' * 8", 1, {}) == "b'abcdefgh' * 8 + b'1'",
          "a descriptor's -1 stays, strings and bytes move")


if __name__ == "__main__":
    main([test_only_deterministic_calls_are_kept, test_static_buffer_is_an_outcome_finding_and_twins_stay_silent])
