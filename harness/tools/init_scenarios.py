"""`ftstress init`'s writer: the probe's model of a module as starter scenarios, and a hints file.

Run by `ftstress init` (harness/tools/cmd_init.c) as
    init_scenarios.py MODEL.json OUT.yaml HINTS_OUT.yaml [--path SITE FINAL_OUT] [--command TEXT]
OUT.yaml gets one scenario per concern (module functions at once, their first use, one shared
instance per type, per-thread instances, containers other threads change), every one `expect:
clean`, commented so that it can be kept and edited. HINTS_OUT.yaml lists what could not be called.
"""
import json
import os
import re
import sys

THREADS = 4
NOTHING_CALLABLE = 4  # exit status: no scenario written (cmd_init.c knows it)
# Bound methods and partials a thread makes itself: calling them touches no reference count another
# thread touches. A shared object's attribute or a module function called directly would, and those
# atomic updates order the threads for TSan and hide races (README, "Writing a scenario").
OWNED = "# thread-owned callables: no shared reference count orders the threads (README)"


def q(s):
    """A YAML double-quoted scalar (JSON's escapes are YAML's)."""
    return json.dumps(s)


class Doc:
    """One scenario document, key by key, in the order a reader expects."""

    def __init__(self, name, comment):
        self.lines = ["# " + c for c in comment]
        self.lines.append("name: " + name)

    def key(self, k, v, comment=None):
        self.lines.append("%s: %s%s" % (k, v, "   # " + comment if comment else ""))

    def block(self, k, code, indent=""):
        self.lines.append("%s%s: |" % (indent, k))
        self.lines += [(indent + "  " + line).rstrip() for line in code.strip("\n").split("\n")]

    def text(self):
        body = "\n".join(self.lines) + "\n"
        # values like io.StringIO() (a sink csv.writer writes to) need their module imported
        if "io." in body.replace("functools.", "") and re.search(r"\bio\.", body):
            # last: the module under test stays first, the one whose names reports show without it
            body = re.sub(r"^imports: \[(?!(?:[^\]\n]*, )?io\b)([^\]\n]*)\]", r"imports: [\1, io]", body, count=1,
                          flags=re.M)
        return body


