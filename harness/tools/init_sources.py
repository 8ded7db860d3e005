"""`ftstress init`'s argument sources beyond the signature: `.pyi` stubs shipped in the package, and
doctest examples in docstrings.

A stub's annotations give each parameter's kind (`seed: int`, `input: Union[str, bytes]`,
`mode: Literal['r', 'w']` gives those values themselves), found by the probe's own names: `func`,
`Type` (its __init__ or __new__) and `Type.method`, with base classes and aliases (`xxh64 =
xxh3_64`) followed. A doctest line `>>> mod.func(b'abc', seed=1)` gives an argument list when every
argument is a value written as a Python expression of literals (`b'ab' * 4`, `[1, 2]`, `-1`): never
a name from the example's own session, never a call.
"""
import ast
import itertools
import os
import re

import init_args

# an annotation's name, as the pool kind it takes a value from
ANNOTATION_KINDS = {
    "int": "int", "float": "float", "complex": "float", "str": "str", "bytes": "bytes", "bytearray": "bytearray",
    "memoryview": "bytes", "ReadableBuffer": "bytes", "WriteableBuffer": "bytearray", "Buffer": "bytes",
    "list": "list", "List": "list", "Sequence": "list", "Iterable": "list", "MutableSequence": "list",
    "Collection": "list", "dict": "dict", "Dict": "dict", "Mapping": "dict", "MutableMapping": "dict",
    "tuple": "tuple", "Tuple": "tuple", "Callable": "callable", "IO": "sink", "TextIO": "sink",
    "BinaryIO": "sink", "SupportsWrite": "sink", "SupportsRead": "sink",
}
SAFE_NODES = (ast.Expression, ast.Constant, ast.Tuple, ast.List, ast.Set, ast.Dict, ast.UnaryOp, ast.BinOp,
              ast.USub, ast.UAdd, ast.Add, ast.Sub, ast.Mult, ast.Load)


def stub_path(mod):
    """The stub shipped beside the module: NAME.pyi beside NAME.cpython-...so, or a package's
    __init__.pyi (the module's or, for a submodule, its parent package's for the names it re-exports)."""
    f = getattr(mod, "__file__", None) or ""
    if not f:
        return None
    folder, base = os.path.split(f)
    name = base.split(".")[0]
    for p in ((os.path.join(folder, "__init__.pyi"),) if name == "__init__" else
              (os.path.join(folder, name + ".pyi"), os.path.join(folder, "__init__.pyi"))):
        if os.path.isfile(p):
            return p
    return None


