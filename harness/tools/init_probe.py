"""`ftstress init`'s probe: import a module in the TSan interpreter, find what can be called and how.

Run by `ftstress init` (harness/tools/cmd_init.c), single-threaded, as
    init_probe.py MODULE MODEL.json [--hints HINTS.json] [--recorded CALLS.json] [--journal FILE] [--avoid NAME]...
It writes MODEL.json: the module's functions and types, the arguments each working call took, the
exceptions it raised, whether it looks like a mutator or a reader, and what could not be called.
It follows the data, as a user does: an object a working call returns whose type's C code is the
extension's (whatever its __module__) is probed in turn, its methods, attributes and C slots
(__next__, len, item access, repr, hash, __call__), made by the expression that returned it; bytes a
call returns become arguments of later calls (compress() feeds decompress()). init_scenarios.py turns
the model into scenarios. With --recorded (init_from_tests.py's record of what the package's own
tests passed), those argument lists are tried before anything else. The journal names each call before it is made, so that when a call crashes
the probe, cmd_init.c can run it again avoiding that callable.
"""
import importlib.machinery
import json
import os
import pkgutil
import re
import signal
import sys
import tempfile
import threading
import time
import types

import init_args
import init_results
import init_safety
import init_sources

CALL_SECONDS = 2.0  # a call slower than this single-threaded is no use in a stress loop
MAX_FOLLOWED = 24  # types reached through returned objects, at most
STUCK_SECONDS = 3.0  # a probe thread inside one call this long is blocked (a lock), not slow
MAX_REPAIRS = 12  # argument lists rewritten from what a TypeError said, per callable
POOL = init_args.POOL
STR_POOL, SINK_POOL = list(POOL["str"]), list(POOL["sink"])
# Names that say what a call does, for splitting methods into roles. An observed state change wins.
READER = re.compile(r"^(get|read|peek|repr|str|len|count|size|is|has|find|lookup|contains|keys|values|items|"
                    r"copy|to|as|dump|format|show|view|value|first|last|index|__repr__|__len__|__getitem__|"
                    r"__hash__|__contains__|__iter__|__str__)")
MUTATOR = re.compile(r"^(set|add|push|pop|append|insert|remove|del|discard|update|write|next|put|extend|"
                     r"feed|send|run|swap|sort|reverse|incr|decr|inc|dec|step|advance|store|fill|grow|clear|"
                     r"__next__|__setitem__|__delitem__|__call__|__iadd__|__init__)")
# Calls that throw state away: racing them against everything else mostly finds use-after-frees
# of their own making, so scenarios call them in `setup` instead (fresh state every round).
RESETTER = re.compile(r"^(reset|clear_cache|clear_all|invalidate|forget|flush_cache|_?reset_)")
# The C slots a shared object's users reach, with the argument lists to try first.
SLOTS = [("__next__", [[]]), ("__len__", [[]]), ("__repr__", [[]]), ("__hash__", [[]]), ("__iter__", [[]]),
         ("__getitem__", [["0"], ["-1"], ["'alpha'"]]), ("__contains__", [["0"], ["'alpha'"]]),
         ("__setitem__", [["0", "0"], ["'alpha'", "1"]]), ("__call__", None)]
CYTHON_FUNCTIONS = ("cython_function_or_method", "fused_cython_function", "_cython_3_0_11.cython_function_or_method")
BUILTIN_VALUE_TYPES = (int, float, complex, str, bytes, bytearray, list, dict, tuple, set, frozenset, bool,
                       type(None), memoryview, range, slice, type, object)


class CallTimeout(Exception):
    pass


class UnsafeCall(Exception):
    pass


def _alarm(signum, frame):
    raise CallTimeout("took longer than %.0f s" % CALL_SECONDS)


def is_cython(fn):
    return type(fn).__name__.endswith(("cython_function_or_method", "fused_cython_function"))


def is_callable_function(fn):
    return isinstance(fn, (types.BuiltinFunctionType, types.MethodDescriptorType)) or is_cython(fn)


def python_defined(tp):
    """A class written in Python (its C code is the interpreter's, not the extension's)."""
    return "__firstlineno__" in tp.__dict__ or any(isinstance(v, types.FunctionType) for v in vars(tp).values())


