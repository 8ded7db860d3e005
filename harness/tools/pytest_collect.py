"""`ftstress run --pytest`'s collector: collects the selected tests with pytest (and pytest-run-parallel
when installed, so its markers and thread-unsafe detection decide each test's threads) in the TSan
interpreter, runs each once alone in a fork of its own (pytest_alone.py) and writes one scenario per
test id (ftstress_pytest.py runs it in the worker), with the verdict of the tests that did not pass alone.

usage: pytest_collect.py OUT.yaml RUNNER_DIR THREADS ITERATIONS ROUNDS [PYTEST ARGS...]
Exit codes: 0 written; 2 pytest refused the arguments or collected nothing; 3 collection failed.
"""
import json
import os
import re
import sys

sys.path.insert(0, sys.argv[2])
import ftstress_pytest  # noqa: E402  (beside this script)


class Collector:
    def __init__(self):
        self.items = []
        self.unsafe = {}

    def pytest_collection_finish(self, session):
        self.items = list(session.items)
        plugin = session.config.pluginmanager.get_plugin("_run-parallel")
        if plugin is not None:
            self.unsafe = dict(plugin.thread_unsafe)


def scenario_name(nodeid, taken):
    """A scenario name ([A-Za-z0-9_.-]+) that reads as the test id: tests/t.py::C::f[a] -> tests.t.py..C..f-a-."""
    name = re.sub(r"[^A-Za-z0-9_.-]", "-", nodeid.replace("::", "..").replace("/", "."))[:200] or "test"
    base, n = name, 2
    while name in taken:
        name, n = "%s-%d" % (base, n), n + 1
    taken.add(name)
    return name


def block(text):
    return "|\n" + "".join("  " + line + "\n" for line in text.splitlines())


def counts(item, threads, iterations):
    """Threads and iterations of one test, as pytest-run-parallel would give them."""
    try:
        from pytest_run_parallel.utils import get_num_iterations, get_num_workers
    except ImportError:
        n = threads
        if item.get_closest_marker("thread_unsafe") is not None:
            n = 1
        m = item.get_closest_marker("parallel_threads")
        if m is not None and m.args:
            n = int(m.args[0])
        m = item.get_closest_marker("iterations")
        return n, int(m.args[0]) if m is not None and m.args else iterations
    import warnings
    with warnings.catch_warnings():  # parallel_threads(n > 1) is deprecated there; it still counts
        warnings.simplefilter("ignore", DeprecationWarning)
        return get_num_workers(item)[0], get_num_iterations(item)[0]


def tool_modules():
    """pytest's modules and its installed plugins' (tools, never the project's code), as loaded here:
    the fork server imports them once (FTSTRESS_SERVER_IMPORTS) so that no worker pays for it."""
    tops = {"pytest", "_pytest", "pluggy", "iniconfig", "packaging", "pytest_run_parallel"}
    try:
        import importlib.metadata
        for ep in importlib.metadata.entry_points(group="pytest11"):
            tops.add(ep.value.split(":")[0].split(".")[0])
    except Exception:  # no metadata: pytest's own modules are most of the cost anyway
        pass
    return sorted(n for n in list(sys.modules) if n.split(".")[0] in tops)


def run_alone(cfg, nodeids, log):
    """pytest_alone.py's verdicts ({nodeid: verdict} of the tests that did not pass alone), from a fork of
    this process, so that no worker runs a test before its rounds and this process's pytest session
    stays as it was; {} when that pass failed (the tests' rounds still run: a test failing alone then
    shows as its rounds' errors). pytest's output goes to `log`, shown only when the pass failed: the
    collection above said it all, and its "no tests ran" would only mislead."""
    import time
    import pytest_alone
    started = time.monotonic()
    r, w = os.pipe()
    pid = pytest_alone.fork()
    if pid == 0:
        os.close(r)
        try:
            fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            os.dup2(fd, 1)
            os.dup2(fd, 2)
            os.close(fd)
            data = json.dumps(pytest_alone.verdicts(cfg, nodeids)).encode()
            while data:
                data = data[os.write(w, data):]
        finally:
            os._exit(0)
    os.close(w)
    chunks = []
    while True:
        chunk = os.read(r, 1 << 16)
        if not chunk:
            break
        chunks.append(chunk)
    os.close(r)
    _, status = os.waitpid(pid, 0)
    found = json.loads(b"".join(chunks)) if chunks else None
    try:
        with open(log, encoding="utf-8", errors="replace") as f:
            said = f.read().splitlines()[-40:]
        os.unlink(log)
    except OSError:
        said = []
    if found is None:
        print("\n".join(said), file=sys.stderr)
        print("ftstress: running the tests alone failed (%s): a test that fails alone will show as its "
              "rounds' errors" % ("pytest ran none" if chunks else "status %d" % status), file=sys.stderr)
        return {}
    print("ftstress: %d test%s run alone in %.1f s: %d failed, %d skipped" % (
        len(nodeids), "" if len(nodeids) == 1 else "s", time.monotonic() - started,
        sum(v["outcome"] == "failed" for v in found.values()),
        sum(v["outcome"] == "skipped" for v in found.values())), file=sys.stderr)
    return found


