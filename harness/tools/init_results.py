"""`ftstress init`'s determinism probe: which calls give the same result every time, on inputs per thread.

A call whose result depends only on its inputs (and on objects the caller made itself) must give
every thread the result it gives single-threaded. init_scenarios.py turns the calls found here into
a same-results scenario whose arbiter reports a thread's differing result as an `outcome` finding:
cross-talk through hidden state (a static buffer, a shared cache, an uninstrumented library) that
TSan may not see. A call is kept when, for each of the four per-thread inputs, it works, its result
is not None, it is fast, and the result is equal (==, same type) when called again on fresh equal
inputs, and again after every other kept call ran with every input (nothing it reads is changed by
the others: get_mode() after set_mode(n) is not kept).
"""
import ast
import time

import init_args

INPUTS = 4  # per-thread inputs: thread % INPUTS picks one
MAX_CHECKS = 64  # calls in one same-results scenario, at most
FAST_SECONDS = 0.05  # slower calls make a round too long for a check repeated in every iteration
MAX_REPR = 4000  # results larger than this (in repr) are not kept: the finding shows two of them


def variant(expr, k, ns):
    """An expression for input k of a thread (k=0: expr itself): an int, str or bytes argument
    moved by k (7 gives 8, 'x' gives 'x-1', b'...' gets b'1' appended); others stay as they are."""
    if k == 0 or expr.strip() == "-1":  # -1: init_args' value for a file descriptor, never moved to 0..2
        return expr
    try:
        lit = ast.literal_eval(expr)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        lit = None
    if lit is not None:
        if type(lit) is int:
            return repr(lit + k)
        if type(lit) is str:
            return repr("%s-%d" % (lit, k))
        if type(lit) is bytes:
            return repr(lit + str(k).encode())
        return expr
    try:
        v = eval(expr, ns)
    except Exception:
        return expr
    if type(v) is int:
        return "%s + %d" % (expr, k)
    if type(v) is str:
        return "%s + %r" % (expr, "-%d" % k)
    if type(v) is bytes:
        return "%s + %r" % (expr, str(k).encode())
    return expr


def vary(args, k, ns):
    out = []
    for a in args:
        key, expr = init_args.split_arg(a)
        v = variant(expr, k, ns)
        out.append("%s=%s" % (key, v) if key else v)
    return out


class Checker:
    """Evaluates candidate expressions through the prober (its deadline and descriptor guard)."""

    def __init__(self, p):
        self.p = p
        self.seconds = {}  # expression: what one call took single-threaded (the writer sizes rounds by it)

    def result(self, label, expr, guard=False):
        """("ok", value, seconds) or ("raised", exception, seconds): the seconds of the call alone.
        With guard, the call's effect on the process's descriptors is checked (an input not tried
        before: the probe's rules of harm apply to it)."""
        code = compile(expr, "<init>", "eval")
        took = []

        def timed():
            start = time.monotonic()
            try:
                return eval(code, self.p.ns)
            finally:
                took.append(time.monotonic() - start)
        # journaled as LABEL@same: an input that crashes the probe leaves this check out on the next
        # run (cmd_init.c avoids the name), not the callable the rest of the probe reached
        status, v = self.p.call(label + "@same", timed, [], guard=guard)
        return status, v, min(took or [0.0])

    def usable(self, label, expr):
        """The result when the call works, is fast, gives a comparable, not-None result equal to
        itself and to a second call's on fresh inputs; else None."""
        s1, v1, t1 = self.result(label, expr, guard=True)
        if s1 != "ok" or v1 is None or not plain(v1):
            return None
        s2, v2, t2 = self.result(label, expr)
        if s2 != "ok" or not same(v1, v2) or min(t1, t2) > FAST_SECONDS:
            return None
        self.seconds[expr] = min(t1, t2)
        return v1


def plain(v):
    try:
        return v == v and len(repr(v)) <= MAX_REPR
    except Exception:
        return False


def same(a, b):
    try:
        return type(a) is type(b) and bool(a == b)
    except Exception:
        return False