def extension_type(tp):
    """A type whose C code a probe of the extension should reach: C-implemented (or Cython), not one
    of the interpreter's value types, not an exception."""
    return (isinstance(tp, type) and tp not in BUILTIN_VALUE_TYPES and tp.__module__ != "builtins"
            and not issubclass(tp, BaseException) and not python_defined(tp))


class Prober:
    def __init__(self, modname, hints, journal, avoid):
        self.modname = modname
        self.hints = hints
        self.journal = journal
        self.avoid = set(avoid)
        self.ns = {}
        self.failed = []  # {"name", "error"}
        self.unsafe = []  # names whose call changed the process's descriptors
        self.seen_types = set()
        self.queue = []  # (type, name hint, expression that makes one) for types reached by data
        self.made_bytes = []  # expressions of bytes other calls returned
        self.made_strs = []  # and of str (dumps() gives what loads() and a Validator take)
        self.mod = None  # the module: its docstring and its types' hold doctest examples
        self.stubs = None  # init_sources.Stubs of the .pyi shipped beside the module
        self.sourced = {"stub": [], "doctest": [], "tests": {}}  # callables whose working arguments came from there
        self.recorded = {}  # probe name -> [{"args", "test"}], what the package's tests passed (--from-tests)

    def log(self, name, args):
        if self.journal:
            self.journal.write("%s\t%s\n" % (name, ", ".join(args)))
            self.journal.flush()

    def call(self, name, target, args, guard=True):
        """Calls `target(*args)` (expressions evaluated in the probe namespace) with a deadline.
        Returns ("ok", result) or ("raised", exception). With guard, a call that changed the
        process's descriptors raises UnsafeCall and its callable is never called again."""
        if name in self.unsafe:
            return "raised", UnsafeCall("changed the process's file descriptors")
        self.log(name, args)
        before = init_safety.fd_state() if guard else None
        try:
            pos, kw = [], {}
            for a in args:
                key, expr = init_args.split_arg(a)
                if key:
                    kw[key] = eval(expr, self.ns)
                else:
                    pos.append(eval(expr, self.ns))
            signal.setitimer(signal.ITIMER_REAL, CALL_SECONDS)
            try:
                result = ("ok", target(*pos, **kw))
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
        except CallTimeout as e:
            result = ("raised", e)
        except BaseException as e:  # SystemExit and KeyboardInterrupt from a target are failures too
            result = ("raised", e)
        if guard and init_safety.fds_changed(before):
            self.unsafe.append(name)
            return "raised", UnsafeCall("changed the process's file descriptors")
        return result

    def offer(self, expr, value):
        """Follow the data: a returned object of an extension type not probed yet is queued, with the
        expression that made it; short bytes become arguments of later calls."""
        tp = type(value)
        if isinstance(value, bytes) and 0 < len(value) <= 4096 and expr not in self.made_bytes:
            self.made_bytes.append(expr)
        if type(value) is str and 0 < len(value) <= 4096 and expr not in self.made_strs and len(self.made_strs) < 3:
            self.made_strs.append(expr)
        if extension_type(tp) and tp not in self.seen_types and not callable_kind(value):
            self.seen_types.add(tp)
            self.queue.append((tp, expr))

    def candidates(self, fn, instances):
        init_args.POOL["bytes"] = self.made_bytes[:3] + [v for v in POOL["bytes"] if v not in self.made_bytes]
        # returned strings after the plain ones, and both as streams to read from (load(fp))
        init_args.POOL["str"] = STR_POOL + self.made_strs
        init_args.POOL["sink"] = SINK_POOL + ["io.StringIO(%s)" % e for e in self.made_strs[:1]] + \
            ["io.BytesIO(%s)" % e for e in self.made_bytes[:1]]
        return init_args.candidates(fn, list(instances), richer=isinstance(fn, type))

    def find_args(self, name, target, fn, instances, first=None):
        """The first argument list that works, the result, and the last error if none did."""
        if name in self.avoid:
            return None, None, "crashed the probe (avoided on this run)"
        if init_safety.dangerous_name(name):
            return None, None, "named like a call that forks, exits, signals or closes: never called"
        hint = self.hints.get(name) or {}
        if hint.get("skip"):
            return None, None, "skipped by the hints file"
        from_doc, from_stub = self.documented(name, fn)
        from_tests = self.from_tests(name, fn)
        tries = [hint["args"]] if "args" in hint else \
            [r["args"] for r in from_tests] + (first or []) + from_doc + from_stub + self.candidates(fn, instances)
        last = "no argument list fitted"
        seen = set()
        repairs = 0
        while tries:
            args = tries.pop(0)
            if tuple(args) in seen:
                continue
            seen.add(tuple(args))
            status, value = self.call(name, target, args)
            if status == "ok":
                test = next((r["test"] for r in from_tests if r["args"] == args), None)
                if "args" not in hint and test and args and name not in self.sourced["tests"]:
                    self.sourced["tests"][name] = test
                for source, lists in (("doctest", from_doc), ("stub", from_stub)):
                    if "args" not in hint and args in lists and name not in self.sourced[source]:
                        self.sourced[source].append(name)
                if "args" not in hint and not isinstance(fn, type):
                    args, value = self.enrich(name, target, args, value, seen)
                return args, value, None
            last = "%s(%s): %s: %s" % (name, ", ".join(args), type(value).__name__, str(value)[:120])
            if isinstance(value, (CallTimeout, UnsafeCall)):
                break
            fixed = init_args.repair(args, value) if "args" not in hint and repairs < MAX_REPAIRS else None
            if fixed is not None and tuple(fixed) not in seen:
                repairs += 1  # the callable said which argument is wrong and what it wants: that first
                tries.insert(0, fixed)
        return None, None, last

    def from_tests(self, name, fn):
        """The argument lists the package's tests passed to `name`, without those init_safety's rules
        refuse: an int where a file descriptor is taken (by the parameter's name, positional or keyword)."""
        ps = init_args.params(fn) or []
        out = []
        for r in self.recorded.get(name, []):
            ok, pos = True, 0
            for a in r["args"]:
                key, expr = init_args.split_arg(a)
                pname = key or (ps[pos].name if pos < len(ps) and not ps[pos].star else "")
                pos += 0 if key else 1
                if init_args.FD_NAME.match(pname) and re.match(r"^-?\d+$", expr):
                    ok = False
            if ok:
                out.append(r)
        return out

    def documented(self, name, fn):
        """Argument lists the package itself gives: doctest examples in the callable's, its type's and
        the module's docstrings, then the .pyi stub's annotations."""
        docs = [getattr(fn, "__doc__", None), getattr(self.mod, "__doc__", None)]
        if "." in name:
            docs.append(getattr(getattr(self.mod, name.split(".")[0], None), "__doc__", None))
        from_doc = init_sources.doctest_tries(name, docs)
        pools = {k: list(POOL[k]) for k in init_args.ORDER}
        from_stub = init_sources.stub_tries(self.stubs.params(name), pools) if self.stubs else []
        return from_doc, from_stub

    def enrich(self, name, target, args, value, seen):
        """A working call with a dull 0 tried with a container in its place, kept when it still works:
        encoder(0, 0) also takes encoder(list(range(1000)), 0), which then runs against a list other
        threads change (the shared-containers scenario). Journaled as NAME@rich: a container that
        crashes the probe (an unchecked PyLong_AsLong) is left out on the next run, not the callable."""
        name += "@rich"
        if name in self.avoid:
            return args, value
        for i, a in enumerate(args):
            if a != "0":
                continue
            for rich in (POOL["list"][0], POOL["dict"][0]):
                richer = args[:i] + [rich] + args[i + 1:]
                if tuple(richer) in seen:
                    continue
                seen.add(tuple(richer))
                status, v = self.call(name, target, richer)
                if status == "ok":
                    return richer, v  # one container is enough
        return args, value


