"""build-ext's build systems: a Cython project (setuptools + cythonize) and a meson-python project
each build instrumented through `ftstress build-ext`, say which backend built them, import in the
TSan interpreter, and a scenario finds each fixture's seeded race in the fixture's own function;
the source trees are left exactly as they were. Unsupported backends are refused with a reason."""
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from ftest import SOURCE, check, main, run, run_json, scenario  # noqa: E402

EXT = os.path.join(SOURCE, "tests/ext")


def tree(root):
    """Every file and folder below root with its size and modification time: a build that writes,
    touches or removes anything in the source tree changes this."""
    out = {}
    for d, dirs, files in os.walk(root):
        for name in dirs + files:
            path = os.path.join(d, name)
            st = os.lstat(path)
            out[os.path.relpath(path, root)] = (st.st_size, st.st_mtime_ns)
    return out


def build(fixture, work):
    """Builds a copy of tests/ext/FIXTURE with the default site (WORK/.ftstress/site); checks the
    module is instrumented and keeps the GIL off, and that the copy was not written to."""
    project = os.path.join(work, fixture)
    shutil.copytree(os.path.join(EXT, fixture), project)
    before = tree(project)
    rc, out, err = run("build-ext", project, cwd=work, expect_rc=0)
    check("instrumented: yes" in out and "instrumented: NO" not in out, "not instrumented", out, err[-3000:])
    check("GIL: stays off" in out, "the module re-enables the GIL", out, err[-3000:])
    after = tree(project)
    check(before == after, "build-ext changed the source tree of %s: %s" % (
        fixture, sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))))
    return out


def race_found(results, name, function):
    """The scenario raced, and a finding owned by the target names `function` on its stack."""
    check(scenario(results, name)["outcome"] == "race", "%s: no race found" % name, results["findings"])
    hits = [f for f in results["findings"] if f["scenario"] == name and f["owner"] == "target"
            and any(function in fn for fn in f["functions"])]
    check(hits, "%s: no target finding names %s" % (name, function),
          [(f["signature"], f["owner"]) for f in results["findings"]])


def test_cython_and_meson_projects_build_and_race():
    work = tempfile.mkdtemp(prefix="ftstress-buildsys-")
    out = build("cython_project", work)
    check("built with setuptools+Cython (setuptools " in out and "Cython 3." in out, "backend line missing", out)
    check("\nftcython\n" in "\n" + out, "the Cython module was not listed", out)
    out = build("meson_project", work)
    check("built with meson-python " in out and "(meson 1." in out, "backend line missing", out)
    check("ftmeson._counter" in out, "the meson module was not listed", out)
    check(os.path.isfile(os.path.join(work, ".ftstress/site/ftmeson/__init__.py")),
          "the meson project's Python file was not installed")
    rc, r, so, se = run_json(os.path.join(EXT, "build_systems.yaml"), cwd=work, expect_rc=0)
    # Cython names a def function's C implementation __pyx_pf_<len><module>_<name>.
    race_found(r, "built-cython-races", "racy_bump")
    race_found(r, "built-meson-races", "meson_racy_bump")
    # The race's location is a file that exists: the kept copy, Cython's generated C included.
    for f in r["findings"]:
        if f["owner"] == "target" and f.get("location"):
            path = f["location"].rsplit(":", 1)[0]
            check(os.path.exists(path), "finding location %r does not exist" % f["location"])


def test_unsupported_backends_are_refused_with_a_reason():
    work = tempfile.mkdtemp(prefix="ftstress-buildsys-")
    for backend in ("hatchling.build", "flit_core.buildapi"):
        project = os.path.join(work, backend.split(".")[0])
        os.makedirs(project)
        with open(os.path.join(project, "pyproject.toml"), "w") as f:
            f.write('[build-system]\nrequires = ["x"]\nbuild-backend = "%s"\n' % backend)
        rc, out, err = run("build-ext", project, "--site", work + "/site", expect_rc=2)
        check(backend in err and "setuptools" in err and "meson-python" in err, "no reason given", out, err)
    lone = os.path.join(work, "lone_meson")
    os.makedirs(lone)
    open(os.path.join(lone, "meson.build"), "w").write("project('x', 'c')\n")
    rc, out, err = run("build-ext", lone, "--site", work + "/site", expect_rc=2)
    check("pyproject.toml" in err and "mesonpy" in err, "no reason given for meson.build alone", out, err)


def test_meson_build_failure_shows_compiler_errors():
    work = tempfile.mkdtemp(prefix="ftstress-buildsys-")
    project = os.path.join(work, "meson_project")
    shutil.copytree(os.path.join(EXT, "meson_project"), project)
    with open(os.path.join(project, "src/ftmeson/_counter.c"), "a") as f:
        f.write("\nint broken( {\n")
    rc, out, err = run("build-ext", project, "--site", work + "/site", expect_rc=1)
    check("_counter.c" in out + err and "build failed" in err, "compiler errors not shown", out[-3000:], err[-3000:])


main([test_cython_and_meson_projects_build_and_race, test_unsupported_backends_are_refused_with_a_reason,
      test_meson_build_failure_shows_compiler_errors])
