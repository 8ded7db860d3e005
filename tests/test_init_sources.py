"""`ftstress init`'s argument sources beyond signatures: a `.pyi` stub's annotations (found through base
classes and aliases, Literal values taken as they are, self dropped, keyword-only by name) and
doctest examples (literal values only: never a name from the example's session, never a call)."""
import os
import sys
import tempfile
import types

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "lib"))
sys.path.insert(0, os.path.join(HERE, "..", "harness", "tools"))
import init_args  # noqa: E402
import init_sources  # noqa: E402
from ftest import check, main  # noqa: E402

PYI_TEXT = '''
from typing import Literal, Optional, Union
_InputType = Union[str, bytes]
class _Hasher:
    def __init__(self, input: _InputType = ..., seed: int = ...) -> None: ...
    def update(self, input: _InputType) -> None: ...
    @property
    def seed(self) -> int: ...
class xxh32(_Hasher): ...
xxh64 = xxh32
def digest(args: bytes, *, mode: Literal["fast", "slow"], seed: Optional[int] = ...) -> bytes: ...
'''


def pools():
    return {k: list(init_args.POOL[k]) for k in init_args.ORDER}


def test_stub_annotations_give_arguments():
    st = init_sources.Stubs(PYI_TEXT)
    upd = st.params("xxh64.update")  # through the alias and the base class
    check([p.name for p in upd] == ["input"] and upd[0].values[:1] == init_args.POOL["str"][:1],
          "self dropped, the alias's Union gives str then bytes", [(p.name, p.values) for p in upd])
    check(st.params("xxh32.seed") is None, "a property is not a call")
    ctor = st.params("xxh32")
    check([p.optional for p in ctor] == [True, True], "the constructor is __init__ without self")
    tries = init_sources.stub_tries(st.params("digest"), pools())
    check(tries and tries[0][0] == init_args.POOL["bytes"][0] and tries[0][1] == "mode='fast'"
          and any(t[1] == "mode='slow'" for t in tries), "bytes, and the Literal's values by name", tries)
    check(init_sources.stub_tries(st.params("nothing_here"), pools()) == [], "a name the stub lacks gives nothing")


def test_stub_found_beside_the_module():
    folder = tempfile.mkdtemp(prefix="ftstress-stub-")
    so = os.path.join(folder, "fast.cpython-313td-x86_64-linux-gnu.so")
    open(so, "w").close()
    check(init_sources.stub_path(types.SimpleNamespace(__file__=so)) is None, "no stub: none found")
    open(os.path.join(folder, "fast.pyi"), "w").write(PYI_TEXT)
    check(init_sources.stub_path(types.SimpleNamespace(__file__=so)) == os.path.join(folder, "fast.pyi"),
          "NAME.pyi beside the extension")
    pkg = os.path.join(folder, "__init__.py")
    open(os.path.join(folder, "__init__.pyi"), "w").write(PYI_TEXT)
    check(init_sources.stub_path(types.SimpleNamespace(__file__=pkg)) == os.path.join(folder, "__init__.pyi"),
          "a package's __init__.pyi")


def test_doctest_examples_give_literal_arguments():
    doc = '''Hash things.

    >>> import fast
    >>> h = fast.xxh32(b'abc' * 4, seed=7)
    >>> fast.digest(data, mode='fast')
    >>> fast.digest(b"x", mode=open('/etc/passwd').read())
    >>> h.update(-1)
    ... h.update([1, 2])
    '''
    check(init_sources.doctest_tries("xxh32", [doc]) == [["b'abc' * 4", "seed=7"]], "the constructor's example",
          init_sources.doctest_tries("xxh32", [doc]))
    check(init_sources.doctest_tries("digest", [doc]) == [], "a session's name or a call is never an argument",
          init_sources.doctest_tries("digest", [doc]))
    check(init_sources.doctest_tries("xxh32.update", [None, doc]) == [["-1"], ["[1, 2]"]], "a method's examples",
          init_sources.doctest_tries("xxh32.update", [doc]))


if __name__ == "__main__":
    main([test_stub_annotations_give_arguments, test_stub_found_beside_the_module,
          test_doctest_examples_give_literal_arguments])
