"""build-ext's build requirements: setuptools_scm gets a version without git metadata, a requirement
that cannot be met stops the build with its name and what to do, and the Debian installer puts a
pure-Python package on an interpreter's path and refuses a compiled one."""
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from ftest import SOURCE, check, main, run  # noqa: E402

EXT = os.path.join(SOURCE, "tests/ext")


def test_setuptools_scm_writes_the_version_from_the_folder_name():
    work = tempfile.mkdtemp(prefix="ftstress-buildimport-")
    project = os.path.join(work, "ftscm-1.2.3")  # how an sdist or a Debian orig tarball unpacks
    shutil.copytree(os.path.join(EXT, "scm_project"), project)
    rc, out, err = run("build-ext", project, "--site", work + "/site", expect_rc=0)
    check("import: ok" in out, "the package did not import", out, err[-3000:])
    with open(os.path.join(work, "site/ftscm/_version.py")) as f:
        check("1.2.3" in f.read(), "setuptools_scm did not get the folder's version")


def write_project(work, requires):
    project = os.path.join(work, "p")
    os.makedirs(project)
    with open(os.path.join(project, "pyproject.toml"), "w") as f:
        f.write("[build-system]\nrequires = %s\nbuild-backend = \"setuptools.build_meta\"\n" % requires)
    return project


def test_unmet_build_requirements_stop_the_build_with_their_name():
    work = tempfile.mkdtemp(prefix="ftstress-buildimport-")
    project = write_project(work, '["setuptools", "numpy>=1.25"]')
    rc, out, err = run("build-ext", project, "--site", work + "/site", expect_rc=3)
    check("build requirement numpy>=1.25 cannot be met" in err and "ftstress build-ext SRC --site DIR" in err,
          "numpy not named with what to do", err)
    check("building " not in err, "the build started anyway", err)
    work = tempfile.mkdtemp(prefix="ftstress-buildimport-")
    project = write_project(work, '["setuptools", "ftstress-no-such-requirement"]')
    rc, out, err = run("build-ext", project, "--site", work + "/site", expect_rc=3)
    check("python3-ftstress-no-such-requirement" in err and "ftstress-no-such-requirement" in err,
          "the missing requirement is not named", err)


def test_installer_puts_a_pure_python_debian_package_on_the_path_and_refuses_a_compiled_one():
    """scripts/lib/install-debian-python against a stand-in interpreter whose purelib is a temporary
    folder: the shared interpreter is not touched."""
    import subprocess
    work = tempfile.mkdtemp(prefix="ftstress-installer-")
    os.makedirs(work + "/bin")
    with open(work + "/bin/python", "w") as f:
        f.write("#!/bin/sh\necho %s/site\n" % work)  # answers the installer's sysconfig question
    os.chmod(work + "/bin/python", 0o755)
    os.makedirs(work + "/site")
    installer = os.path.join(SOURCE, "scripts/lib/install-debian-python")
    p = subprocess.run([installer, work + "/bin/python", "python3-iniconfig"], capture_output=True, text=True)
    check(p.returncode == 0, "installing python3-iniconfig failed", p.stderr[-2000:])
    check(os.path.isfile(work + "/site/iniconfig/__init__.py"), "the package is not in purelib", os.listdir(work + "/site"))
    check(os.path.isfile(work + "/share/ftstress/debian-python/python3-iniconfig"), "no stamp")
    before = sorted(os.listdir(work + "/site"))
    p = subprocess.run([installer, work + "/bin/python", "python3-numpy"], capture_output=True, text=True)
    check(p.returncode == 3 and "not pure Python" in p.stderr, "a compiled package was not refused", p.stderr[-2000:])
    check(sorted(os.listdir(work + "/site")) == before, "a refused package left files behind")


main([test_setuptools_scm_writes_the_version_from_the_folder_name,
      test_unmet_build_requirements_stop_the_build_with_their_name,
      test_installer_puts_a_pure_python_debian_package_on_the_path_and_refuses_a_compiled_one])