class Writer:
    def __init__(self, model, path, command):
        self.m = model
        self.mod = model["module"]
        # a valid scenario name and filter for any module: `_io` gives `io-...`, never `-io-...`
        self.short = self.mod.replace(".", "-").replace("_", "-").strip("-") or "module"
        self.path = path
        self.command = command
        self.docs = []
        self.functions = [f for f in model["functions"] if f["role"] != "resetter"]
        self.resetters = [f for f in model["functions"] if f["role"] == "resetter"]
        self.tests = (model.get("sourced") or {}).get("tests") or {}  # name -> the test its arguments came from

    def origin(self, name, indent=""):
        """The comment line saying which of the package's tests gave a call's arguments, or []."""
        return ["%s# arguments from %s" % (indent, self.tests[name])] if name in self.tests else []

    def common(self, d, imports, tags):
        d.key("tags", "[%s]" % ", ".join(["init", self.short] + tags))
        d.key("imports", "[%s]" % ", ".join(dict.fromkeys(imports)))  # functools once when it is the module
        if self.path:
            d.key("path", "[%s]" % q(self.path), "the site folder init found the module in")
        if self.m["gil_reenabled"]:
            d.lines.append("# %s does not declare Py_mod_gil: importing it turns the GIL back on and most races"
                           % self.mod)
            d.lines.append("# hide. Forced off here; PYTHON_GIL: \"1\" makes a control run.")
            d.key("env", "{PYTHON_GIL: \"0\"}")

    def call(self, f, args=None):
        return "%s.%s(%s)" % (self.mod, f["name"], ", ".join(args if args is not None else f["args"]))

    def partial(self, var, target, args):
        if any(re.match(r"^(\w+=)?io\.(StringIO|BytesIO)\(.", a) for a in args):
            # a stream to read from is used up by one call: a fresh one for each (load(fp))
            return "%s = lambda: %s(%s)" % (var, target, ", ".join(args))
        return "%s = functools.partial(%s)" % (var, ", ".join([target] + list(args)))

    def ignore(self, d, calls):
        raised = sorted({e for c in calls for e in c.get("raises", []) if e != "CallTimeout"})
        if raised:
            d.key("ignore_exceptions", "[%s]" % ", ".join(raised), "raised single-threaded by the probe too")

    def resetting_setup(self):
        if not self.resetters:
            return None
        return "\n".join(["# fresh module state every round: first uses happen again"] +
                         [self.call(f) for f in self.resetters])

    # -- module functions -------------------------------------------------------------------------

    def functions_at_once(self):
        if not self.functions:
            return
        d = Doc("%s-functions" % self.short,
                ["Every module function called from %d threads at once, each thread through callables of" % THREADS,
                 "its own. Races here are in module-level (static) state. Functions that change state",
                 "(by name, or because a second call returned something else) run in one role, the others",
                 "in another."])
        d.key("description", q("%s's functions called concurrently" % self.mod))
        self.common(d, [self.mod, "functools"], ["functions"])
        setup = self.resetting_setup()
        if setup:
            d.block("setup", setup)
        writers = [f for f in self.functions if f["role"] == "mutator"]
        readers = [f for f in self.functions if f["role"] != "mutator"]
        self.roles(d, [("writers", writers), ("readers", readers)], self.function_body)
        self.ignore(d, self.functions)
        d.key("iterations", "50")
        d.key("rounds", "20")
        d.key("expect", "clean")
        self.docs.append(d)

    def function_body(self, fs):
        made = ["if iteration == 0:", "    " + OWNED]
        for f in fs:
            made += self.origin(f["name"], "    ") + ["    " + self.partial("f_" + f["name"], "%s.%s" % (self.mod, f["name"]), f["args"])]
        return "\n".join(made + ["f_%s()" % f["name"] for f in fs])

    def roles(self, d, groups, body):
        """Two roles of two threads each when both have calls, else every thread runs the one."""
        groups = [(n, c) for n, c in groups if c]
        if len(groups) == 1:
            d.key("threads", str(THREADS))
            d.block("body", body(groups[0][1]))
            return
        d.lines.append("roles:")
        for name, calls in groups:
            d.lines.append("  - name: %s" % name)
            d.lines.append("    threads: %d" % (THREADS // 2))
            d.block("body", body(calls), "    ")

    def first_use(self):
        ctors = [t for t in self.m["types"] if t.get("factory")]
        if not self.functions and not ctors:
            return
        d = Doc("%s-first-use" % self.short,
                ["The first call of each function (and constructor) from all threads at once, in a fresh",
                 "worker process every round: lazily initialised statics and caches race only then.",
                 "Iteration 0 makes each thread's callables, iteration 1 calls each once."])
        d.key("description", q("first use of %s's functions in a fresh process" % self.mod))
        self.common(d, [self.mod, "functools"], ["first-use"])
        d.key("threads", str(THREADS))
        made = ["if iteration == 0:", "    " + OWNED]
        for f in self.functions:
            made += self.origin(f["name"], "    ") + ["    " + self.partial("f_" + f["name"], "%s.%s" % (self.mod, f["name"]), f["args"])]
        for t in ctors:
            made += self.origin(t["name"], "    ") + ["    " + self.maker(t)]
        made.append("else:")
        made += ["    f_%s()" % f["name"] for f in self.functions]
        made += ["    new_%s()" % t["name"] for t in ctors]
        d.block("body", "\n".join(made))
        self.ignore(d, self.functions)
        d.key("iterations", "2")
        d.key("rounds", "10", "each round is a new process: about a second each")
        d.key("rounds_per_worker", "1")
        d.key("expect", "clean")
        self.docs.append(d)

    # -- types ------------------------------------------------------------------------------------

    def shared_instance(self, t):
        if not t["methods"]:
            return
        var = "obj"
        made_by = ["Made by %s, a call that returned it while init followed the data." % t["ctor"]] \
            if t.get("followed_from") else []
        d = Doc("%s-%s-shared" % (self.short, t["name"].lower().replace("_", "-").strip("-")),  # _deque_iterator
                made_by + ["One %s shared by every thread, made fresh each round. Methods and C slots (__next__," % t["name"],
                 "__len__, __getitem__, ...) that changed the object's",
                 "visible state (repr, len, its readers' results) or are named like writers run in one role,",
                 "the rest in the other; each thread calls through bound methods it made itself."])
        d.key("description", q("one shared %s.%s: mutators against readers" % (self.mod, t["name"])))
        self.common(d, [self.mod], [t["name"].lower(), "shared"])
        setup = [self.resetting_setup() or ""] + self.origin(t["name"]) + ["%s = %s" % (var, t["ctor"])]
        if t["warmup"]:
            setup.append("# some methods fail on an empty object: the mutators run once first")
            setup += ["%s.%s(%s)" % (var, n, ", ".join(method(t, n)["args"])) for n in t["warmup"]]
        d.block("setup", "\n".join(s for s in setup if s))
        mutators = [m for m in t["methods"] if m["role"] == "mutator"]
        readers = [m for m in t["methods"] if m["role"] != "mutator"]

        def body(ms):
            calls = [m for m in ms if not m.get("attr")]
            made = ["if iteration == 0:", "    " + OWNED] if calls else []
            made += ["    m_%s = %s.%s" % (m["name"], var, m["name"]) for m in calls]
            lines = list(made)
            for m in calls:
                lines += self.origin(t["name"] + "." + m["name"]) + ["m_%s(%s)" % (m["name"], ", ".join(m["args"]))]
            attrs = [m for m in ms if m.get("attr")]
            if attrs:
                lines.append("# members and getset attributes: read in C on each access")
                lines += ["%s.%s" % (var, m["name"]) for m in attrs]
            return "\n".join(lines)

        self.roles(d, [("mutators", mutators), ("readers", readers)], body)
        self.ignore(d, t["methods"])
        d.key("iterations", "50")
        d.key("rounds", "20")
        d.key("expect", "clean")
        self.docs.append(d)

    def maker(self, t):
        """The line that gives a thread its own way to make a `t`: a partial of the constructor, or a
        function evaluating the expression that returned one (a factory, a method of another object)."""
        f = t.get("factory")
        if f:
            return self.partial("new_" + t["name"], f["callable"], f["args"])
        return "def new_%s(): return %s" % (t["name"], t["ctor"])

    def own_objects(self):
        tps = self.m["types"]
        if not tps:
            return
        d = Doc("%s-own-objects" % self.short,
                ["Each thread makes, uses and drops objects of its own: nothing is shared in Python, so any",
                 "race is in state the module hides behind them (free lists, caches, global counters)."])
        d.key("description", q("per-thread %s objects over the module's hidden state" % self.mod))
        self.common(d, [self.mod, "functools"], ["own-objects"])
        setup = self.resetting_setup()
        if setup:
            d.block("setup", setup)
        d.key("threads", str(THREADS))
        made = ["if iteration == 0:", "    " + OWNED]
        for t in tps:
            made += self.origin(t["name"], "    ") + ["    " + self.maker(t)]
        for t in tps:
            made.append("o = new_%s()" % t["name"])
            order = sorted(t["methods"], key=lambda m: m["role"] != "mutator")  # mutators first: readers need state
            for m in order:
                made += ([] if m.get("attr") else self.origin(t["name"] + "." + m["name"])) + \
                    ["o.%s%s" % (m["name"], "" if m.get("attr") else "(%s)" % ", ".join(m["args"]))]
            made.append("del o")
        d.block("body", "\n".join(made))
        self.ignore(d, [m for t in tps for m in t["methods"]])
        # many short-lived objects per round: each creation also touches the type's shared reference
        # count, whose atomic updates order the threads for TSan between the hidden-state accesses
        d.key("iterations", "200")
        d.key("rounds", "20")
        d.key("expect", "clean")
        self.docs.append(d)

    # -- containers other threads change ----------------------------------------------------------

    def shared_containers(self):
        """Calls that took a list, dict or bytearray, run on one that other threads change meanwhile:
        borrowed references (PyList_GetItem, PyDict_Next) and unlocked in-place writes race there."""
        calls = [("f", f) for f in self.functions if f["container"]]
        calls += [("m", (t, m)) for t in self.m["types"] for m in t["methods"] if m.get("container")]
        if not calls:
            return
        values = []
        for kind, c in calls:
            v = (c if kind == "f" else c[1])["container"]["value"]
            if v not in values:
                values.append(v)
        names = {v: "shared_%d" % i for i, v in enumerate(values)}
        d = Doc("%s-shared-containers" % self.short,
                ["Callers pass containers that other threads change at the same time: items replaced by equal",
                 "new objects (the old ones freed), keys set. Borrowed references and unlocked in-place",
                 "writes in the module race with those changes."])
        d.key("description", q("%s's calls on containers other threads modify" % self.mod))
        self.common(d, [self.mod, "functools"], ["containers"])
        d.block("setup_once", FRESH)
        setup = [self.resetting_setup() or ""] + ["%s = %s" % (names[v], v) for v in values]
        d.block("setup", "\n".join(s for s in setup if s))
        callers = ["if iteration == 0:", "    " + OWNED]
        for kind, c in calls:
            f = c if kind == "f" else c[1]
            args = list(f["args"])
            args[f["container"]["index"]] = names[f["container"]["value"]]
            if kind == "f":
                callers.append("    " + self.partial("f_" + f["name"], "%s.%s" % (self.mod, f["name"]), args))
            else:
                t = c[0]
                callers.append("    " + self.partial("f_%s_%s" % (t["name"], f["name"]),
                                                     "%s.%s" % (t["ctor"], f["name"]), args))
        callers += ["f_%s()" % (c["name"] if k == "f" else "%s_%s" % (c[0]["name"], c[1]["name"])) for k, c in calls]
        changers = ["if iteration == 0:", "    " + OWNED]
        changers += ["    change_%s = changer(%s)" % (names[v], names[v]) for v in values]
        changers += ["change_%s(iteration)" % names[v] for v in values]
        d.lines.append("roles:")
        for name, body in (("callers", callers), ("changers", changers)):
            d.lines.append("  - name: %s" % name)
            d.lines.append("    threads: %d" % (THREADS // 2))
            d.block("body", "\n".join(body), "    ")
        self.ignore(d, [c if k == "f" else c[1] for k, c in calls])
        d.key("iterations", "50")
        d.key("rounds", "20")
        d.key("expect", "clean")
        self.docs.append(d)

    # -- results other threads must not change --------------------------------------------------

    def same_results(self):
        """Calls the probe found deterministic (init_results.py), each thread on inputs of its own:
        every result must equal the one computed single-threaded. A differing one came through state
        the threads share in hiding, which TSan may not see (atomics, uninstrumented code)."""
        checks = self.m.get("same_results") or []
        if not checks:
            return
        d = Doc("%s-same-results" % self.short,
                ["Calls whose result depends only on their inputs (the probe called each twice on fresh equal",
                 "inputs, and again after the others ran: equal results), made by every thread on inputs of",
                 "its own (thread %% %d picks one) and on objects it made itself. Each result must equal the one" % len(checks[0]["inputs"]),
                 "the same call gave single-threaded in setup. One that differs came through state the threads",
                 "share in hiding (a static buffer, a shared cache, an uninstrumented library), which TSan may",
                 "not see: the arbiter reports it, with both values, as an `outcome` finding."])
        d.key("description", q("%s's deterministic calls give every thread its single-threaded result" % self.mod))
        self.common(d, [self.mod], ["same-results"])
        once = ["# each call, one input per thread (thread % INPUTS picks one)", "CALLS = ["]
        for c in checks:
            once.append("    [%s]," % ", ".join(q(e) for e in c["inputs"]))
        once += ["]", "LABELS = [%s]" % ", ".join(q(c["label"]) for c in checks),
                 "INPUTS = %d" % len(checks[0]["inputs"]),
                 "CODE = [[compile(e, e, 'eval') for e in inputs] for inputs in CALLS]",
                 "def shown(v):",
                 "    r = repr(v)",
                 "    return r if len(r) <= 80 else r[:77] + '...'"]
        d.block("setup_once", "\n".join(once))
        setup = [self.resetting_setup() or "",
                 "# single-threaded, before the threads start: what each call must give",
                 "expected = [[eval(code) for code in inputs] for inputs in CODE]"]
        d.block("setup", "\n".join(s for s in setup if s))
        d.key("threads", str(THREADS))
        d.block("body", "\n".join([
            "if iteration == 0:",
            "    # this thread's calls, and the results they must give",
            "    k = thread % INPUTS",
            "    mine = [(LABELS[i], CALLS[i][k], CODE[i][k], expected[i][k]) for i in range(len(CODE))]",
            "for label, text, code, want in mine:",
            "    try:",
            "        got = eval(code)",
            "    except Exception as e:",
            "        got = e",
            "    if (type(got) is not type(want) or got != want) and label not in result:",
            "        result[label] = '%s: %s gave %s in thread %d, %s single-threaded' % (",
            "            label, text, shown(got), thread, shown(want))"]))
        d.block("arbiter", "\n".join([
            "# a differing result of this round (another call's in the next round, when several differ)",
            "seen = sorted({v for r in results for v in r.values()})",
            "seen[round % len(seen)] if seen else 'same'"]))
        d.lines.append("outcomes:")
        d.lines += ["  - match: \"'same'\"", "    verdict: acceptable",
                    "    description: every thread's results equal the single-threaded ones"]
        for c in checks:
            d.lines += ["  - match: %s" % q("[\"']%s: .*" % re.escape(c["label"])), "    verdict: forbidden",
                        "    description: %s" % q("%s gave a thread another result than single-threaded" % c["label"])]
        # a thread's iteration checks every call once: about a quarter of a second of calls a round
        # single-threaded (the probe timed each), 5 to 50 iterations
        per = sum(c.get("seconds", 0.001) for c in checks) or 0.001
        d.key("iterations", str(max(5, min(50, int(0.25 / per)))))
        d.key("rounds", "20")
        d.key("expect", "clean")
        self.docs.append(d)

    def write(self, out):
        self.functions_at_once()
        self.first_use()
        for t in self.m["types"]:
            self.shared_instance(t)
        self.own_objects()
        self.shared_containers()
        self.same_results()
        head = ["# Starter scenarios for %s, written by `%s`." % (self.mod, self.command),
                "# Keep and edit them: arguments, roles, rounds and expectations are guesses from probing",
                "# %s single-threaded. Every scenario expects clean: a finding is a race to look at." % self.mod]
        failed = self.m["failed"]
        head += reached_summary(self.m)
        if failed:
            head.append("# Not reached, and why (a hints file gives arguments: `ftstress init --hints FILE`):")
            head += ["#   %s: %s" % (f["name"], cut(f["error"] or "", 90)) for f in failed]
            head.append("# A hints entry looks like:  %s: {args: [\"b'data'\", \"level=1\"]}   (or {skip: true})"
                        % q(failed[0]["name"]))
        if self.m.get("unsafe"):
            head.append("# Never called: changed the process's file descriptors when probed: %s"
                        % ", ".join(self.m["unsafe"]))
        if not self.docs:
            head.append("# Nothing in %s could be called: no scenario written." % self.mod)
        out.write("\n".join(head) + "\n")
        for i, d in enumerate(self.docs):
            out.write(("---\n" if i else "\n") + d.text())
        return len(self.docs)


# A changer per shared container: replaces items by equal new objects (freeing the old ones, as
# real code does), sets keys, rewrites bytes. Defined once per worker.
FRESH = '''
import copy
def fresh(v):
    # an equal object that is not v
    if isinstance(v, str) and len(v) > 1:
        return "".join(list(v))
    if isinstance(v, bytes):
        return bytes(bytearray(v))
    if isinstance(v, int):
        return (v + 1) - 1
    return copy.copy(v)
def changer(c):
    # a function of this thread's own that changes container c a little on each call
    store = c.__setitem__
    if isinstance(c, dict):
        orig = dict(c)
        keys = list(orig)
        extra = ["_grow%d" % j for j in range(16)]
        def change(i):
            store(keys[i % len(keys)], fresh(orig[keys[i % len(keys)]]))
            if i % 2:  # grow and shrink back: the table is reallocated under whoever reads it
                for k in extra:
                    store(k, i)
                for k in extra:
                    c.pop(k, None)
        return change
    orig = list(c)
    if isinstance(c, bytearray):
        return lambda i: store(i % len(orig), (orig[i % len(orig)] + i) % 256)
    def change(i):
        store(i % len(orig), fresh(orig[i % len(orig)]))
        if i % 2 and isinstance(c, list):  # the item array is reallocated under whoever reads it
            c.extend(orig[:16] * 2)
            del c[len(orig):]
    return change
'''


def cut(text, n):
    """At most n characters, cut at a word boundary (the comment never ends mid-word)."""
    text = " ".join(text.split())
    if len(text) <= n:
        return text
    return text[:n].rsplit(" ", 1)[0] + " ..."


def reached_summary(m):
    """What the probe reached: functions, types (and those found by following returned objects),
    methods and C slots."""
    tps = m["types"]
    followed = [t["name"] for t in tps if t.get("followed_from")]
    calls = len(m["functions"]) + sum(len(t["methods"]) + bool(t.get("factory")) for t in tps)
    lines = ["# Reached: %d functions, %d types, %d calls in all (methods, C slots, attributes)."
             % (len(m["functions"]), len(tps), calls)]
    if followed:
        lines.append("# Types reached through objects that calls returned: %s." % ", ".join(followed))
    src = m.get("sourced") or {}
    for source, what in (("doctest", "doctest examples in docstrings"),
                         ("stub", "the package's stub %s" % os.path.basename(m.get("stub") or ""))):
        if src.get(source):
            lines.append("# Arguments from %s: %s." % (what, cut(", ".join(src[source]), 200)))
    tests = src.get("tests") or {}
    if tests:
        lines.append("# Arguments from the package's tests (--from-tests): %s." % cut(", ".join(sorted(tests)), 200))
    same = m.get("same_results") or []
    if same:
        lines.append("# Results checked against single-threaded ones (same-results): %d calls." % len(same))
    return lines


def method(t, name):
    return next(m for m in t["methods"] if m["name"] == name)


def write_hints(model, out):
    mod = model["module"]
    out.write("# Hints for `ftstress init %s`: how to call what it could not call by itself.\n"
              "# Keys: a function, a Type (its constructor) or Type.method, of any callable.\n"
              "#   args: [EXPR, ...]   Python expressions, in the scenario's namespace (%s is imported)\n"
              "#   skip: true          never call it (it crashed, hung, or must not run)\n"
              "# Then: ftstress init %s --hints THIS_FILE\n" % (mod, mod, mod))
    for f in model["failed"]:
        out.write("\n%s:\n  # not called: %s\n  # args: []\n  skip: false\n" % (q(f["name"]), cut(f["error"] or "", 200)))


def main(argv):
    with open(argv[1]) as f:
        model = json.load(f)
    path = command = None
    i = 4
    while i < len(argv):
        if argv[i] == "--path":  # absolute; written relative to the output file's folder
            path = os.path.relpath(argv[i + 1], os.path.dirname(os.path.abspath(argv[i + 2])))
            i += 1
        elif argv[i] == "--command":
            command = argv[i + 1]
        i += 2
    with open(argv[2], "w") as out:
        n = Writer(model, path, command or "ftstress init " + model["module"]).write(out)
    with open(argv[3], "w") as out:
        write_hints(model, out)
    print("%d scenarios, %d callables probed, %d not callable%s" % (
        n, len(model["functions"]) + sum(bool(t.get("factory")) + len(t["methods"]) for t in model["types"]),
        len(model["failed"]),
        "; GIL re-enabled on import: scenarios force PYTHON_GIL=0" if model["gil_reenabled"] else ""))
    sys.exit(0 if n else NOTHING_CALLABLE)


if __name__ == "__main__":
    main(sys.argv)
