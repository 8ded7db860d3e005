"""Hostile and odd scenario files: `check` and `run` refuse each with exit 2 and a message that
names the file (and line:column where there is one), or load it, quickly and without sanitizer
output; `list` takes its options before or after the paths."""
import json
import os
import resource
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from ftest import SOURCE, check, main, run  # noqa: E402

BAD = os.path.join(SOURCE, "tests/data/bad")
SANITIZERS = ("ThreadSanitizer", "AddressSanitizer", "LeakSanitizer", "runtime error:", "SUMMARY:")


def clean_stderr(err, what):
    for word in SANITIZERS:
        check(word not in err, "%s: sanitizer output on stderr" % what, err)
    # A file the loader refused never reaches a worker: no "__worker: bad arguments", no status.
    check("__worker" not in err and "worker status" not in err, "%s: a worker was started" % what, err)


def cpu_seconds():
    """CPU time of the children waited for so far (ftstress and its workers): unlike the wall clock,
    it does not depend on what else the machine runs."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def timed_run(*args, expect_rc):
    """`run` that also returns the CPU seconds it took; the wall clock only has a backstop."""
    t0 = cpu_seconds()
    rc, out, err = run(*args, expect_rc=expect_rc, timeout=300)
    return rc, out, err, cpu_seconds() - t0


def refused(path, message, commands=("check", "run"), seconds=10):
    """Every command exits 2 within `seconds` of CPU time with `message` (file, position, text)."""
    for command in commands:
        out_dir = tempfile.mkdtemp(prefix="ftstress-bad-")
        args = (command, path, "-o", out_dir) if command == "run" else (command, path)
        rc, out, err, took = timed_run(*args, expect_rc=2)
        check(message in err, "%s %s: expected %r" % (command, os.path.basename(path), message), err)
        check(took < seconds, "%s %s took %.1f CPU seconds" % (command, os.path.basename(path), took))
        clean_stderr(err, "%s %s" % (command, path))
        # Every error line names the file.
        for line in err.splitlines():
            if "error:" in line:
                check(line.startswith(path + ":"), "an error that does not name the file", line, err)


def loads(path, commands=("check", "run"), seconds=20):
    """Every command accepts the file (exit 0) within `seconds` of CPU time; returns check's stdout."""
    first = None
    for command in commands:
        out_dir = tempfile.mkdtemp(prefix="ftstress-bad-")
        args = (command, path, "-o", out_dir) if command == "run" else (command, path)
        rc, out, err, took = timed_run(*args, expect_rc=0)
        check(took < seconds, "%s %s took %.1f CPU seconds" % (command, os.path.basename(path), took))
        clean_stderr(err, "%s %s" % (command, path))
        first = first if first is not None else out
    return first


def temp_file(name, data):
    path = os.path.join(tempfile.mkdtemp(prefix="ftstress-bad-"), name)
    with open(path, "wb") as f:
        f.write(data)
    return path


def test_files_without_a_scenario_are_errors_naming_the_file():
    for name in ("empty.yaml", "comments-only.yaml", "dashes-only.yaml"):
        path = os.path.join(BAD, name)
        refused(path, path + ": error: no scenario in this file")


def test_byte_order_mark_before_a_valid_scenario_loads():
    path = os.path.join(BAD, "bom.yaml")
    out = loads(path)
    check("1 scenario OK" in out, out)
    # The mark takes no column: the block's code starts at line 5, column 5, as an editor shows it.
    rc, out, err = run("list", "--json", path, expect_rc=0)
    body = json.loads(out)[0]["roles"][0]["body"]
    check((body["line"], body["column"]) == (5, 5), "block position after a BOM: %s" % body)
    # And an error on the first line is at column 1, with the line shown without the mark.
    bad = temp_file("bom-unknown.yaml", b"\xef\xbb\xbfnmae: x\nbody: pass\n")
    refused(bad, bad + ":1:1: error: unknown key 'nmae'", commands=("check",))
    rc, out, err = run("check", bad, expect_rc=2)
    check("\n  nmae: x\n  ^\n" in err, "the source line without the mark, caret under column 1", err)


def test_nul_bytes_are_refused_with_position():
    path = os.path.join(BAD, "nul-byte.yaml")
    refused(path, path + ":2:9: error: YAML syntax: a NUL byte")
    path = os.path.join(BAD, "nul-escape.yaml")
    refused(path, path + ":2:7: error: 'body' holds a NUL character")


def test_utf16_is_refused():
    path = os.path.join(BAD, "utf16.yaml")
    refused(path, path + ": error: this file is UTF-16")


