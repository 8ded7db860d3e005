"""`ftstress init`'s argument guessing: a callable's parameters from what it says, and argument lists to try.

Parameters come from inspect.signature (which reads __text_signature__ and Cython's signatures), then
from the docstring's first line ("name(a, b=1) -> x"). self/$self/$module/$type are not parameters;
positional-only and positional-or-keyword parameters are passed by position, keyword-only ones by
name ("key=VALUE" in an argument list), and optional parameters are left out first.
"""
import inspect
import itertools
import re
import sys

# Argument candidates, as Python expressions (they are written into scenarios as they are). Richer
# values first: the first that works is kept, and `[]` or `0` makes a dull stress test.
POOL = {
    "int": ["0", "7", "1000"],
    "float": ["1.5"],
    # 'i' is a struct format and an array type code; a sink is what csv.writer and the like write to
    "str": ["'alpha,beta,gamma'", "'i'", "'x'"],
    "bytes": ["b'abcdefgh' * 8"],
    "bytearray": ["bytearray(b'abcdefgh' * 8)"],
    # long enough that a shared iterator over it outlasts a round of four threads
    "list": ["list(range(1000))", "['alpha', 'beta', 'gamma']", "[]"],
    "dict": ["{'alpha': 1, 'beta': 2}", "{}"],
    "tuple": ["(1, 2, 3)"],
    "sink": ["io.StringIO()"],
    "callable": ["bool"],
    "none": ["None"],
}
ORDER = ["int", "str", "bytes", "list", "dict", "float", "bytearray", "tuple", "sink", "callable", "none"]
# Which kinds a parameter's name suggests.
NAME_KINDS = [
    (r"^(predicate|func|function|callback|default_factory|pred|selector|fillvalue_factory)$", "callable"),
    # what a serializer takes (dumps(obj)): a container, so a scenario can change it while it is read
    (r"^(obj|o)$", "dict"),
    (r"^(n|i|j|k|index|idx|count|size|num|number|pos|offset|start|stop|mode|level|flags?|repeat|maxsize)$", "int"),
    (r"^(fd|fileno|file|f|stream|sink|csvfile|fp|out|outfile)$", "sink"),
    (r"(text|name|str|string|key|^s|sep|fmt|format|path|encoding|typecode|tag|pattern)$", "str"),
    (r"(data|buf|buffer|bytes|payload|^b)$", "bytes"),
    (r"(seq|items|list|values|iterable|sequence|^l|heap|^it|iterator|initializer|initial)$", "list"),
    (r"(^d|dict|mapping|map|config|table|attrib)$", "dict"),
    (r"(^x|value|ratio)$", "float"),
]
# Which kinds a Cython parameter's declared type gives ("size_t number", "str text").
CTYPE_KINDS = [
    (r"\b(size_t|Py_ssize_t|int|long|short|char|unsigned|signed|uint\w*|int\w+_t|bint)\b", "int"),
    (r"\b(double|float)\b", "float"),
    (r"\b(str|unicode)\b", "str"),
    (r"\bbytes\b", "bytes"),
    (r"\blist\b", "list"),
    (r"\bdict\b", "dict"),
    (r"\btuple\b", "tuple"),
]
# Parameters that take a file descriptor: never an integer there (os.close(0) in a worker, or a file
# object that closes descriptor 0 when collected).
FD_NAME = re.compile(r"^(fd|fildes|fileno|file|closefd|opener)$")
SELF = {"self", "$self", "$module", "$type", "module", "cls", "$cls", "type"}


class Param:
    def __init__(self, name, keyword_only=False, optional=False, star=False):
        self.name, self.keyword_only, self.optional, self.star = name, keyword_only, optional, star

    def kind(self):
        ctype = getattr(self, "ctype", None)
        if ctype:
            for pattern, k in CTYPE_KINDS:
                if re.search(pattern, ctype):
                    return k
        for pattern, k in NAME_KINDS:
            if re.search(pattern, self.name.lower()):
                return k
        return None


def params(fn):
    """The parameters a caller passes, or None when nothing says."""
    try:
        sig = inspect.signature(fn)
    except (ValueError, TypeError):
        sig = None
    if sig is not None:
        out = []
        for p in sig.parameters.values():
            if p.name in SELF and not out and p.kind != p.KEYWORD_ONLY:
                continue
            if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
                out.append(Param(p.name, optional=True, star=True))
                continue
            out.append(Param(p.name, keyword_only=p.kind == p.KEYWORD_ONLY, optional=p.default is not p.empty))
        return out
    doc = (getattr(fn, "__doc__", None) or "").split("\n", 1)[0]
    # the first parenthesis only: "scanstring(s, end, encoding, strict=True) -> (str, end)"
    m = re.match(r"^\s*[\w.]+\(([^()]*)\)", doc)
    if not m:  # per-platform lines: "Windows: mmap(fileno, length[, tagname...])", "Unix: mmap(...)"
        for line in (getattr(fn, "__doc__", None) or "").split("\n")[:40]:
            m = re.match(r"^\s*(\w+):\s*[\w.]+\(([^()]*)\)", line)
            if m and m.group(1).lower() in (("windows",) if sys.platform == "win32" else ("unix", "posix", "linux")):
                m = re.match(r"^\s*\w+:\s*[\w.]+\(([^()]*)\)", line)
                break
            m = None
    if not m:
        return None
    out, kwonly, opt = [], False, False
    for raw in m.group(1).replace("[", ",[").split(","):
        p = raw.strip()
        if p.startswith("["):
            opt = True
            p = p.lstrip("[ ")
        p = p.rstrip("] ")
        if not p or p == "/":
            continue
        if p == "*":
            kwonly = True
            continue
        if p.startswith("*") or p == "...":
            out.append(Param(p.lstrip("*"), optional=True, star=True))
            continue
        name = p.split("=")[0].split(":")[0].strip()
        # Cython's embedded signatures type their C parameters: "size_t number", "double *x"
        ctype = re.match(r"^([\w .]+?)[\s*]+(\w+)$", name)
        if ctype:
            name = ctype.group(2)
        if name in SELF and not out:
            continue
        if re.match(r"^\w+$", name):
            param = Param(name, keyword_only=kwonly, optional=opt or "=" in p)
            param.ctype = ctype.group(1).strip() if ctype else None
            out.append(param)
    return out


