"""`ftstress run --pytest`, inside a worker: one collected pytest item, its fixtures set up every round on
the main thread and its function called by the team's threads. The worker never runs the test before
its rounds, so the first round makes the module's and the test's first calls (a race on first use
only, such as a lazily built cache, is there to be seen); whether the test fails alone was decided by
pytest_alone.py's pass at collection, in a fork of another process, and is passed in.

The scenario pytest_collect.py writes for a test does, in its blocks:
  setup_once: test = ftstress_pytest.Test(NODEID, CONFIG, THREADS[, ALONE])  # collect, check the GIL
  setup:      test.setup_round()                             # fixtures, as pytest's setup phase does
  body:       if iteration == 0: call = test.thread_call(thread)
              call(iteration)
  teardown:   test.teardown_round()
The fixtures are shared by the threads of a round, as pytest-run-parallel shares them; the
per-thread fixtures it provides (thread_index, iteration_index, tmp_path, tmpdir) are per thread here
too.
"""
import os
import sys
import types


class FailsSingleThreaded(Exception):
    """The test fails when run alone, once, as pytest runs it (pytest_alone.py's pass): not a finding of
    the threads."""


class GilReenabled(Exception):
    """Collecting the test (importing its modules) turned the GIL back on: threads would not race."""


# Markers of pytest-run-parallel, registered when it is not installed so that --strict-markers holds.
_MARKERS = (
    "thread_unsafe: run single-threaded (pytest-run-parallel)",
    "parallel_threads(n): threads of this test (pytest-run-parallel)",
    "parallel_threads_limit(n): at most n threads (pytest-run-parallel)",
    "force_parallel_threads(n): exactly n threads (pytest-run-parallel)",
    "iterations(n): calls per thread (pytest-run-parallel)",
)


# The ini keys of the plugins ftstress turns off (-p no:NAME): a project's ini may set them (multidict's
# pytest.ini has faulthandler_timeout), and with the plugin off pytest warns "Unknown config option",
# which the project's `filterwarnings = error` (multidict's again) turns into an internal error.
_BLOCKED_INI = {
    "faulthandler": (("faulthandler_timeout", None), ("faulthandler_exit_on_timeout", "bool")),
    "cacheprovider": (("cache_dir", None),),
    "xdist": (("rsyncdirs", "paths"), ("rsyncignore", "paths"), ("looponfailroots", "paths")),
}


class _Markers:
    def pytest_addoption(self, parser, pluginmanager):
        known = getattr(parser, "_inidict", {})
        for plugin, keys in _BLOCKED_INI.items():
            if pluginmanager.is_blocked(plugin):
                for key, kind in keys:
                    if key not in known:
                        parser.addini(key, "(%s, turned off by ftstress)" % plugin, type=kind)

    def pytest_configure(self, config):
        if not config.pluginmanager.hasplugin("run-parallel"):
            for m in _MARKERS:
                config.addinivalue_line("markers", m)


def _has_run_parallel():
    import importlib.util
    return importlib.util.find_spec("pytest_run_parallel") is not None


def pytest_args(nodeids, cfg):
    """The command line that collects exactly these tests (a test id or a list), as the collector's run saw them."""
    if isinstance(nodeids, str):
        nodeids = [nodeids]
    args = [os.path.join(cfg["rootdir"], n) for n in nodeids] + ["--rootdir", cfg["rootdir"], "-q", "-s",
            "-p", "no:cacheprovider", "-p", "no:faulthandler", "-p", "no:xdist", "-o", "addopts="]
    args += cfg.get("options", [])
    if cfg.get("inifile"):
        args += ["-c", cfg["inifile"]]
    if _has_run_parallel():
        # Loaded for its fixtures (thread_index, num_parallel_threads...) but told to run every test
        # in one thread: the harness's team is the parallelism.
        args += ["--parallel-threads=1", "--iterations=1"]
    return args


def _unwrap(obj):
    """pytest-run-parallel wraps a function marked parallel_threads(n>1) or iterations(n>1) in its own
    thread pool even at --parallel-threads=1: the original function, without that pool."""
    fn = getattr(obj, "__func__", obj)
    code = getattr(fn, "__code__", None)
    if code is not None and code.co_qualname == "wrap_function_parallel.<locals>.inner" and hasattr(fn, "__wrapped__"):
        inner = fn.__wrapped__
        self = getattr(obj, "__self__", None)
        return types.MethodType(inner, self) if self is not None and not isinstance(obj, types.FunctionType) else inner
    return obj


def _thread_copy(fn):
    """A copy of a function made by the calling thread, its code object copied too: calling it touches
    no reference count other threads update, which would order the threads for TSan."""
    if isinstance(fn, types.MethodType):
        return types.MethodType(_thread_copy(fn.__func__), fn.__self__)
    if not isinstance(fn, types.FunctionType):
        return fn
    copy = types.FunctionType(fn.__code__.replace(), fn.__globals__, fn.__name__, fn.__defaults__, fn.__closure__)
    copy.__kwdefaults__ = fn.__kwdefaults__
    return copy


