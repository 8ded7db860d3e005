"""build-ext: a single .c file and a setuptools project are built instrumented, installed into a
site folder and imported by a scenario run; an uninstrumented build is caught."""
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from ftest import SOURCE, check, main, run, run_json, scenario  # noqa: E402

EXT = os.path.join(SOURCE, "tests/ext")


def test_build_single_file_and_project_then_run():
    work = tempfile.mkdtemp()
    project = os.path.join(work, "project")
    shutil.copytree(os.path.join(EXT, "project"), project)  # pip writes build files into the source
    rc, out, err = run("build-ext", os.path.join(EXT, "single/ftsingle.c"), cwd=work, expect_rc=0)
    check("instrumented: yes" in out and "GIL: stays off" in out, out, err)
    rc, out, err = run("build-ext", project, cwd=work, expect_rc=0)
    check("fttiny._speed" in out and "instrumented: yes" in out, out, err[-3000:])
    # A C-only project is not handed to Cython's build_ext, though Cython is installed.
    check("built with setuptools " in out and "Cython" not in out, "wrong backend line", out)
    check(os.path.isdir(os.path.join(work, ".ftstress/site/fttiny")), "installed into .ftstress/site")
    rc, r, so, se = run_json(os.path.join(EXT, "both.yaml"), cwd=work, expect_rc=0)
    check(scenario(r, "built-single-file-races")["outcome"] == "race", "the single-file module's race was found")
    check(scenario(r, "built-project-clean")["outcome"] == "clean", "the project's module ran clean")


def test_uninstrumented_build_is_caught():
    site = tempfile.mkdtemp()
    rc, out, err = run("build-ext", os.path.join(EXT, "single/ftsingle.c"), "--site", site,
                       env={"CFLAGS": "-fno-sanitize=thread"}, expect_rc=1)
    check("instrumented: NO" in out, out, err)


def test_user_cflags_add_to_the_tsan_flags_and_the_tree_stays_clean():
    work = tempfile.mkdtemp()
    project = os.path.join(work, "project")
    shutil.copytree(os.path.join(EXT, "project"), project)
    before = sorted(os.path.relpath(os.path.join(d, f), project) for d, _, fs in os.walk(project) for f in fs)
    # The usual way to pass a define: it must join -fsanitize=thread, not replace it.
    rc, out, err = run("build-ext", project, "--site", work + "/site", env={"CFLAGS": "-DFTSTRESS_TEST_DEFINE=1"},
                       expect_rc=0)
    check("instrumented: yes" in out, "a user's CFLAGS replaced the TSan flags", out, err[-2000:])
    after = sorted(os.path.relpath(os.path.join(d, f), project) for d, _, fs in os.walk(project) for f in fs)
    check(before == after, "build-ext wrote into the source tree: %s" % sorted(set(after) - set(before)))


def test_build_failure_shows_compiler_errors():
    work = tempfile.mkdtemp()
    bad = os.path.join(work, "broken.c")
    open(bad, "w").write("#include <Python.h>\nint broken( {\n")
    rc, out, err = run("build-ext", bad, "--site", work + "/site", expect_rc=1)
    check("broken.c:2" in out + err and "build failed" in err, out, err)


def test_missing_or_empty_source_is_a_usage_error():
    work = tempfile.mkdtemp()
    rc, out, err = run("build-ext", work + "/nothing-here", "--site", work + "/site", expect_rc=2)
    check("no such file or folder: " + work + "/nothing-here" in err, out, err)
    # what src=$(scripts/fetch-debian-source ...) leaves when the fetch failed
    rc, out, err = run("build-ext", "", "--site", work + "/site", expect_rc=2)
    check("SRC is empty" in err, out, err)


main([test_build_single_file_and_project_then_run, test_uninstrumented_build_is_caught,
      test_user_cflags_add_to_the_tsan_flags_and_the_tree_stays_clean, test_build_failure_shows_compiler_errors,
      test_missing_or_empty_source_is_a_usage_error])