def callable_kind(value):
    return isinstance(value, (types.BuiltinFunctionType, types.FunctionType, types.MethodType, type))


def public_names(obj):
    return [n for n in sorted(vars(obj)) if not n.startswith("_") and not init_safety.dangerous_name(n)]


def fingerprint(p, obj, readers):
    """What a caller can see of an object's state: repr (when not the default one), len and the
    results of its reader-looking methods. A call that changes it is a mutator."""
    seen = []
    try:
        r = repr(obj)
    except Exception as e:
        r = type(e).__name__
    seen.append("" if " object at 0x" in r else r)
    try:
        seen.append(len(obj))
    except Exception as e:
        seen.append(type(e).__name__)
    for name, args in readers:
        status, v = p.call(name, getattr(obj, name), args, guard=False)
        seen.append(repr(v) if status == "ok" else type(v).__name__)
    return seen


def probe_functions(p, mod, instances, names=None):
    out = []
    for name in names if names is not None else public_names(mod):
        fn = getattr(mod, name)
        if not is_callable_function(fn) or isinstance(fn, type):
            continue
        args, value, error = p.find_args(name, fn, fn, instances)
        if args is None:
            p.failed.append({"name": name, "error": error})
            continue
        p.offer("%s.%s(%s)" % (p.modname, name, ", ".join(args)), value)
        exc = set()
        results = [safe_repr(value)]
        for _ in range(2):  # repeated calls: a changing result or an exception tells what it does
            status, v = p.call(name, fn, args)
            if status == "ok":
                results.append(safe_repr(v))
            else:
                exc.add(type(v).__name__)
        role = "resetter" if RESETTER.match(name) else \
            "mutator" if MUTATOR.match(name) or len(set(results)) > 1 else \
            "reader" if READER.match(name) else "mutator"
        out.append({"name": name, "args": args, "role": role, "raises": sorted(exc),
                    "container": container_kind(args)})
    return out


