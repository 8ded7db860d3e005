"""`ftstress init`'s probe: import a module in the TSan interpreter, find what can be called and how.

Run by `ftstress init` (harness/tools/cmd_init.c), single-threaded, as
    init_probe.py MODULE MODEL.json [--hints HINTS.json] [--journal FILE] [--avoid NAME]...
It writes MODEL.json: the module's functions and types, the arguments each working call took, the
exceptions it raised, whether it looks like a mutator or a reader, and what could not be called.
init_scenarios.py turns the model into scenarios. The journal names each call before it is made,
so that when a call crashes the probe, cmd_init.c can run it again avoiding that callable.
"""
import importlib.machinery
import json
import pkgutil
import re
import signal
import sys
import time
import types

CALL_SECONDS = 2.0  # a call slower than this single-threaded is no use in a stress loop

# Argument candidates, as Python expressions (they are written into scenarios as they are). Richer
# values first: the first that works is kept, and `[]` or `0` makes a dull stress test.
POOL = {
    "int": ["0", "7", "1000"],
    "float": ["1.5"],
    "str": ["'alpha,beta,gamma'", "'x'"],
    "bytes": ["b'abcdefgh' * 8"],
    "bytearray": ["bytearray(b'abcdefgh' * 8)"],
    # long enough that a shared iterator over it outlasts a round of four threads
    "list": ["list(range(1000))", "['alpha', 'beta', 'gamma']", "[]"],
    "dict": ["{'alpha': 1, 'beta': 2}", "{}"],
    "tuple": ["(1, 2, 3)"],
    "none": ["None"],
}
ORDER = ["int", "str", "bytes", "list", "dict", "float", "bytearray", "tuple", "none"]
# Which kinds a parameter's name suggests (from __text_signature__ or the docstring).
NAME_KINDS = [
    (r"^(n|i|j|k|index|idx|count|size|num|number|pos|offset|start|stop|mode|level|flags?)$", "int"),
    (r"(text|name|str|string|key|s|sep|fmt|format|path|encoding)$", "str"),
    (r"(data|buf|buffer|bytes|payload|b)$", "bytes"),
    (r"(seq|items|list|values|iterable|sequence|l)$", "list"),
    (r"(d|dict|mapping|map|config|table)$", "dict"),
    (r"(x|f|value|ratio)$", "float"),
]
# Names that say what a call does, for splitting methods into roles. An observed state change wins.
READER = re.compile(r"^(get|read|peek|repr|str|len|count|size|is|has|find|lookup|contains|keys|values|items|"
                    r"copy|to|as|dump|format|show|view|value|first|last|index)")
MUTATOR = re.compile(r"^(set|add|push|pop|append|insert|remove|del|discard|update|write|next|put|extend|"
                     r"feed|send|run|swap|sort|reverse|incr|decr|inc|dec|step|advance|store|fill|grow|clear)")
# Calls that throw state away: racing them against everything else mostly finds use-after-frees
# of their own making, so scenarios call them in `setup` instead (fresh state every round).
RESETTER = re.compile(r"^(reset|clear_cache|clear_all|invalidate|forget|flush_cache|_?reset_)")
DANGEROUS = re.compile(r"^(exit|abort|_exit|fork|exec|kill|system|shutdown|close|rm|remove_file|unlink)$")


class CallTimeout(Exception):
    pass


def _alarm(signum, frame):
    raise CallTimeout("took longer than %.0f s" % CALL_SECONDS)


