/* build-ext's scikit-build-core backend: a pyproject.toml project with build-backend =
 * "scikit_build_core.build" (CMake; the usual backend of pybind11 and nanobind extensions), built
 * through scikit-build-core's own PEP 517 hook by the TSan interpreter. */
#include "build_backend.h"
#include "proc.h"

/* Why scikit-build-core's build_wheel rather than cmake by hand: the project's [tool.scikit-build]
 * settings and install() rules decide which files go where, as in a real `pip install`; it hands
 * CMake the running interpreter (the TSan one) as Python_EXECUTABLE, so FindPython finds its
 * headers and its extension suffix (.cpython-313td-...). On top of the project's settings:
 *   CFLAGS/CXXFLAGS/LDFLAGS  -fsanitize=thread, ahead of the user's (CMake reads them at configure)
 *   CC, CXX                  the interpreter's clang and the matching clang++ (FT_BUILD_PY_CLANGXX)
 *   cmake.build-type         RelWithDebInfo: -O2 -g, so TSan's stacks have file:line
 *   build-dir                beside the copy and kept, like meson-python's, so that file:line exists
 * The wheel is unpacked into the site: no pip, nothing written into the user's tree. */
static const char build_skbuild[] =
    FT_BUILD_PY_COPY_PROJECT
    FT_BUILD_PY_SCM_VERSION
    FT_BUILD_PY_CLANGXX
    "import subprocess, sysconfig\n"
    "for var in ('CFLAGS', 'CXXFLAGS', 'LDFLAGS'):\n"
    "    os.environ[var] = ('-fsanitize=thread ' + os.environ.get(var, '')).strip()\n"
    "os.environ.setdefault('CC', sysconfig.get_config_var('CC'))\n"
    "import scikit_build_core, scikit_build_core.build\n"
    "os.mkdir(work + '/dist')\n"
    "settings = {'build-dir': work + '/build', 'cmake.build-type': 'RelWithDebInfo'}\n"
    "wheel = scikit_build_core.build.build_wheel(work + '/dist', settings)\n"
    "wheel_path = work + '/dist/' + wheel\n"
    FT_BUILD_PY_UNPACK_WHEEL
    "cmake = subprocess.run(['cmake', '--version'], capture_output=True, text=True).stdout.split()\n"
    "with open(note, 'w') as f:\n"
    "    f.write('scikit-build-core %s (CMake %s)\\n' % (scikit_build_core.__version__, cmake[2] if len(cmake) > 2 else '?'))\n";

int ft_build_scikit_build_core(const char *src, const char *site, const char *note)
{
    char *argv[] = {FTSTRESS_PYTHON_EXE, "-c", (char *)build_skbuild, (char *)src, (char *)site, (char *)note, NULL};
    return ft_run_command(argv, NULL, NULL, 0);
}
