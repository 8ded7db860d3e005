"""`ftstress init --from-tests PATH`: the arguments an extension's own tests pass to its callables, recorded.

usage: init_from_tests.py MODULE PATH OUT.json SECONDS [PYTEST ARGS...]
Runs the tests under PATH (a folder or a test file) single-threaded with pytest, in a child process
of its own (a test that fails, hangs past SECONDS or kills its process loses nothing recorded before),
and writes OUT.json: {"calls": {NAME: [{"args": [EXPR, ...], "test": ID}]}, "run": {...}, "cut": {...}}.
NAME is a probe name (`func`, `Type` for its constructor, `Type.method`); EXPR a Python expression
that ast.literal_eval reads back equal to the value passed. Says on stderr what the run did.
Exit codes: 0 written (whatever the tests did); 3 could not run.

How a call is seen: sys.monitoring CALL events at the call sites of the test files and of the
package's own Python code (other sites are DISABLEd at their first event, so pytest's own calls cost
one event each). The event gives the callable (and its first argument); the arguments themselves are
the call's source (the ast.Call at the instruction's position) evaluated again in the caller's
frame, only where that has no effect: literals, names of the frame, containers, arithmetic on
literal values, subscripts, `'text'.encode()`. sys.monitoring rather than setprofile for the reason
harness/inside_tsan/exercise_hook.c gives, and because setprofile's c_call events never show
constructors.
"""
import ast
import json
import os
import shutil
import signal
import subprocess
import tempfile
import sys
import time
import types

MAX_REPR = 4096  # a value whose text is longer is not kept: it would be written into every scenario that calls it
MAX_LISTS = 6  # distinct argument lists per callable: the probe tries them in order, the first that works is kept
MAX_NUMBER_TEXT = 10000  # bytes/str made by `*` in a test (b'x' * 10**6) are not built past this
LITERAL_TYPES = (int, float, complex, str, bytes, bool, type(None))
TOOL = 4  # a sys.monitoring tool id free in a pytest run (0-2 are debugger, coverage, profiler; 5 optimizer)


def literal(v, depth=0):
    """Whether v can be written as a Python literal that reads back equal."""
    if isinstance(v, LITERAL_TYPES):
        return True
    if depth > 6:
        return False
    if isinstance(v, (tuple, list, set, frozenset)) and type(v) in (tuple, list, set):
        return all(literal(x, depth + 1) for x in v)
    if type(v) is dict:
        return all(literal(k, depth + 1) and literal(x, depth + 1) for k, x in v.items())
    return False


class Unrecordable(Exception):
    """An argument whose value cannot be had again without running code (a call, an object)."""


class Evaluator:
    """An argument expression evaluated again in the caller's frame, without effects."""
    BINOPS = {ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b, ast.Mult: lambda a, b: a * b,
              ast.FloorDiv: lambda a, b: a // b, ast.Mod: lambda a, b: a % b, ast.Pow: lambda a, b: a ** b,
              ast.BitOr: lambda a, b: a | b, ast.BitAnd: lambda a, b: a & b, ast.LShift: lambda a, b: a << b}

    def __init__(self, frame):
        self.frame = frame

    def name(self, n):
        f = self.frame
        for space in (f.f_locals, f.f_globals, f.f_builtins):
            if n in space:
                return space[n]
        raise Unrecordable("name %s not found" % n)

    def value(self, node, module_ok=False):
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.Name):
            v = self.name(node.id)
            if literal(v) or (module_ok and isinstance(v, types.ModuleType)):
                return v
            raise Unrecordable("%s is a %s" % (node.id, type(v).__name__))
        if isinstance(node, ast.Attribute):  # a module's constant: zlib.MAX_WBITS
            base = self.value(node.value, module_ok=True)
            if isinstance(base, types.ModuleType):
                v = getattr(base, node.attr, None)
                if literal(v) or (module_ok and isinstance(v, types.ModuleType)):
                    return v
            raise Unrecordable("attribute %s" % node.attr)
        if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            items = [self.value(e) for e in node.elts if not isinstance(e, ast.Starred)]
            if len(items) != len(node.elts):
                raise Unrecordable("a starred item")
            return {ast.Tuple: tuple, ast.List: list, ast.Set: set}[type(node)](items)
        if isinstance(node, ast.Dict):
            if any(k is None for k in node.keys):
                raise Unrecordable("a ** item")
            return {self.value(k): self.value(v) for k, v in zip(node.keys, node.values)}
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd, ast.Invert)):
            v = self.value(node.operand)
            if isinstance(v, (int, float, complex)):
                return {ast.USub: lambda x: -x, ast.UAdd: lambda x: +x, ast.Invert: lambda x: ~x}[type(node.op)](v)
        if isinstance(node, ast.BinOp) and type(node.op) in self.BINOPS:
            a, b = self.value(node.left), self.value(node.right)
            if isinstance(node.op, (ast.Mult, ast.Pow, ast.LShift)) and not self.small(node.op, a, b):
                raise Unrecordable("too large to build")
            return self.BINOPS[type(node.op)](a, b)
        if isinstance(node, ast.Subscript):
            base, index = self.value(node.value), self.value(node.slice) if not isinstance(node.slice, ast.Slice) \
                else slice(*(self.value(x) if x is not None else None for x in (node.slice.lower, node.slice.upper, node.slice.step)))
            return base[index]
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "encode" \
                and not node.keywords:  # 'text'.encode() and 'text'.encode('utf-8')
            base = self.value(node.func.value)
            if isinstance(base, str):
                return base.encode(*[self.value(a) for a in node.args])
        raise Unrecordable(type(node).__name__)

    @staticmethod
    def small(op, a, b):
        if isinstance(op, ast.Pow):
            return isinstance(a, (int, float)) and isinstance(b, int) and abs(b) <= 64
        if isinstance(op, ast.LShift):
            return isinstance(b, int) and b <= 64
        n, k = (a, b) if isinstance(b, int) else (b, a)
        if isinstance(n, (str, bytes, tuple, list)) and isinstance(k, int):
            return len(n) * max(k, 0) <= MAX_NUMBER_TEXT
        return True