class Prober:
    def __init__(self, modname, hints, journal, avoid):
        self.modname = modname
        self.hints = hints
        self.journal = journal
        self.avoid = set(avoid)
        self.ns = {}
        self.failed = []  # {"name", "error"}

    def log(self, name, args):
        if self.journal:
            self.journal.write("%s\t%s\n" % (name, ", ".join(args)))
            self.journal.flush()

    def call(self, name, target, args):
        """Calls `target(*args)` (expressions evaluated in the probe namespace) with a deadline.
        Returns ("ok", result) or ("raised", exception)."""
        self.log(name, args)
        try:
            values = [eval(a, self.ns) for a in args]
            signal.setitimer(signal.ITIMER_REAL, CALL_SECONDS)
            try:
                return "ok", target(*values)
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
        except CallTimeout as e:
            return "raised", e
        except BaseException as e:  # SystemExit and KeyboardInterrupt from a target are failures too
            return "raised", e

    def candidates(self, fn, instances):
        """Argument lists to try, in order: from the text signature's arity and names, else 0..2."""
        arities, kinds = signature_shape(fn)
        pools = {k: list(POOL[k]) for k in ORDER}
        pools["instance"] = list(instances)
        order = ORDER + ["instance"]
        tries = []
        for n in arities:
            if n == 0:
                tries.append([])
            elif n == 1:
                first = [kinds[0]] if kinds and kinds[0] else []
                for k in first + [k for k in order if k not in first]:
                    tries += [[v] for v in pools[k]]
            else:
                # several parameters: each one's suggested kind, then every one of a single kind
                if kinds and all(kinds[:n]):
                    tries.append([pools[k][0] for k in kinds[:n]])
                for k in order:
                    for v in pools[k][:1]:
                        tries.append([v] * n)
                tries.append(["0"] + ["'x'"] * (n - 1))
                tries.append(["'x'"] + ["0"] * (n - 1))
        return tries[:80]

    def find_args(self, name, target, fn, instances):
        """The first argument list that works, the result, and the last error if none did."""
        if name in self.avoid:
            return None, None, "crashed the probe (avoided on this run)"
        hint = self.hints.get(name) or {}
        if hint.get("skip"):
            return None, None, "skipped by the hints file"
        tries = [hint["args"]] if "args" in hint else self.candidates(fn, instances)
        last = "no argument list fitted"
        for args in tries:
            status, value = self.call(name, target, args)
            if status == "ok":
                return args, value, None
            last = "%s(%s): %s: %s" % (name, ", ".join(args), type(value).__name__, str(value)[:120])
            if isinstance(value, CallTimeout):
                break
        return None, None, last


def signature_shape(fn):
    """(arities to try, kind suggested for each parameter) from __text_signature__ or the docstring's
    first line ("name(a, b)"); without either, 0, 1 and 2 arguments."""
    sig = getattr(fn, "__text_signature__", None)
    if not sig:
        doc = (getattr(fn, "__doc__", None) or "").split("\n", 1)[0]
        # the first parenthesis only: "scanstring(s, end, encoding, strict=True) -> (str, end)"
        m = re.match(r"^\s*[\w.]+(\([^()]*\))", doc)
        sig = m.group(1) if m else None
    if not sig:
        return [0, 1, 2], []
    params = [p.strip() for p in sig.strip("()").split(",") if p.strip()]
    names, required, optional = [], 0, 0
    for p in params:
        if p.startswith("$") or p in ("/", "*"):
            continue
        if p.startswith("*"):
            optional += 1
            continue
        if "=" in p:
            optional += 1
        else:
            required += 1
        names.append(p.split("=")[0].split(":")[0].strip())
    kinds = []
    for n in names:
        kind = None
        for pattern, k in NAME_KINDS:
            if re.search(pattern, n.lower()):
                kind = k
                break
        kinds.append(kind)
    arities = [required] + [required + i for i in range(1, min(optional, 2) + 1)]
    return arities, kinds


def public_names(obj):
    return [n for n in sorted(vars(obj)) if not n.startswith("_") and not DANGEROUS.match(n)]


def fingerprint(obj, readers):
    """What a caller can see of an object's state: repr (when not the default one), len and the
    results of its reader-looking methods. A call that changes it is a mutator."""
    seen = []
    r = repr(obj)
    seen.append("" if " object at 0x" in r else r)
    try:
        seen.append(len(obj))
    except Exception as e:
        seen.append(type(e).__name__)
    for name, args in readers:
        try:
            seen.append(repr(getattr(obj, name)(*args)))
        except Exception as e:
            seen.append(type(e).__name__)
    return seen


def probe_functions(p, mod, instances):
    out = []
    for name in public_names(mod):
        fn = getattr(mod, name)
        if not isinstance(fn, types.BuiltinFunctionType) or not callable(fn):
            continue
        args, value, error = p.find_args(name, fn, fn, instances)
        if args is None:
            p.failed.append({"name": name, "error": error})
            continue
        exc = set()
        results = [repr(value)]
        for _ in range(2):  # repeated calls: a changing result or an exception tells what it does
            status, v = p.call(name, fn, args)
            if status == "ok":
                results.append(repr(v))
            else:
                exc.add(type(v).__name__)
        role = "resetter" if RESETTER.match(name) else \
            "mutator" if MUTATOR.match(name) or len(set(results)) > 1 else \
            "reader" if READER.match(name) else "mutator"
        out.append({"name": name, "args": args, "role": role, "raises": sorted(exc),
                    "container": container_kind(args)})
    return out


def container_kind(args):
    """The kind of the first mutable container among the arguments (list, dict, bytearray), or None:
    such a call also runs against a container other threads modify."""
    for i, a in enumerate(args):
        for kind in ("list", "dict", "bytearray"):
            if a in POOL[kind] and a not in ("[]", "{}"):
                return {"index": i, "kind": kind, "value": a}
    return None