def safe_repr(v):
    try:
        r = repr(v)
    except Exception as e:
        return type(e).__name__
    return "" if " object at 0x" in r else r


def container_kind(args):
    """The kind of the first mutable container among the arguments (list, dict, bytearray), or None:
    such a call also runs against a container other threads modify."""
    for i, a in enumerate(args):
        for kind in ("list", "dict", "bytearray"):
            if a in POOL[kind] and a not in ("[]", "{}"):
                return {"index": i, "kind": kind, "value": a}
    return None


def members(tp):
    """(methods, attributes, slots) a user of a `tp` reaches in the extension's C code: public
    methods (C, Cython), members and getset attributes, and the C slots its classes define."""
    own = [k for k in tp.__mro__ if k is not object and extension_type(k)]
    methods, attrs, slots = [], [], []
    for k in own:
        for n, v in vars(k).items():
            if n.startswith("_") or init_safety.dangerous_name(n) or n in methods or n in attrs:
                continue
            if isinstance(v, (types.MethodDescriptorType, types.FunctionType)) or is_cython(v):
                methods.append(n)
            elif isinstance(v, (types.GetSetDescriptorType, types.MemberDescriptorType)):
                attrs.append(n)
    for s, first in SLOTS:
        if any(s in vars(k) and vars(k)[s] is not None for k in own):
            slots.append((s, first))
    return sorted(methods), sorted(attrs), slots


def own_init(tp):
    """Whether the extension's own classes define __init__ (tp_init or a Cython def __init__)."""
    return any("__init__" in vars(k) for k in tp.__mro__ if k is not object and extension_type(k))


def probe_type(p, tname, tp, ctor=None):
    """A type's constructor call (or the expression that made one) and its working methods, slots and
    attributes, each with its role. A method that fails on a fresh instance is tried again on one the
    working mutators ran on once (get(0) needs a push)."""
    p.seen_types.add(tp)
    if ctor is None:
        args, obj, error = p.find_args(tname, tp, tp, [])
        if args is None:
            p.failed.append({"name": tname, "error": error})
            p.seen_types.discard(tp)  # a factory may still return one (_csv.writer() makes a Writer)
            return None
        ctor = "%s.%s(%s)" % (p.modname, tname, ", ".join(args))
        factory = {"callable": "%s.%s" % (p.modname, tname), "args": args}
    else:
        factory = None
    names, attrs, slots = members(tp)
    first = dict(slots)
    if factory is not None and own_init(tp):
        # a C or Cython __init__ runs again on a live object (obj.__init__(...) re-initialises it in
        # place: cymem's Address replaces its block while readers read it), with the constructor's arguments
        slots.append(("__init__", [args]))
        first["__init__"] = [args]
    names += [s for s, _ in slots]

    def fresh(warm):
        o = eval(ctor, p.ns)
        for m in methods if warm else []:
            if m["role"] == "mutator" and not m.get("attr"):
                p.call(tname + "." + m["name"], getattr(o, m["name"]), m["args"])
        return o

    methods, errors = [], {}
    for warm in (False, True):
        found = []
        for name in [n for n in names if n not in {m["name"] for m in methods}]:
            try:
                target = getattr(fresh(warm), name)
            except Exception as e:
                errors[name] = "%s: %s" % (type(e).__name__, str(e)[:100])
                continue
            a, value, errors[name] = p.find_args(tname + "." + name, target, target, [], first.get(name))
            if a is not None:
                found.append({"name": name, "args": a, "warmup": warm})
                if not warm:
                    p.offer("iter(%s)" % ctor if name == "__iter__" else "%s.%s(%s)" % (ctor, name, ", ".join(a)),
                            value)
        for m in found:
            classify(p, tname, lambda: fresh(m["warmup"]), m, methods + found)
        methods += found
    for name in names:
        if name not in {m["name"] for m in methods}:
            p.failed.append({"name": tname + "." + name, "error": errors.get(name)})
    for name in attrs:  # members and getset attributes: read by the readers
        try:
            getattr(fresh(False), name)
        except Exception:
            continue
        methods.append({"name": name, "args": [], "warmup": False, "attr": True, "role": "reader", "raises": [],
                        "container": None})
    warmup = [m["name"] for m in methods if m["role"] == "mutator" and not m["warmup"] and not m.get("attr")] \
        if any(m["warmup"] for m in methods) else []
    methods, warmup = never_blocking(p, tname, ctor, methods, warmup)
    return {"name": tname, "ctor": ctor, "factory": factory, "methods": methods, "warmup": warmup,
            "iterates": any(m["name"] == "__next__" for m in methods)}