class Stubs:
    """A stub file's signatures by the probe's names: {"func": [Param], "Type": [...], "Type.m": [...]}."""

    def __init__(self, text):
        tree = ast.parse(text)
        self.aliases = {}  # _InputType = Union[...]; xxh64 = xxh3_64
        self.functions, self.classes = {}, {}
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self.functions[node.name] = node
            elif isinstance(node, ast.ClassDef):
                self.classes[node.name] = node
            elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                self.aliases[node.targets[0].id] = node.value
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None \
                    and _is_type_alias(node.annotation):
                self.aliases[node.target.id] = node.value

    def resolve(self, name, depth=0):
        v = self.aliases.get(name)
        if isinstance(v, ast.Name) and depth < 8:
            return self.resolve(v.id, depth + 1)
        return name

    def method(self, cls, name, depth=0):
        c = self.classes.get(self.resolve(cls))
        if c is None or depth > 8:
            return None
        for node in c.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name:
                return node
        for base in c.bases:
            if isinstance(base, ast.Name):
                found = self.method(base.id, name, depth + 1)
                if found is not None:
                    return found
        return None

    def params(self, name):
        """The parameters of the probe's `name`, or None when the stub does not say."""
        if "." in name:
            cls, meth = name.split(".", 1)
            node = self.method(cls, meth)
            drop_self = True
        elif self.resolve(name) in self.classes:
            node = self.method(name, "__init__") or self.method(name, "__new__")
            drop_self = True
        else:
            node = self.functions.get(self.resolve(name))
            drop_self = False
        if node is None or _is_property(node):
            return None
        return self.to_params(node.args, drop_self)

    def to_params(self, a, drop_self):
        out = []
        positional = a.posonlyargs + a.args
        defaults = [None] * (len(positional) - len(a.defaults)) + list(a.defaults)
        for i, (arg, default) in enumerate(zip(positional, defaults)):
            if i == 0 and drop_self:
                continue
            out.append(self.param(arg, optional=default is not None, keyword_only=False))
        for arg, default in zip(a.kwonlyargs, a.kw_defaults):
            out.append(self.param(arg, optional=default is not None, keyword_only=True))
        return out

    def param(self, arg, optional, keyword_only):
        p = init_args.Param(arg.arg, keyword_only=keyword_only, optional=optional)
        p.values = self.values(arg.annotation)
        return p

    def values(self, ann, depth=0):
        """Argument expressions an annotation asks for, most specific first ([] when it says nothing)."""
        if ann is None or depth > 8:
            return []
        if isinstance(ann, ast.Constant) and isinstance(ann.value, str):  # a quoted annotation
            try:
                return self.values(ast.parse(ann.value, mode="eval").body, depth + 1)
            except SyntaxError:
                return []
        if isinstance(ann, ast.BinOp) and isinstance(ann.op, ast.BitOr):  # X | None
            return self.values(ann.left, depth + 1) + self.values(ann.right, depth + 1)
        if isinstance(ann, ast.Subscript):
            head = _name(ann.value)
            inner = ann.slice.elts if isinstance(ann.slice, ast.Tuple) else [ann.slice]
            if head == "Literal":
                return [repr(e.value) for e in inner if isinstance(e, ast.Constant)]
            if head in ("Union", "Optional"):
                return [v for e in inner for v in self.values(e, depth + 1)]
            return self.values(ann.value, depth + 1)
        name = _name(ann)
        if name in self.aliases and name not in self.classes:
            return self.values(self.aliases[name], depth + 1)
        if name == "bool":
            return ["True", "False"]
        kind = ANNOTATION_KINDS.get(name)
        return list(init_args.POOL[kind]) if kind else []


def _name(node):
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _is_type_alias(ann):
    return _name(ann) == "TypeAlias"


def _is_property(node):
    return any(_name(d) in ("property", "cached_property") for d in node.decorator_list)


def stub_tries(params, pools):
    """Argument lists from a stub's parameters: required ones, then with the first optional one."""
    if params is None:
        return []
    required = [p for p in params if not p.optional]
    optional = [p for p in params if p.optional]
    out = []
    for chosen in (required, required + optional[:1]):
        if chosen is required and out:
            continue
        per = [(p.values or init_args.values_for(p, pools))[:3] for p in chosen]
        if not chosen:
            out.append([])
            continue
        for combo in itertools.islice(itertools.product(*per), 12):
            out.append(["%s=%s" % (p.name, v) if p.keyword_only else v for p, v in zip(chosen, combo)])
    return out


def literal(node):
    """The expression's text when it is a value written with literals only (b'ab' * 4, -1, [1, 2])."""
    if not all(isinstance(n, SAFE_NODES) for n in ast.walk(ast.Expression(node))):
        return None
    text = ast.unparse(node)
    try:
        eval(compile(ast.Expression(node), "<doctest>", "eval"), {"__builtins__": {}})
    except Exception:
        return None
    return text if len(text) <= 200 else None


PROMPT = re.compile(r"^\s*(?:>>>|\.\.\.) ?(.*)$")


def doctest_tries(name, docs):
    """Argument lists of calls to `name` (a function, a Type, or Type.method: `.method(`) in the
    doctest examples of these docstrings."""
    callee = name.split(".")[-1]
    out = []
    for doc in docs:
        if not isinstance(doc, str) or ">>>" not in doc:
            continue
        lines = [m.group(1) for m in map(PROMPT.match, doc.split("\n")) if m]
        for line in lines:
            try:
                tree = ast.parse(line)
            except SyntaxError:
                continue
            for node in ast.walk(tree):
                if not isinstance(node, ast.Call) or _name(node.func) != callee:
                    continue
                if any(isinstance(a, ast.Starred) for a in node.args) or any(k.arg is None for k in node.keywords):
                    continue
                args = [literal(a) for a in node.args] + \
                    [(lambda v: None if v is None else "%s=%s" % (k.arg, v))(literal(k.value)) for k in node.keywords]
                if None not in args and args not in out:
                    out.append(args)
    return out