def probe_type(p, mod, tname, tp):
    """A type's constructor call and its working methods, each with its role. A method that fails on
    a fresh instance is tried again on one the working mutators ran on once (get(0) needs a push)."""
    args, obj, error = p.find_args(tname, tp, tp, [])
    if args is None:
        p.failed.append({"name": tname, "error": error})
        return None
    ctor = "%s.%s(%s)" % (p.modname, tname, ", ".join(args))
    names = [n for n in public_names(tp)
             if isinstance(getattr(tp, n, None), (types.MethodDescriptorType, types.FunctionType))]

    def fresh(warm):
        o = eval(ctor, p.ns)
        for m in methods if warm else []:
            if m["role"] == "mutator":
                p.call(tname + "." + m["name"], getattr(o, m["name"]), m["args"])
        return o

    methods, errors = [], {}
    for warm in (False, True):
        found = []
        for name in [n for n in names if n not in {m["name"] for m in methods}]:
            a, value, errors[name] = p.find_args(tname + "." + name, getattr(fresh(warm), name), getattr(tp, name), [])
            if a is not None:
                found.append({"name": name, "args": a, "warmup": warm})
        for m in found:
            classify(p, tname, lambda: fresh(m["warmup"]), m, methods + found)
        methods += found
    for name in names:
        if name not in {m["name"] for m in methods}:
            p.failed.append({"name": tname + "." + name, "error": errors.get(name)})
    warmup = [m["name"] for m in methods if m["role"] == "mutator" and not m["warmup"]] \
        if any(m["warmup"] for m in methods) else []
    return {"name": tname, "ctor": ctor, "methods": methods, "warmup": warmup}


def classify(p, tname, fresh, m, methods):
    """Mutator or reader: the name's verb, then whether the object's visible state or the call's own
    result changes when it is called again."""
    readers = [(x["name"], x["args"]) for x in methods if READER.match(x["name"]) and x is not m]
    o = fresh()
    before = fingerprint(o, readers)
    results, exc = [], set()
    for _ in range(3):
        status, v = p.call(tname + "." + m["name"], getattr(o, m["name"]), m["args"])
        if status == "ok":
            results.append(repr(v))
        else:
            exc.add(type(v).__name__)
    changed = fingerprint(o, readers) != before or len(set(results)) > 1
    if changed or MUTATOR.match(m["name"]):
        # what running out of state raises (an exhausted cursor), to be ignored in scenarios; a
        # scenario's round makes a few hundred calls, so this makes more, within a fraction of a second
        bound, deadline = getattr(o, m["name"]), time.monotonic() + 0.5
        for _ in range(2000):
            if time.monotonic() > deadline:
                break
            status, v = p.call(tname + "." + m["name"], bound, m["args"])
            if status != "ok":
                exc.add(type(v).__name__)
                break
    if MUTATOR.match(m["name"]) or changed:
        m["role"] = "mutator"
    elif READER.match(m["name"]):
        m["role"] = "reader"
    else:
        m["role"] = "mutator"  # unknown: the writers' side, where a race with readers shows
    m["raises"] = sorted(exc)
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


def main(argv):
    modname, out_path = argv[1], argv[2]
    hints, journal, avoid = {}, None, []
    i = 3
    while i < len(argv):
        if argv[i] == "--hints":
            with open(argv[i + 1]) as f:
                hints = json.load(f)
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
    model = {"module": modname, "doc": (mod.__doc__ or "").split("\n")[0],
             "gil_reenabled": sys._is_gil_enabled() and not gil_before}
    p = Prober(modname, hints, journal, avoid)
    p.ns[modname.split(".")[0]] = __import__(modname.split(".")[0])
    p.ns["__builtins__"] = __builtins__
    tps = []
    for name in public_names(mod):
        tp = getattr(mod, name)
        # a C type of this module; its __module__ may name the package that re-exports it
        # (bitarray._bitarray.bitarray says "bitarray")
        ours = tp.__module__ == modname if isinstance(tp, type) else False
        ours = ours or (isinstance(tp, type) and modname.startswith(str(tp.__module__) + ".")
                        and "__firstlineno__" not in tp.__dict__)
        if ours and not issubclass(tp, BaseException):
            t = probe_type(p, mod, name, tp)
            if t:
                tps.append(t)
    model["types"] = tps
    model["functions"] = probe_functions(p, mod, [t["ctor"] for t in tps])
    model["failed"] = p.failed
    model["extension_submodules"] = extension_submodules(mod)
    with open(out_path, "w") as f:
        json.dump(model, f, indent=1)


if __name__ == "__main__":
    import warnings
    warnings.simplefilter("ignore")  # the GIL warning on import: reported in the model instead
    main(sys.argv)