def stuck_in(obj, threads):
    """Runs each list of calls on obj in a thread of its own, one thread after the other, as a
    scenario's setup and body threads do. Returns (thread index, call) of the first thread still
    inside one call after STUCK_SECONDS (it blocks: a lock an earlier thread left held), else None. Called
    without the probe's alarm (a signal reaches the main thread only); a stuck thread is a daemon
    left blocked."""
    where = {}

    def run(seq, done):
        for m in seq:
            where["call"] = m["name"]
            where["made"] = where.get("made", 0) + 1
            pos, kw = [], {}
            try:
                for a in m["args"]:
                    key, expr = init_args.split_arg(a)
                    if key:
                        kw[key] = eval(expr, _NS)
                    else:
                        pos.append(eval(expr, _NS))
                getattr(obj, m["name"])(*pos, **kw)
            except BaseException:
                pass
        where.pop("call", None)
        done.set()
        hold.wait()  # alive until the last has run: a new thread would reuse its identity (an RLock's owner)

    hold = threading.Event()
    try:
        for i, seq in enumerate(threads):
            done, made = threading.Event(), where.get("made")
            threading.Thread(target=run, args=(seq, done), daemon=True).start()
            while not done.wait(STUCK_SECONDS):  # blocked: no call begun for that long; slow (a loaded machine): some
                if where.get("made") == made:
                    return i, where.get("call")
                made = where.get("made")
        return None
    finally:
        hold.set()


_NS = {}  # the probe's namespace, for the threads of stuck_in


def never_blocking(p, tname, ctor, methods, warmup):
    """Methods and warm-up with nothing left that makes a generated scenario hang. A scenario's setup
    runs in another thread than its bodies, and each body thread calls its role's methods over and
    over: a warm-up or a body that leaves the object held (RLock.acquire()) blocks every other thread
    for good. Simulated here with threads and a deadline; what blocks is dropped, and the header says
    so."""
    _NS.update(p.ns)
    for _ in range(len(methods) + 1):
        calls = [m for m in methods if not m.get("attr")]
        # the two roles' sequences, and own-objects' (mutators first, in one thread)
        roles = [[m for m in calls if m["role"] == "mutator"], [m for m in calls if m["role"] != "mutator"],
                 sorted(calls, key=lambda m: m["role"] != "mutator")]
        warm = [m for n in warmup for m in methods if m["name"] == n]
        stuck = None
        try:
            for k, seq in enumerate(roles):
                if seq and not stuck:
                    # a thread's iterations, then another thread's; the shared object warmed in a
                    # third (the setup's), own-objects' object cold
                    stuck = stuck_in(eval(ctor, p.ns), ([warm] if warm and k < 2 else []) + [seq + seq, seq])
                    if stuck and warm and stuck[0] == 1 and not stuck_in(eval(ctor, p.ns), [seq + seq, seq]):
                        stuck = (0, None)  # blocked only because of the warm-up
        except Exception:
            return methods, warmup
        if stuck is None:
            return methods, warmup
        if stuck[1] is None:  # the warm-up holds the object: what needed it does not work without it
            for m in [m for m in methods if m["warmup"]]:
                p.failed.append({"name": tname + "." + m["name"],
                                 "error": "works only after %s(), which leaves other threads blocked"
                                          % "(), ".join(warmup)})
            methods = [m for m in methods if not m["warmup"]]
            warmup = []
        else:
            p.failed.append({"name": tname + "." + stuck[1],
                             "error": "blocks once another thread called it: a scenario calling it would hang"})
            methods = [m for m in methods if m["name"] != stuck[1]]
            warmup = [n for n in warmup if n != stuck[1]]
    return methods, warmup