def test_integers_past_64_bits_are_refused():
    path = os.path.join(BAD, "rounds-65-bits.yaml")
    refused(path, path + ":3:9: error: 'rounds' must be at most 2147483647, got 99999999999999999999999")


def test_timeouts_are_bounded_to_a_day():
    path = os.path.join(BAD, "timeout-1e10.yaml")
    refused(path, path + ":3:10: error: 'timeout' must be greater than 0 and at most 86400 seconds (a day)")


def test_deep_nesting_is_refused_quickly():
    # 10,000 '[' unclosed, the same closed, 10,000 nested mappings and a million '[': libyaml's
    # scanner takes time quadratic in the depth (hours for the million); the loader stops at depth
    # 64 (the document's mapping is level 1).
    opened = temp_file("nested-open.yaml", b"name: nested\nbody: pass\ntags: " + b"[" * 10000 + b"\n")
    refused(opened, opened + ":3:70: error: lists and mappings nested more than 64 deep", seconds=5)
    closed = temp_file("nested-closed.yaml", b"name: nested\nbody: pass\ntags: " + b"[" * 10000 + b"]" * 10000 + b"\n")
    refused(closed, closed + ":3:70: error: lists and mappings nested more than 64 deep", seconds=5)
    maps = temp_file("nested-maps.yaml", b"name: nested\nbody: pass\nenv: " + b"{a: " * 10000 + b"}" * 10000 + b"\n")
    refused(maps, maps + ":3:", seconds=5)
    million = temp_file("nested-million.yaml", b"name: nested\nbody: pass\ntags: " + b"[" * 1000000 + b"\n")
    refused(million, million + ":3:70: error: lists and mappings nested more than 64 deep", seconds=5)
    rc, out, err = run("check", opened, expect_rc=2)
    check(len(err) < 2000, "the offending line is shown cut to a window", err)


def test_ten_megabyte_body_loads_in_seconds():
    payload = b"a" * (10 * 1000 * 1000)
    path = temp_file("huge-body.yaml", b"name: huge-body\nthreads: 1\nrounds: 1\nbody: |\n  x = \"" + payload + b"\"\n")
    out = loads(path, seconds=20)
    check("1 scenario OK" in out, out)


def test_many_errors_stop_at_twenty():
    # 5,000 unknown keys: twenty errors and one line that says the loader stopped, not 5,000.
    text = b"name: many\nbody: pass\n" + b"".join(b"bogus%d: 1\n" % i for i in range(5000))
    path = temp_file("many-errors.yaml", text)
    refused(path, path + ": error: more than 20 errors in this file", commands=("check",))
    rc, out, err = run("check", path, expect_rc=2)
    check(err.count(": error: ") == 21, "21 error lines", err[:3000])


def test_long_values_are_cut_in_messages():
    # A 100 kB key (an explicit `?` key: a simple key stops at 1024 characters) that starts with a
    # terminal escape sequence, written as YAML's "\e" escape.
    path = temp_file("long-key.yaml", b'name: long\nbody: pass\n? "\\e[31m' + b"k" * 100000 + b'"\n: 1\n')
    refused(path, path + ":3:3: error: unknown key '\\x1b[31mkkkk", commands=("check",))
    rc, out, err = run("check", path, expect_rc=2)
    check(len(err) < 2000 and "\x1b" not in err, "a 100 kB key is cut and escapes are not passed on", err[:3000])


def test_list_takes_options_before_or_after_paths():
    path = os.path.join(BAD, "bom.yaml")
    rc, after, err = run("list", path, "--json", expect_rc=0)
    rc, before, err = run("list", "--json", path, expect_rc=0)
    check(after == before and json.loads(before)[0]["name"] == "bom-then-scenario", before, err)
    rc, table, err = run("list", path, expect_rc=0)
    check(table.startswith("bom-then-scenario "), table)
    run("list", "--json", expect_rc=2)
    run("list", "--no-such-option", path, expect_rc=2)
    rc, out, err = run("list", "--help", expect_rc=0)
    check("--json" in out, out)
    rc, out, err = run("check", "--help", expect_rc=0)
    check("usage: ftstress check" in out, out)


main([test_files_without_a_scenario_are_errors_naming_the_file, test_byte_order_mark_before_a_valid_scenario_loads,
      test_nul_bytes_are_refused_with_position, test_utf16_is_refused, test_integers_past_64_bits_are_refused,
      test_timeouts_are_bounded_to_a_day, test_deep_nesting_is_refused_quickly, test_ten_megabyte_body_loads_in_seconds,
      test_many_errors_stop_at_twenty, test_long_values_are_cut_in_messages, test_list_takes_options_before_or_after_paths])
