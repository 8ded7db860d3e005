"""build-ext finishes only when its modules import: a package whose generated file is missing fails
with the import error and its cause; C++ (a plain extension, a Cython language=c++ module, a
scikit-build-core CMake project) is built by the clang++ matching the interpreter's clang and imports;
a module linked with GCC's TSan runtime is refused; a build that stops early names the project's
switches."""
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from ftest import SOURCE, check, main, run  # noqa: E402

EXT = os.path.join(SOURCE, "tests/ext")


def test_a_package_that_does_not_import_fails_the_build():
    work = tempfile.mkdtemp(prefix="ftstress-buildimport-")
    rc, out, err = run("build-ext", os.path.join(EXT, "missing_generated"), "--site", work + "/site", expect_rc=1)
    check("instrumented: yes" in out, "the extension itself should build", out, err[-2000:])
    check("import: FAILED" in out and "No module named 'ftgen._version'" in out, "no import error", out)
    check("ftgen/_version.py is in neither the sources nor the installed package" in out
          and "should have generated" in out, "no likely cause", out)
    check("ftgen/__init__.py:2" in out, "the frame that imports it is not shown", out)
    check("did not import" in err, "no summary on stderr", err[-2000:])


def test_cxx_is_built_by_clang_and_imports():
    work = tempfile.mkdtemp(prefix="ftstress-buildimport-")
    rc, out, err = run("build-ext", os.path.join(EXT, "cxx_project"), "--site", work + "/site", expect_rc=0)
    for module in ("ftcxx._vec", "ftcxx._cyvec"):
        block = out.split(module + "\n", 1)[1].split("\nftcxx.", 1)[0]
        check("instrumented: yes" in block and "import: ok" in block and "GIL: stays off" in block,
              module, out, err[-3000:])
    # setuptools echoes each command: the C++ sources went through clang++, never g++ / c++
    lines = [l for l in out.splitlines() if "_vec.o" in l or "_cyvec.o" in l]
    check(len(lines) == 4 and all(l.startswith("clang++-") for l in lines), "not compiled and linked by clang++", lines)


def test_a_module_linked_with_gccs_tsan_runtime_is_refused():
    if not shutil.which("gcc"):
        print("skip: no gcc")
        return
    work = tempfile.mkdtemp(prefix="ftstress-buildimport-")
    rc, out, err = run("build-ext", os.path.join(EXT, "single/ftsingle.c"), "--site", work + "/site",
                       env={"CC": "gcc"}, expect_rc=1)
    check("GCC's TSan runtime" in out and "libtsan.so" in out, "GCC's runtime not refused", out, err[-2000:])
    # and the import shows what that runtime does beside clang's, with its cause
    check("cannot allocate memory in static TLS block" in out
          and "likely cause: GCC's ThreadSanitizer runtime" in out, "no import error with its cause", out)


def test_scikit_build_core_project_builds_with_clang_and_imports():
    work = tempfile.mkdtemp(prefix="ftstress-buildimport-")
    rc, out, err = run("build-ext", os.path.join(EXT, "skbuild_project"), "--site", work + "/site", expect_rc=0)
    check("built with scikit-build-core " in out and "(CMake 3." in out, "backend line missing", out[-3000:])
    check("ftskb._skb" in out and "instrumented: yes" in out and "import: ok" in out and "GIL: stays off" in out,
          out[-3000:], err[-3000:])
    check("The CXX compiler identification is Clang" in out, "CMake did not use clang++", out[-5000:])
    check(os.path.isfile(os.path.join(work, "site/ftskb/__init__.py")), "the package's Python file not installed")


def test_a_build_that_stops_before_compiling_names_the_projects_switches():
    work = tempfile.mkdtemp(prefix="ftstress-buildimport-")
    project = os.path.join(work, "p")
    os.makedirs(project)
    with open(os.path.join(project, "setup.py"), "w") as f:
        f.write("import os, sys\nif not os.environ.get('FTFIX_LINK_SYSTEM'):\n"
                "    sys.exit('bundled library missing')\n")
    with open(os.path.join(project, "README.rst"), "w") as f:
        f.write("Set FTFIX_LINK_SYSTEM=1 to link the system library.\n")
    rc, out, err = run("build-ext", project, "--site", work + "/site", expect_rc=1)
    check("build failed" in err and "FTFIX_LINK_SYSTEM" in err and project + "/README.rst" in err,
          "the switch and the README are not named", err[-2000:])


main([test_a_package_that_does_not_import_fails_the_build, test_cxx_is_built_by_clang_and_imports,
      test_a_module_linked_with_gccs_tsan_runtime_is_refused,
      test_scikit_build_core_project_builds_with_clang_and_imports,
      test_a_build_that_stops_before_compiling_names_the_projects_switches])