def classify(p, tname, fresh, m, methods):
    """Mutator or reader: the name's verb, then whether the object's visible state or the call's own
    result changes when it is called again."""
    readers = [(x["name"], x["args"]) for x in methods
               if READER.match(x["name"]) and x is not m and x["name"] not in ("__iter__", "__hash__")]
    try:
        o = fresh()
        before = fingerprint(p, o, readers)
    except Exception:
        o, before = None, None
    results, exc = [], set()
    for _ in range(3 if o is not None else 0):
        status, v = p.call(tname + "." + m["name"], getattr(o, m["name"]), m["args"], guard=False)
        if status == "ok":
            results.append(safe_repr(v))
        else:
            exc.add(type(v).__name__)
    changed = o is not None and (fingerprint(p, o, readers) != before or len(set(results)) > 1)
    if o is not None and (changed or MUTATOR.match(m["name"])):
        # what running out of state raises (an exhausted cursor), to be ignored in scenarios; a
        # scenario's round makes a few hundred calls, so this makes more, within a fraction of a second
        bound, deadline = getattr(o, m["name"]), time.monotonic() + 0.5
        for _ in range(2000):
            if time.monotonic() > deadline:
                break
            status, v = p.call(tname + "." + m["name"], bound, m["args"], guard=False)
            if status != "ok":
                exc.add(type(v).__name__)
                break
    if MUTATOR.match(m["name"]) or changed:
        m["role"] = "mutator"
    elif READER.match(m["name"]):
        m["role"] = "reader"
    else:
        m["role"] = "mutator"  # unknown: the writers' side, where a race with readers shows
    m["raises"] = sorted(exc - {"CallTimeout", "UnsafeCall"})
    m["container"] = container_kind(m["args"])


def extension_submodules(mod):
    """The C extension modules directly inside a package (simplejson._speedups in simplejson), found
    without importing them: where to point init when the package's own names are Python code."""
    found = []
    for info in pkgutil.iter_modules(getattr(mod, "__path__", None) or [], mod.__name__ + "."):
        try:
            spec = info.module_finder.find_spec(info.name)
        except (ImportError, ValueError):
            continue
        origin = getattr(spec, "origin", None) or ""
        if origin.endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES)):
            found.append(info.name)
    return sorted(found)


def retry_types(p, mod, tps, taken):
    """The module's types that failed, or have a method that failed, probed again with what calls
    returned since (Validator(schema) takes what dumps() gave); a new probe that reached more wins."""
    out = list(tps)
    for name in public_names(mod):
        tp = getattr(mod, name)
        if not extension_type(tp):
            continue
        old = next((t for t in tps if t.get("factory") and t["factory"]["callable"] == "%s.%s" % (p.modname, name)), None)
        tname = old["name"] if old else name
        if not any(f["name"] == tname or f["name"].startswith(tname + ".") for f in p.failed):
            continue
        failed = p.failed
        p.failed = [f for f in failed if not (f["name"] == tname or f["name"].startswith(tname + "."))]
        t = probe_type(p, tname, tp)
        if t and (old is None or len(t["methods"]) > len(old["methods"])):
            out = [t if x is old else x for x in out] if old else out + [t]
        else:
            p.failed = failed
    return out


def unique_name(name, taken):
    base, i = name, 2
    while name.lower() in taken:
        name, i = "%s%d" % (base, i), i + 1
    taken.add(name.lower())
    return name