def _fails_alone_type(alone):
    """A FailsSingleThreaded named after what the test raised alone and where, e.g.
    ftstress.FailsAlone(RecursionError, test_circular.py:40): ftstress groups errors by type and
    frame, so tests failing for one reason are one group, and two reasons are two, not one."""
    if not alone.get("kind"):
        return FailsSingleThreaded
    # short: a finding's title is cut at a width, and the test id after it must stay readable
    name = "FailsAlone(%s, %s)" % (alone["kind"], alone["where"])
    return type(name, (FailsSingleThreaded,), {"__module__": "ftstress"})


class Test:
    def __init__(self, nodeid, cfg, threads, alone=None):
        """`alone`: pytest_alone.py's verdict of the test run alone, None when it passed there."""
        from _pytest.config import _prepareconfig
        from _pytest.main import Session

        self.nodeid, self.threads, self.skipped = nodeid, threads, None
        gil_before = sys._is_gil_enabled()
        os.chdir(cfg["invocation_dir"])
        config = _prepareconfig(pytest_args(nodeid, cfg), plugins=[_Markers()])
        session = Session.from_config(config)
        session.exitstatus = 0
        config._do_configure()
        config.hook.pytest_sessionstart(session=session)
        session.perform_collect()
        items = [i for i in session.items if i.nodeid == nodeid] or session.items[:1]
        if len(items) != 1 or items[0].nodeid != nodeid:
            raise LookupError("%s: pytest collected %s in this worker, not the test"
                              % (nodeid, [i.nodeid for i in session.items][:5]))
        self.item = item = items[0]
        item.obj = _unwrap(item.obj)
        if not gil_before and sys._is_gil_enabled() and os.environ.get("PYTHON_GIL") != "1":
            raise GilReenabled("collecting %s turned the GIL back on (a module without Py_mod_gil); set "
                               "env PYTHON_GIL: \"1\" to run it anyway" % nodeid)
        outcome = (alone or {}).get("outcome")
        if outcome == "failed":
            # The title is the first line: the test and pytest's own "E ..." summary; the whole
            # report follows in the traceback, as a note.
            err = _fails_alone_type(alone)("%s fails single-threaded (%s): %s" % (nodeid, alone["when"], alone["said"]))
            err.add_note(alone["report"])
            raise err
        if outcome == "skipped":
            self.skipped = alone["report"]
        # Each thread's copy of the function, made here on the main thread: making a code object interns
        # its names, which would race with the other threads' reads of them (a CPython 3.13 race).
        self.copies = [_thread_copy(_unwrap(item.obj)) for _ in range(max(1, threads))]
        if self.skipped:
            print("ftstress: %s is skipped (%s): no rounds run it" % (nodeid, self.skipped), file=sys.stderr)

    def setup_round(self):
        """The test's fixtures for this round, on the main thread: pytest's setup phase."""
        if self.skipped:
            return
        from _pytest.outcomes import Skipped, XFailed
        item = self.item
        item._initrequest()
        try:
            item.ihook.pytest_runtest_setup(item=item)
        except (Skipped, XFailed) as e:  # a skip or xfail(run=False) marker the run alone did not report
            self.skipped = str(e) or type(e).__name__
            print("ftstress: %s is skipped (%s): no rounds run it" % (self.nodeid, self.skipped), file=sys.stderr)

    def teardown_round(self):
        if self.skipped:
            return
        from _pytest.runner import CallInfo
        item = self.item
        try:
            # The call phase's report, which fixtures such as tmp_path read in their teardown.
            item.ihook.pytest_runtest_makereport(item=item, call=CallInfo.from_call(lambda: None, when="call"))
            item.ihook.pytest_runtest_teardown(item=item, nextitem=None)
        finally:
            item._request = False
            item.funcargs = None

    def thread_call(self, thread):
        """The test function as thread `thread` calls it this round: a callable of the iteration."""
        if self.skipped:
            return lambda iteration: None
        item = self.item
        fn = self.copies[thread % len(self.copies)]
        obj = _unwrap(item.obj)
        if isinstance(obj, types.MethodType):  # this round's instance of the test class
            fn = types.MethodType(getattr(fn, "__func__", fn), obj.__self__)
        names = item._fixtureinfo.argnames
        base = {n: item.funcargs[n] for n in names if n in item.funcargs}
        if "num_parallel_threads" in base:
            base["num_parallel_threads"] = self.threads
        if "thread_index" in base:
            base["thread_index"] = thread

        def call(iteration):
            kw = dict(base)
            if "iteration_index" in kw:
                kw["iteration_index"] = iteration
            if "tmp_path" in kw:
                kw["tmp_path"] = kw["tmp_path"] / ("thread_%d_iter_%d" % (thread, iteration))
                kw["tmp_path"].mkdir(exist_ok=True)
            if "tmpdir" in kw:
                kw["tmpdir"] = kw["tmpdir"].ensure("thread_%d_iter_%d" % (thread, iteration), dir=True)
            fn(**kw)
        return call