def main():
    out, runner_dir = sys.argv[1], sys.argv[2]
    threads, iterations, rounds = int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    user_args = sys.argv[6:]
    import pytest

    args = ["--collect-only", "-qq", "-p", "no:cacheprovider", "-p", "no:faulthandler"] + user_args
    if ftstress_pytest._has_run_parallel():
        # the GIL an import turns on in this collector is the workers' concern (they check it)
        args += ["--parallel-threads=%d" % threads, "--iterations=%d" % iterations, "--ignore-gil-enabled"]
    collector = Collector()
    real_stdout, sys.stdout = sys.stdout, sys.stderr  # pytest's listing is progress, not our output
    try:
        rc = pytest.main(args, plugins=[collector, ftstress_pytest._Markers()])
    finally:
        sys.stdout = real_stdout
    if rc not in (0, 5) or not collector.items:
        print("ftstress: pytest %s (exit %d)" % ("collected no test" if rc in (0, 5) else "could not collect the tests",
                                                 int(rc)), file=sys.stderr)
        return 2 if rc in (0, 4, 5) else 3

    config = collector.items[0].config
    cfg = {"rootdir": str(config.rootpath), "inifile": str(config.inipath) if config.inipath else None,
           "invocation_dir": str(config.invocation_params.dir),
           # the user's options (paths left out: the worker names its one test), e.g. --import-mode
           "options": [a for a in user_args if a not in config.args]}
    # PYTHON_GIL as ftstress was run with it (PYTHON_GIL=0 for a module without Py_mod_gil that is
    # thread-safe anyway); the collector itself runs without it.
    gil = os.environ.get("FTSTRESS_PYTEST_GIL", "")
    env = {"PYTHON_GIL": gil} if gil else {}
    env["FTSTRESS_SERVER_IMPORTS"] = " ".join(tool_modules())
    alone = run_alone(cfg, [item.nodeid for item in collector.items], out + ".alone.log")
    taken, docs = set(), []
    for item in collector.items:
        n, iters = counts(item, threads, iterations)
        n, iters = max(1, min(int(n), 1024)), max(1, int(iters))
        why = collector.unsafe.get(item.nodeid)
        if why is None and item.get_closest_marker("thread_unsafe") is not None:
            why, n = "uses the thread_unsafe marker", 1
        desc = "pytest %s: %d thread%s" % (item.nodeid, n, "" if n == 1 else "s")
        if n == 1:
            desc += " (single-threaded: %s)" % (why or "parallel_threads(1)")
        verdict = alone.get(item.nodeid)
        if verdict is not None and verdict["outcome"] in ("failed", "skipped"):
            call = "ftstress_pytest.Test(%r, %r, %d, %r)" % (item.nodeid, cfg, n, verdict)
        else:  # passed alone, or crashed or hung there: its rounds run and record how
            call = "ftstress_pytest.Test(%r, %r, %d)" % (item.nodeid, cfg, n)
        docs.append(
            "name: %s\n" % scenario_name(item.nodeid, taken)
            + "description: %s\n" % json.dumps(desc)
            + "tags: [pytest, %s, %s]\n" % (json.dumps(item.nodeid.split("::")[0]), json.dumps(item.nodeid))
            + "path: [%s]\n" % json.dumps(runner_dir)
            + "env: {%s}\n" % ", ".join("%s: %s" % (k, json.dumps(v)) for k, v in env.items())
            + "setup_once: " + block("import ftstress_pytest\ntest = " + call)
            + "setup: " + block("test.setup_round()")
            + "threads: %d\n" % n
            + "iterations: %d\n" % iters
            + "body: " + block("if iteration == 0:\n    call = test.thread_call(thread)\ncall(iteration)")
            + "teardown: " + block("test.teardown_round()")
            + "ignore_exceptions: [Skipped, XFailed, Warning]\n"
            # A suite's test is not made to be a quick round: rapidjson's test_doubles (100,000 dumps
            # and loads) takes over 60 s a round in 4 threads under TSan. A round may take as long as
            # the test's run alone in setup_once may (setup_timeout), before it is a hang.
            + "timeout: 300\n"
            + "rounds: %d\n" % rounds)
    text = "# Written by ftstress run --pytest: one scenario per test id (docs/scenario-format.md).\n"
    text += "".join("---\n" + d for d in docs)
    tmp = out + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, out)
    print("ftstress: %d test%s collected into %s" % (len(docs), "" if len(docs) == 1 else "s", out), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