def main(argv):
    modname, out_path = argv[1], os.path.abspath(argv[2])
    hints, journal, avoid, recorded = {}, None, [], {}
    i = 3
    while i < len(argv):
        if argv[i] == "--hints":
            with open(argv[i + 1]) as f:
                hints = json.load(f)
        elif argv[i] == "--recorded":
            with open(argv[i + 1]) as f:
                recorded = json.load(f).get("calls", {})
        elif argv[i] == "--journal":
            journal = open(argv[i + 1], "a")
        elif argv[i] == "--avoid":
            avoid.append(argv[i + 1])
        i += 2
    signal.signal(signal.SIGALRM, _alarm)
    gil_before = sys._is_gil_enabled()
    mod = __import__(modname)
    for part in modname.split(".")[1:]:
        mod = getattr(mod, part)
    subs = extension_submodules(mod) if hasattr(mod, "__path__") else []
    if len(subs) == 1 and not any(extension_type(getattr(mod, n)) or is_callable_function(getattr(mod, n))
                                  for n in public_names(mod)):
        # a package whose own names are Python code and that holds one C module (cymem: cymem.cymem)
        modname = subs[0]
        mod = importlib.import_module(modname)
    # files a probed call creates (open('x', 'x')) land in a folder of their own
    scratch = tempfile.mkdtemp(prefix="ftstress-init-probe-")
    os.chdir(scratch)
    model = {"module": modname, "doc": (mod.__doc__ or "").split("\n")[0],
             "gil_reenabled": sys._is_gil_enabled() and not gil_before}
    p = Prober(modname, hints, journal, avoid)
    p.recorded = recorded
    p.mod = mod
    stub = init_sources.stub_path(mod)
    if stub:
        try:
            with open(stub) as f:
                p.stubs = init_sources.Stubs(f.read())
            model["stub"] = stub
        except (OSError, SyntaxError, ValueError):
            p.stubs = None
    p.ns[modname.split(".")[0]] = __import__(modname.split(".")[0])
    p.ns["io"] = __import__("io")
    p.ns["__builtins__"] = __builtins__
    tps, taken = [], set()
    for name in public_names(mod):
        tp = getattr(mod, name)
        # a C (or Cython) type reachable from this module, whatever its __module__ says
        if extension_type(tp) and tp not in p.seen_types:
            t = probe_type(p, unique_name(name, taken), tp)
            if t:
                tps.append(t)
            else:
                taken.discard(name.lower())  # the name is the type's again if a factory's result reaches it
    made = len(p.made_bytes) + len(p.made_strs)
    functions = probe_functions(p, mod, [t["ctor"] for t in tps])
    if len(p.made_bytes) + len(p.made_strs) > made:
        # bytes and str other calls returned: what failed may take them (decompress, loads)
        retry = [f["name"] for f in p.failed if "." not in f["name"] and is_callable_function(getattr(mod, f["name"], None))]
        p.failed = [f for f in p.failed if f["name"] not in retry]
        functions += probe_functions(p, mod, [t["ctor"] for t in tps], retry)
        tps = retry_types(p, mod, tps, taken)
    followed = 0
    exposed = {}  # a type the module exposes keeps that name when a factory's result reaches it
    for name in public_names(mod):
        try:
            exposed.setdefault(getattr(mod, name), name)
        except TypeError:  # unhashable
            pass
    while p.queue and followed < MAX_FOLLOWED:  # the objects calls returned, and what those return
        tp, expr = p.queue.pop(0)
        followed += 1
        t = probe_type(p, unique_name(exposed.get(tp, tp.__name__), taken), tp, expr)
        if t and t["methods"]:
            p.failed = [f for f in p.failed if f["name"] != t["name"]]  # reached after all, through a factory
            t["followed_from"] = expr
            tps.append(t)
    model["types"] = tps
    model["functions"] = functions
    # calls whose results a thread can check against single-threaded ones (the same-results scenario)
    model["same_results"] = init_results.deterministic_calls(model, p)
    model["failed"] = p.failed
    model["unsafe"] = p.unsafe
    model["sourced"] = p.sourced
    model["extension_submodules"] = extension_submodules(mod)
    with open(out_path, "w") as f:
        json.dump(model, f, indent=1)


if __name__ == "__main__":
    import warnings
    warnings.simplefilter("ignore")  # the GIL warning on import: reported in the model instead
    main(sys.argv)