def candidates(model, p):
    """(label, [[expression per input], ...]) for every call of the model a thread can make on its
    own, the forms to try in order: module functions (not resetters), and methods, slots and
    attributes of a fresh object the thread made itself (types with a constructor; methods that need
    no warm-up). An object's reader is tried first after its mutators ran with the thread's input
    (`(o := xxhash.xxh64(), o.update('x-1'), o.digest())[-1]`): threads' objects then differ even
    when the constructor takes nothing."""
    mod = model["module"]
    out = []
    for f in model["functions"]:
        if f["role"] == "resetter":
            continue
        out.append(("%s.%s" % (mod, f["name"]),
                    [["%s.%s(%s)" % (mod, f["name"], ", ".join(vary(f["args"], k, p.ns))) for k in range(INPUTS)]]))
    for t in model["types"]:
        fac = t.get("factory")
        if not fac:
            continue
        feeders = [m for m in t["methods"] if m.get("role") == "mutator" and m["args"] and not m.get("attr")
                   and not m.get("warmup") and m["name"] not in SKIP][:2]
        # calls first, attributes (constants, most often) last: MAX_CHECKS keeps the calls
        for m in sorted(t["methods"], key=lambda m: bool(m.get("attr"))):
            if m.get("warmup") or m["name"] in SKIP:
                continue
            forms = []
            for fed in ([x for x in feeders if x is not m], []):
                exprs = []
                for k in range(INPUTS):
                    obj = "%s(%s)" % (fac["callable"], ", ".join(vary(fac["args"], k, p.ns)))
                    call = "" if m.get("attr") else "(%s)" % ", ".join(vary(m["args"], k, p.ns))
                    if fed:
                        steps = ["o.%s(%s)" % (x["name"], ", ".join(vary(x["args"], k, p.ns))) for x in fed]
                        exprs.append("(o := %s, %s, o.%s%s)[-1]" % (obj, ", ".join(steps), m["name"], call))
                    else:
                        exprs.append("%s.%s%s" % (obj, m["name"], call))
                if exprs not in forms:
                    forms.append(exprs)
            out.append(("%s.%s" % (t["name"], m["name"]), forms))
    return out


SKIP = ("__init__", "__iter__", "__hash__", "__setitem__")  # identity, or None: nothing to compare


def deterministic_calls(model, p):
    """The calls kept for the same-results scenario: [{"label", "inputs": [expr per input]}]. An input
    that does not work is replaced by the unvaried one (that thread then checks the same result as
    thread 0's)."""
    c = Checker(p)
    kept = []
    for label, forms in candidates(model, p):
        if label + "@same" in p.avoid:
            continue
        exprs = next((f for f in forms if c.usable(label, f[0]) is not None), None)
        if exprs is None:
            continue
        inputs = [exprs[0]]
        for e in exprs[1:]:
            inputs.append(e if e != exprs[0] and c.usable(label, e) is not None else exprs[0])
        kept.append({"label": label, "inputs": inputs, "seconds": c.seconds.get(exprs[0], 0.0)})
        if len(kept) >= MAX_CHECKS:
            break
    # every kept call's results with every input, then all again with each call's inputs in the
    # reverse order: a result that depends on which input another call had last (module state:
    # get_mode() after set_mode(n), before it or after it in the order) differs, and drops its call
    order = [(i, k) for i, x in enumerate(kept) for k in range(len(x["inputs"]))]
    first = {key: c.result(kept[key[0]]["label"], kept[key[0]]["inputs"][key[1]]) for key in order}
    again = {}
    for i, x in enumerate(kept):
        for k in reversed(range(len(x["inputs"]))):
            again[(i, k)] = c.result(x["label"], x["inputs"][k])
    stable = [x for i, x in enumerate(kept)
              if all(first[(i, k)][0] == "ok" and again[(i, k)][0] == "ok" and same(first[(i, k)][1], again[(i, k)][1])
                     for k in range(INPUTS))]
    return stable