def values_for(param, pools):
    """Values to try for one parameter: its name's kind first, then every other kind."""
    k = param.kind()
    kinds = ([k] if k else []) + [x for x in pools if x != k]
    out = []
    for kind in kinds:
        if FD_NAME.match(param.name) and kind == "int":
            out.append("-1")  # never a valid descriptor, and the usual "no file" (mmap.mmap(-1, n): anonymous memory)
            continue
        out += pools[kind]
    return out


def candidates(fn, instances=(), limit=80, richer=False):
    """Argument lists to try, in order. With richer (a constructor), one optional argument is tried
    before none: itertools.product(list(range(1000))) outlasts a round, product() does not."""
    pools = {k: list(POOL[k]) for k in ORDER}
    pools["instance"] = list(instances)
    ps = params(fn)
    if ps is not None and ps and all(p.star for p in ps):
        ps = None  # (*args, **kwargs): a slot wrapper's signature says nothing, guess as for no signature
    if ps is None:
        plain = [Param("arg")]
        return ([[]] + [[v] for v in values_for(plain[0], pools)] +
                [[a, b] for a, b in itertools.product(firsts(pools), repeat=2)])[:limit]
    required = [p for p in ps if not p.optional]
    optional = [p for p in ps if p.optional and not p.star]
    if richer and len(required) > 3:
        # a constructor of many settings (json's Encoder(markers, default, encoder, indent, ...)):
        # a setting nothing names is most often off as None, and 0 there breaks its methods later
        pools = dict([("none", pools["none"])] + [(k, v) for k, v in pools.items() if k != "none"])
    tries = []
    extras = list(range(0, min(len(optional), 2) + 1))
    if richer and len(extras) > 1:
        extras = [1, 0] + extras[2:]
    for extra in extras:
        chosen = required + optional[:extra]
        tries += lists_for(chosen, pools, limit)
        if not chosen and any(p.star for p in ps):
            # (*args): one value of each kind, then the other strings and bytes (what calls returned)
            tries += [[v] for v in firsts(pools)] + [[v] for v in pools["str"][1:] + pools["bytes"][1:]]
    return tries[:limit]


def firsts(pools):
    return [v[0] for v in pools.values() if v]


def lists_for(chosen, pools, limit):
    """Argument lists for these parameters: each one's own kind first, then small combinations."""
    def text(p, v):
        return "%s=%s" % (p.name, v) if p.keyword_only else v
    if not chosen:
        return [[]]
    if len(chosen) == 1:
        return [[text(chosen[0], v)] for v in values_for(chosen[0], pools)]
    per = [values_for(p, pools) for p in chosen]
    out = [[text(p, v[0]) for p, v in zip(chosen, per)]]
    short = [v[:4] for v in per] if len(chosen) <= 3 else [v[:2] for v in per]
    for combo in itertools.product(*short):
        out.append([text(p, v) for p, v in zip(chosen, combo)])
        if len(out) >= limit:
            break
    return out


# What a TypeError says an argument must be ("argument 5 must be str, not int", Argument Clinic's
# and PyArg_Parse's wording), as the pool kind to take a value from.
MUST_BE = re.compile(r"argument (\d+) must be (?:an? )?([\w-]+(?: object)?)")
TYPE_KINDS = {"str": "str", "string": "str", "unicode": "str", "bytes": "bytes", "bytes-like object": "bytes",
              "int": "int", "integer": "int", "float": "float", "real": "float", "dict": "dict", "list": "list",
              "tuple": "tuple", "bytearray": "bytearray", "callable": "callable", "None": "none"}


def repair(args, error):
    """The argument list with the argument a TypeError names replaced by a value of the type it asks
    for, or None when the error does not say (or the list already has such a value there)."""
    if not isinstance(error, TypeError):
        return None
    m = MUST_BE.search(str(error))
    kind = TYPE_KINDS.get(m.group(2)) if m else None
    i = int(m.group(1)) - 1 if m else -1
    if kind is None or not 0 <= i < len(args) or split_arg(args[i])[0]:
        return None
    value = POOL[kind][0]
    return None if args[i] == value else args[:i] + [value] + args[i + 1:]


def split_arg(a):
    """("name", expr) for a keyword argument "name=expr", else (None, a)."""
    m = re.match(r"^([A-Za-z_]\w*)=(?!=)(.*)$", a, re.S)
    return (m.group(1), m.group(2)) if m else (None, a)