def text_of(v):
    """The expression that makes v, or None when it does not read back equal or is too long."""
    r = repr(v)
    if len(r) > MAX_REPR:
        return None
    try:
        back = ast.literal_eval(r)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return None
    return r if type(back) is type(v) and back == v else None


class Recorder:
    """The pytest plugin and sys.monitoring tool of the child: what the tests pass, by probe name."""

    def __init__(self, module, roots, out, base):
        self.mod = module
        self.root = module.__name__.split(".")[0]
        self.roots = roots  # folders whose call sites are watched: the tests', the package's
        self.out, self.base = out, base
        self.calls = {}
        self.cut = {"not a literal": 0, "too long": 0, "same as one kept": 0, "over %d per callable" % MAX_LISTS: 0}
        self.why = {}  # an example of each argument not kept, by callable
        self.sites = {}  # code object -> watched
        self.trees = {}  # file -> {(line, col, end line, end col): ast.Call}
        self.test = "collection"
        self.run = {"passed": 0, "failed": 0, "skipped": 0, "failed_tests": [], "current": None}
        self.exposed = {}
        for n in dir(module):
            try:
                self.exposed.setdefault(getattr(module, n), n)
            except TypeError:
                pass

    # -- which callables are the extension's, and their probe names ---------------------------------

    def ours(self, tp):
        return isinstance(tp, type) and (getattr(tp, "__module__", "") or "").split(".")[0] == self.root

    def type_name(self, tp):
        return self.exposed.get(tp, tp.__name__)

    def name_of(self, fn, arg0):
        """(probe name, whether the call's first argument is `self` and not written in the call)."""
        if isinstance(fn, type):
            return (self.type_name(fn), False) if self.ours(fn) and fn.__module__ != "builtins" else (None, False)
        owner = getattr(fn, "__self__", None)
        if isinstance(fn, types.BuiltinFunctionType):
            if isinstance(owner, types.ModuleType):
                return (fn.__name__, False) if owner.__name__.split(".")[0] == self.root else (None, False)
            tp = owner if isinstance(owner, type) else type(owner)
            return ("%s.%s" % (self.type_name(tp), fn.__name__), False) if self.ours(tp) else (None, False)
        objclass = getattr(fn, "__objclass__", None)
        if objclass is not None:  # a method descriptor: obj.method(x) calls it with obj first
            tp = type(arg0) if isinstance(arg0, objclass) else objclass
            return ("%s.%s" % (self.type_name(tp), fn.__name__), True) if self.ours(objclass) else (None, False)
        if isinstance(fn, types.MethodType):
            fn = fn.__func__
        module = (getattr(fn, "__module__", "") or "").split(".")[0]
        if module != self.root or not hasattr(fn, "__qualname__"):
            if self.ours(type(fn)) and not isinstance(fn, (types.FunctionType, types.MethodType)):
                return "%s.__call__" % self.type_name(type(fn)), False  # obj(x): the type's __call__
            return None, False
        qual = fn.__qualname__
        if "<" in qual:
            return None, False
        if "." in qual:  # a Cython or Python method: obj.method(x)
            cls, meth = qual.rsplit(".", 1)
            tp = type(arg0) if arg0 is not None and type(arg0).__name__ == cls.rsplit(".", 1)[-1] else None
            return "%s.%s" % (self.type_name(tp) if tp else cls, meth), tp is not None
        return qual, False

    # -- the sys.monitoring callback --------------------------------------------------------------

    def watched(self, code):
        w = self.sites.get(code)
        if w is None:
            f = os.path.realpath(code.co_filename) if code.co_filename else ""
            w = self.sites[code] = any(f.startswith(r + os.sep) or f == r for r in self.roots)
        return w

    def on_call(self, code, offset, fn, arg0):
        try:
            if not self.watched(code):
                return sys.monitoring.DISABLE
            name, _ = self.name_of(fn, arg0)
            if name is not None and not name.rsplit(".", 1)[-1].startswith("_") or name and name.endswith("__call__"):
                self.record(name, code, offset, sys._getframe(1))
        except Exception:  # never into the test: a recorder's error only loses that call
            pass
        return None

    def call_node(self, code, offset):
        pos = list(code.co_positions())[offset // 2]
        f = code.co_filename
        if f not in self.trees:
            idx = {}
            try:
                with open(f, encoding="utf-8") as src:
                    for n in ast.walk(ast.parse(src.read())):
                        if isinstance(n, ast.Call):
                            idx[(n.lineno, n.col_offset, n.end_lineno, n.end_col_offset)] = n
            except (OSError, SyntaxError, ValueError):
                pass
            self.trees[f] = idx
        return self.trees[f].get((pos[0], pos[2], pos[1], pos[3]))

    def record(self, name, code, offset, frame):
        node = self.call_node(code, offset)
        if node is None:
            return
        ev = Evaluator(frame)
        args = []
        try:
            for a in node.args:
                if isinstance(a, ast.Starred):
                    v = ev.value(a.value)
                    if not isinstance(v, (tuple, list)):
                        raise Unrecordable("*%s" % type(v).__name__)
                    args += [self.text(x) for x in v]
                else:
                    args.append(self.text(ev.value(a)))
            for k in node.keywords:
                if k.arg is None:
                    v = ev.value(k.value)
                    if type(v) is not dict:
                        raise Unrecordable("**%s" % type(v).__name__)
                    args += ["%s=%s" % (key, self.text(x)) for key, x in v.items()]
                else:
                    args.append("%s=%s" % (k.arg, self.text(ev.value(k.value))))
        except Unrecordable as e:
            self.drop(name, "too long" if str(e) == "too long" else "not a literal", str(e))
            return
        except Exception as e:  # a subscript out of range, a name bound after the call: not had again
            self.drop(name, "not a literal", type(e).__name__)
            return
        kept = self.calls.setdefault(name, [])
        if any(k["args"] == args for k in kept):
            self.cut["same as one kept"] += 1
        elif len(kept) >= MAX_LISTS:
            self.cut["over %d per callable" % MAX_LISTS] += 1
        else:
            kept.append({"args": args, "test": self.test})
            self.dump()  # at once: a test that hangs or kills its process next loses nothing

    def text(self, v):
        if not literal(v):
            raise Unrecordable("a %s" % type(v).__name__)
        t = text_of(v)
        if t is None:
            raise Unrecordable("too long" if len(repr(v)) > MAX_REPR else "does not read back equal")
        return t

    def drop(self, name, kind, why):
        self.cut[kind] += 1
        self.why.setdefault(name, why)

    # -- pytest hooks: which test is running, what happened ----------------------------------------

    def test_id(self, nodeid, location):
        path = os.path.join(self.rootdir, nodeid.split("::", 1)[0])
        rest = nodeid.split("::", 1)[1] if "::" in nodeid else ""
        return os.path.relpath(path, self.base) + ("::" + rest if rest else "")

    def pytest_sessionstart(self, session):
        self.rootdir = str(session.config.rootpath)

    def pytest_runtest_logstart(self, nodeid, location):
        self.test = self.run["current"] = self.test_id(nodeid, location)
        self.dump()

    def pytest_runtest_logreport(self, report):
        if report.when == "call" or (report.when == "setup" and not report.passed):
            key = "passed" if report.passed else "skipped" if report.skipped else "failed"
            self.run[key] += 1
            if report.failed and len(self.run["failed_tests"]) < 5:
                self.run["failed_tests"].append(self.test)

    def pytest_runtest_logfinish(self, nodeid, location):
        self.run["current"] = None
        self.dump()

    def dump(self):
        tmp = self.out + ".tmp"
        with open(tmp, "w") as f:
            json.dump({"calls": self.calls, "run": self.run, "cut": self.cut, "why": self.why}, f, indent=1)
        os.replace(tmp, self.out)


def child(argv):
    """In the child: import the module, watch its calls, run pytest. Exits with pytest's code."""
    modname, out, path, base = argv[:4]
    import importlib
    import pytest
    mod = importlib.import_module(modname)
    pkg = os.path.dirname(os.path.realpath(getattr(sys.modules[modname.split(".")[0]], "__file__", "") or "/"))
    roots = [os.path.realpath(path)] + ([pkg] if pkg != "/" else [])
    rec = Recorder(mod, roots, out, base)
    rec.dump()
    sys.monitoring.use_tool_id(TOOL, "ftstress-init")
    sys.monitoring.register_callback(TOOL, sys.monitoring.events.CALL, rec.on_call)
    sys.monitoring.set_events(TOOL, sys.monitoring.events.CALL)
    # importlib mode: pytest puts no source folder on sys.path, so the tests import the built module (from
    # the site), not the package's source tree beside them; it is imported already anyway
    rc = pytest.main(["-p", "no:cacheprovider", "-q", "--import-mode=importlib", path] + argv[4:], plugins=[rec])
    sys.monitoring.set_events(TOOL, 0)
    rec.dump()
    sys.stdout.flush()
    os._exit(int(rc))


PYTEST_CODES = {0: "all passed", 1: "some failed", 2: "interrupted", 3: "pytest's internal error",
                4: "pytest refused the arguments", 5: "no tests collected"}


def describe(rc, timed_out, seconds, run, log):
    """The line init prints about the test run, and whether to show the end of its output."""
    counts = "%d passed, %d failed, %d skipped" % (run.get("passed", 0), run.get("failed", 0), run.get("skipped", 0))
    ran = run.get("passed", 0) + run.get("failed", 0) + run.get("skipped", 0)
    where = " during %s" % run["current"] if run.get("current") else "" if ran else " before any test began"
    if timed_out:
        return "the tests did not finish within %.0f s (stopped%s; %s before)" % (seconds, where, counts), True
    if rc < 0:
        try:
            sig = signal.Signals(-rc).name
        except ValueError:
            sig = "signal %d" % -rc
        return "the tests crashed (%s%s; %s before)" % (sig, where, counts), True
    if rc == 1:
        failed = ", ".join(run.get("failed_tests", []))
        return "the tests ran: %s (pytest exit 1: %s)" % (counts, failed), False
    return "the tests ran: %s (pytest exit %d: %s)" % (counts, rc, PYTEST_CODES.get(rc, "?")), rc not in (0, 5)


def main(argv):
    if argv[1:2] == ["--child"]:
        child(argv[2:])
    modname, path, out, seconds = argv[1], os.path.abspath(argv[2]), os.path.abspath(argv[3]), float(argv[4])
    if not os.path.exists(path):
        print("ftstress: init: --from-tests %s: no such file or folder" % argv[2], file=sys.stderr)
        return 3
    base = os.path.dirname(path) if os.path.isdir(path) else os.path.dirname(os.path.dirname(path))
    partial, log = out + ".partial", out + ".log"
    started = time.monotonic()
    # a scratch folder as the working directory: files the tests write land there
    scratch = tempfile.mkdtemp(prefix="ftstress-init-tests-")
    with open(log, "w") as logf:
        p = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--child", modname, partial, path, base]
                             + argv[5:], stdout=logf, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                             cwd=scratch, start_new_session=True)
        timed_out = False
        try:
            rc = p.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            timed_out = True
            os.killpg(p.pid, signal.SIGKILL)
            rc = p.wait()
    shutil.rmtree(scratch, ignore_errors=True)
    try:
        with open(partial) as f:
            got = json.load(f)
    except (OSError, ValueError):
        got = {"calls": {}, "run": {}, "cut": {}, "why": {}}
    line, show = describe(rc, timed_out, seconds, got["run"], log)
    n = sum(len(v) for v in got["calls"].values())
    cut = ", ".join("%d %s" % (v, k) for k, v in got["cut"].items() if v)
    print("ftstress: init: --from-tests %s: %s in %.0f s; recorded %d argument lists for %d callables%s"
          % (argv[2], line, time.monotonic() - started, n, len(got["calls"]), " (not kept: %s)" % cut if cut else ""),
          file=sys.stderr)
    if show:
        with open(log, errors="replace") as f:
            lines = f.read().splitlines()
        # a crash: faulthandler's first lines name the error and the innermost frames (the test's);
        # anything else: the end of the output (pytest's error, the last test's progress)
        fatal = next((i for i, t in enumerate(lines) if "Fatal Python error" in t), None)
        shown = lines[fatal:fatal + 8] if fatal is not None else [t for t in lines if t.strip()][-12:]
        if shown:
            print("ftstress: init: the tests' output%s:\n" % (" at the crash" if fatal is not None else ", its end")
                  + "\n".join("    " + t for t in shown), file=sys.stderr)
    if n == 0:
        print("ftstress: init: no argument recorded from the tests; going on with guesses", file=sys.stderr)
    got["run"].update({"exit": rc, "timed_out": timed_out, "summary": line})
    with open(out, "w") as f:
        json.dump(got, f, indent=1)
    for leftover in (partial, log):
        try:
            os.unlink(leftover)
        except OSError:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
