"""`ftstress init` follows the data and does no harm: a returned C object (_struct's unpack_iterator)
gets a shared scenario calling its __next__ slot, itertools.count's repr is a reader against next,
signatures are read without self and with keyword-only parameters by name, Cython's typed parameters
("size_t number") by name and type, a shared object re-runs its own C __init__, returned strings feed later calls (bytes as
streams too), dumps(obj) gets a container, a module named `_x` gives scenario names without a leading '-', and an integer never goes where a file descriptor is taken."""
import os
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "lib"))
sys.path.insert(0, os.path.join(HERE, "..", "harness", "tools"))
import init_args  # noqa: E402
from ftest import check, main, run  # noqa: E402


def test_signatures_are_read_as_python_reads_them():
    import io
    encode = init_args.candidates(str.encode)  # ($self, /, encoding='utf-8', errors='strict')
    check(encode[0] == [], "self is not a parameter; defaults are left out first", encode[:3])
    srt = init_args.candidates(sorted)  # (iterable, /, *, key=None, reverse=False)
    with_kw = [c for c in srt if len(c) == 2]
    check(srt[0] and len(srt[0]) == 1 and with_kw and all(c[1].startswith("key=") for c in with_kw),
          "keyword-only is passed by name", srt[:3], with_kw[:3])
    opener = init_args.candidates(io.FileIO)  # (file, mode='r', closefd=True, opener=None)
    check(all(not c or c[0] not in init_args.POOL["int"] for c in opener),
          "no integer where a file descriptor is taken", opener[:10])
    check(init_args.split_arg("level=1") == ("level", "1") and init_args.split_arg("'a=b'") == (None, "'a=b'"),
          "keyword arguments split, strings left alone")


def test_cython_typed_parameters():
    class Embedded:  # what Cython's embedsignature gives a class: "Address(size_t number, size_t elem_size)"
        __doc__ = "Address(size_t number, double ratio, str text, pymalloc=Default_Malloc)\n\nA block."
    ps = init_args.params(Embedded())
    check([p.name for p in ps] == ["number", "ratio", "text", "pymalloc"] and ps[3].optional,
          "the C type is not the name; defaults stay optional", [(p.name, p.optional) for p in ps])
    check([p.kind() for p in ps[:3]] == ["int", "float", "str"], "the declared type gives the kind",
          [p.kind() for p in ps])
    first = init_args.candidates(Embedded())[0]
    check(first == ["0", "1.5", "'alpha,beta,gamma'"], "the first list follows the declared types", first)


def generate(folder, module):
    out = os.path.join(folder, module + ".yaml")
    run("init", module, "-o", out, expect_rc=0)
    run("check", out, expect_rc=0)
    return open(out).read()


def test_returned_strings_and_containers():
    folder = tempfile.mkdtemp(prefix="ftstress-init-data-")
    text = generate(folder, "_json")  # scanstring needs a string that starts at a quote
    check("_json.scanstring, _json.encode_basestring(" in text, "a returned str feeds a later call", text[:3000])
    text = generate(folder, "_pickle")
    check("f_load = lambda: _pickle.load(io.BytesIO(_pickle.dumps(" in text,
          "returned bytes as a stream to read, a fresh one each call", text[:3000])
    check("_pickle.dumps, shared_0" in text, "dumps(obj) gets a container other threads change", text)


def test_returned_objects_and_slots_are_probed():
    folder = tempfile.mkdtemp(prefix="ftstress-init-follow-")
    text = struct = generate(folder, "_struct")
    check("name: struct-unpack-iterator-shared" in text and "m___next__ = obj.__next__" in text,
          "the unpack_iterator iter_unpack returned is shared and its __next__ called", text)
    check("name: -" not in text and "Types reached through objects that calls returned" in text,
          "no scenario name starts with '-'; the header says what was followed", text)
    text = generate(folder, "itertools")
    count = text[text.index("name: itertools-count-shared"):]
    count = count[:count.index("expect:")]
    check("m___next__()" in count and "m___repr__()" in count, "count: __next__ against __repr__", count)
    shared = struct[struct.index("name: struct-struct-shared"):]
    shared = shared[:shared.index("expect:")]
    check("m___init__ = obj.__init__" in shared, "a shared Struct re-runs its C __init__ (tp_init)", shared)


if __name__ == "__main__":
    main([test_signatures_are_read_as_python_reads_them, test_cython_typed_parameters,
          test_returned_strings_and_containers, test_returned_objects_and_slots_are_probed])
