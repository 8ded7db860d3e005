"""The harness a user would otherwise write: Python threads meeting at a threading.Barrier each
round (the pytest-run-parallel / ft_utils style). Runs one scenario from `ftstress list --json`
output with the same setup, bodies, roles, iterations and rounds, in the same TSan interpreter.
usage: reference_harness.py SCENARIOS.json NAME [--rounds N] [--threads N] [--iterations N] [--progress 1]
Prints one JSON line: rounds, seconds in rounds, median barrier skew, first-round time. With
--progress 1 it also writes "reference round N" to stderr as each round starts, so that a run ended
by a crash still tells how many rounds it took.

Fair by construction: `ignore_exceptions` names are matched against the exception's class and its
bases by name, as ftstress does (a name that is not a builtin is not a catch-all); an exception that
is not ignored ends the process with exit code 67 at once, as a thread that died would otherwise
leave the others waiting at the barrier forever (the runner counts 67 as a detected failure)."""
import json
import os
import resource
import sys
import threading
import time


def compile_block(block, filename, name):
    if not block:
        return None
    code = compile("\n" * (block["line"] - 1) + block["code"], filename, "exec")
    return code.replace(co_name=name, co_qualname=name)


def main():
    scenarios = json.load(open(sys.argv[1]))
    s = next(x for x in scenarios if x["name"] == sys.argv[2])
    opts = dict(zip(sys.argv[3::2], sys.argv[4::2]))
    rounds = int(opts.get("--rounds", s["rounds"]))
    progress = opts.get("--progress") == "1"
    for role in s["roles"]:
        role["threads"] = int(opts.get("--threads", role["threads"]))
        role["iterations"] = int(opts.get("--iterations", role["iterations"]))
    sys.path[0:0] = s["path"]
    ns = {"__name__": "__reference__"}
    for name in s["imports"]:
        exec("import " + name, ns)
    blocks = {k: compile_block(s[k], s["file"], k) for k in ("setup_once", "setup", "check", "teardown")}
    ignore = set(s["ignore_exceptions"])

    def ignored(exc):
        for k in type(exc).__mro__:
            qual = k.__qualname__ if k.__module__ == "builtins" else k.__module__ + "." + k.__qualname__
            if k.__name__ in ignore or qual in ignore:
                return True
        return False
    members = [(role, k) for role in s["roles"] for k in range(role["threads"])]
    ns["threads"] = len(members)
    if blocks["setup_once"]:
        exec(blocks["setup_once"], ns)
    start, end = threading.Barrier(len(members) + 1), threading.Barrier(len(members) + 1)
    left = [0] * len(members)
    stop = [False]

    def worker(index, role, k):
        code = compile_block(role["body"], s["file"], "body[%s]" % role["name"])
        local = {"thread": index, "role": role["name"], "role_thread": k}
        while True:
            start.wait()
            left[index] = time.monotonic_ns()
            if stop[0]:
                return
            local["round"] = ns["round"]
            for i in range(role["iterations"]):
                local["iteration"] = i
                try:
                    exec(code, ns, local)
                except BaseException as e:
                    if not ignored(e):
                        print("reference: thread %d raised %r" % (index, e), file=sys.stderr, flush=True)
                        os._exit(67)
            end.wait()

    threads = [threading.Thread(target=worker, args=(i, r, k)) for i, (r, k) in enumerate(members)]
    for t in threads:
        t.start()
    first_round = time.monotonic()
    in_rounds, skews = 0.0, []
    for r in range(rounds):
        t0 = time.perf_counter()
        ns["round"] = r
        if progress:
            print("reference round %d" % (r + 1), file=sys.stderr, flush=True)
        if blocks["setup"]:
            exec(blocks["setup"], ns)
        start.wait()
        end.wait()
        skews.append(max(left) - min(left))
        for k in ("check", "teardown"):
            if blocks[k]:
                exec(blocks[k], ns)
        in_rounds += time.perf_counter() - t0
    stop[0] = True
    start.wait()
    for t in threads:
        t.join()
    skews.sort()
    print(json.dumps({"rounds": rounds, "seconds": in_rounds, "skew_ns_median": skews[len(skews) // 2],
                      "first_round_monotonic": first_round,
                      "peak_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))


main()
