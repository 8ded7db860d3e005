"""The CMake package: an outside project's ctest runs ftstress scenarios as tests, from the build
tree and from an installed copy, and reports the racy one as failed."""
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from ftest import SOURCE, check, main  # noqa: E402

BUILD = os.environ["FTSTRESS_BUILD_DIR"]
CONSUMER = os.path.join(SOURCE, "tests/cmake-consumer")


def consume(package_dir):
    work = tempfile.mkdtemp()
    p = subprocess.run(["cmake", "-S", CONSUMER, "-B", work, "-Dftstress_DIR=" + package_dir], capture_output=True,
                       text=True)
    check(p.returncode == 0, "configure failed", p.stdout, p.stderr)
    p = subprocess.run(["ctest", "--test-dir", work, "-V"], capture_output=True, text=True)
    return p


def check_results(p):
    check(p.returncode != 0, "the racy scenario must fail ctest", p.stdout[-3000:])
    check("consumer-clean ...................   Passed" in p.stdout or
          "Test #2: consumer-clean" in p.stdout and "Passed" in p.stdout, "clean one passes", p.stdout[-3000:])
    check("consumer-racy" in p.stdout and "***Failed" in p.stdout, "racy one fails", p.stdout[-3000:])
    check("next_version_unsafe" in p.stdout, "the failure output names the race", p.stdout[-3000:])


def test_from_the_build_tree():
    check_results(consume(BUILD))


def test_from_an_installed_copy():
    prefix = tempfile.mkdtemp()
    p = subprocess.run(["cmake", "--install", BUILD, "--prefix", prefix], capture_output=True, text=True)
    check(p.returncode == 0, "install failed", p.stdout, p.stderr)
    libdirs = [d for d in ("lib", "lib64") if os.path.isdir(os.path.join(prefix, d, "cmake/ftstress"))]
    check(libdirs, "package installed under lib*/cmake/ftstress")
    check_results(consume(os.path.join(prefix, libdirs[0], "cmake/ftstress")))


main([test_from_the_build_tree, test_from_an_installed_copy])
