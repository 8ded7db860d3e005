/* build-ext's meson-python backend: a pyproject.toml project with build-backend = "mesonpy",
 * built through meson-python's own PEP 517 hook by the TSan interpreter. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "build_backend.h"
#include "log.h"
#include "proc.h"

/* The meson bootstrap unpacks from Debian, run by the system python3 (a build tool need not be
 * instrumented, and under TSan it would take seconds per call). */
#define MESON_LAUNCHER FTSTRESS_PYTHON_PREFIX "/share/ftstress/meson/meson"

/* Why meson-python's build_wheel rather than meson setup/compile/install by hand: the project's
 * own [tool.meson-python.args], its install plan (which files go into which package) and the
 * interpreter meson builds for are all what a real `pip install` would use. meson-python already
 * writes a native file naming sys.executable - the TSan interpreter this runs in - so meson finds
 * that Python's headers and extension suffix (.cpython-313td-...). On top of the project's options:
 *   -Db_sanitize=thread      instruments the code (meson adds it to compile and link lines)
 *   -Db_lundef=false         no -Wl,--no-undefined: clang leaves the TSan runtime's symbols
 *                            undefined in a shared library, for the interpreter to provide
 *                            (numpy's advice for sanitizer builds)
 *   -Dbuildtype=debugoptimized  -g, so TSan's stacks have file:line (meson-python's default,
 *                            release, has no debug information); later options win in meson
 * CC defaults to the interpreter's compiler, whose TSan runtime the interpreter carries; the
 * user's CFLAGS, LDFLAGS and CC pass through the environment to meson. The build runs on a copy
 * of the sources, its build folder beside it, and the wheel is unpacked into the site: no
 * install step, no pip, nothing written into the user's tree. The copy and the build folder stay
 * until the next build of the same project, so that TSan's file:line names files that exist. */
static const char build_mesonpy[] =
    FT_BUILD_PY_COPY_PROJECT
    FT_BUILD_PY_SCM_VERSION
    FT_BUILD_PY_CLANGXX
    "import json, sysconfig, zipfile\n"
    "meson = sys.argv[4]\n"
    "os.environ['MESON'] = meson\n"
    "os.environ.setdefault('CC', sysconfig.get_config_var('CC'))\n"
    "import mesonpy\n"
    "args = ['-Db_sanitize=thread', '-Db_lundef=false', '-Dbuildtype=debugoptimized']\n"
    "os.mkdir(work + '/dist')\n"
    "wheel = mesonpy.build_wheel(work + '/dist', {'build-dir': work + '/build', 'setup-args': args})\n"
    "wheel_path = work + '/dist/' + wheel\n"
    FT_BUILD_PY_UNPACK_WHEEL
    "with open(work + '/build/meson-info/meson-info.json') as f:\n"
    "    meson_version = json.load(f)['meson_version']['full']\n"
    "with open(note, 'w') as f:\n"
    "    f.write('meson-python %s (meson %s)\\n' % (mesonpy.__version__, meson_version))\n";

int ft_build_meson_python(const char *src, const char *site, const char *note)
{
    char *argv[] = {FTSTRESS_PYTHON_EXE, "-c", (char *)build_mesonpy, (char *)src, (char *)site, (char *)note,
                    MESON_LAUNCHER, NULL};
    if (access(MESON_LAUNCHER, X_OK) != 0) {
        ft_error("build-ext: meson is not installed for this interpreter (%s: %s); run scripts/bootstrap", MESON_LAUNCHER,
                 strerror(errno));
        return -1;
    }
    return ft_run_command(argv, NULL, NULL, 0);
}
