"""`ftstress run --pytest`'s pass alone: every collected test run once, single-threaded, as pytest would,
each in its own fork of one process that collected them all, so that the workers' rounds make the
module's and the test's first calls while a test that fails alone is still reported as failing alone.

pytest_collect.py calls verdicts() in a fork of its own process (pytest is imported there already).
A verdict is {"outcome": "failed", "when", "kind", "where", "said", "report"}, {"outcome": "skipped",
"report"} or {"outcome": "crashed" or "hung", "report"}; the last two run their rounds anyway (the
worker records the crash or hang with its stacks).
"""
import json
import os
import select
import signal
import sys
import time
import warnings

import ftstress_pytest

# As long as one of the worker's rounds may take (the scenarios' `timeout: 300`).
ALONE_TIMEOUT = 300


def verdict(reports):
    """The verdict of one test's reports (setup, call, teardown), None when it passed."""
    for rep in reports:
        if rep.failed:
            crash = getattr(rep.longrepr, "reprcrash", None)
            said = [ln[1:].strip() for ln in rep.longreprtext.splitlines() if ln.startswith("E ")]
            v = {"outcome": "failed", "when": rep.when, "said": said[0] if said else "failed",
                 "report": rep.longreprtext, "kind": None, "where": None}
            if crash is not None:
                kind = crash.message.split(":")[0].strip()
                if not kind.replace(".", "").replace("_", "").isalnum():
                    kind = "AssertionError" if crash.message.startswith("assert") else "failure"
                v["kind"], v["where"] = kind, "%s:%d" % (os.path.basename(str(crash.path)), crash.lineno + 1)
            return v
    for rep in reports:
        if rep.skipped:
            return {"outcome": "skipped", "report": rep.longreprtext or "skipped"}
    return None


def child(item, out):
    """In the fork: the test once, its verdict on `out`; never returns."""
    try:
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):  # the test's output is not ftstress's; its report goes on the pipe
            os.dup2(null, fd)
        from _pytest.runner import runtestprotocol
        item.obj = ftstress_pytest._unwrap(item.obj)
        data = json.dumps(verdict(runtestprotocol(item, log=False, nextitem=None))).encode()
        while data:
            data = data[os.write(out, data):]
    finally:
        os._exit(0)


def fork():
    """os.fork without its warning that the process has threads (TSan's own): a project's
    `filterwarnings = error` would make it an error."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return os.fork()


def run_alone(item):
    """One test in a fork of this process: its verdict, None when it passed."""
    r, w = os.pipe()
    pid = fork()
    if pid == 0:
        os.close(r)
        child(item, w)
    os.close(w)
    chunks, deadline, hung = [], time.monotonic() + ALONE_TIMEOUT, False
    while True:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([r], [], [], left)[0]:
            hung = True
            os.kill(pid, signal.SIGKILL)
            break
        chunk = os.read(r, 65536)
        if not chunk:
            break
        chunks.append(chunk)
    os.close(r)
    _, status = os.waitpid(pid, 0)
    if hung:
        return {"outcome": "hung", "report": "did not end in %d s alone" % ALONE_TIMEOUT}
    if os.WIFSIGNALED(status):
        return {"outcome": "crashed", "report": "killed by %s alone" % signal.Signals(os.WTERMSIG(status)).name}
    if not chunks:
        return {"outcome": "crashed", "report": "exited %d alone without a verdict" % os.WEXITSTATUS(status)}
    return json.loads(b"".join(chunks))


class Alone:
    """The plugin: every item run in its own fork instead of in this process."""

    def __init__(self):
        self.verdicts = {}
        self.count = 0

    def pytest_runtest_protocol(self, item, nextitem):
        v = run_alone(item)
        self.count += 1
        if v is not None:
            self.verdicts[item.nodeid] = v
        return True


def verdicts(cfg, nodeids):
    """{nodeid: verdict} of the tests that did not pass alone; None when pytest ran none of them."""
    import pytest
    os.chdir(cfg["invocation_dir"])
    plugin = Alone()
    real_stdout, sys.stdout = sys.stdout, sys.stderr  # pytest's progress is not our output
    try:
        pytest.main(ftstress_pytest.pytest_args(nodeids, cfg), plugins=[plugin, ftstress_pytest._Markers()])
    finally:
        sys.stdout = real_stdout
    return plugin.verdicts if plugin.count else None
