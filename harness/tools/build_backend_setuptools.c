/* build-ext's setuptools backend: setup.py and pyproject.toml projects (Cython's cythonize
 * included) and single .c files, built by the TSan interpreter's own setuptools. */
#include <string.h>

#include "build_backend.h"
#include "proc.h"

/* Both builds start with this: the user's CFLAGS are added to the interpreter's (which hold
 * -fsanitize=thread), never put in their place, which is what distutils would do with them
 * (LDFLAGS and CPPFLAGS it already appends). */
#define KEEP_INTERPRETER_CFLAGS                                                                       \
    "import os, sysconfig\n"                                                                        \
    "if os.environ.get('CFLAGS'):\n"                                                                \
    "    os.environ['CFLAGS'] = (sysconfig.get_config_var('CFLAGS') or '') + ' ' + os.environ['CFLAGS']\n"

/* setuptools' build_ext imports Cython whenever it can and hands every extension to Cython's
 * build_ext, which costs seconds under TSan (measured: a one-file build took 14.4 s of CPU with
 * it, 9.8 s without) and changes nothing for C sources. So Cython is hidden from projects that do
 * not mention it: no .pyx or .pxd file, no "cython" in setup.py or pyproject.toml. */
#define HIDE_CYTHON_UNLESS_USED                                                                      \
    "def mentions_cython():\n"                                                                       \
    "    for d, _, files in os.walk('.'):\n"                                                         \
    "        if any(f.endswith(('.pyx', '.pxd')) for f in files):\n"                                 \
    "            return True\n"                                                                      \
    "    for name in ('setup.py', 'pyproject.toml'):\n"                                              \
    "        if os.path.exists(name):\n"                                                             \
    "            with open(name, errors='replace') as f:\n"                                          \
    "                if 'cython' in f.read().lower():\n"                                             \
    "                    return True\n"                                                              \
    "    return False\n"                                                                             \
    "uses_cython = mentions_cython()\n"                                                              \
    "if not uses_cython:\n"                                                                          \
    "    sys.modules['Cython'] = None\n"

/* The note: setuptools' version, and Cython's when the project uses it. */
#define WRITE_NOTE                                                                                   \
    "import setuptools\n"                                                                           \
    "with open(note, 'w') as f:\n"                                                                  \
    "    if uses_cython and sys.modules.get('Cython'):\n"                                           \
    "        import Cython\n"                                                                       \
    "        f.write('setuptools+Cython (setuptools %s, Cython %s)\\n' % (setuptools.__version__, Cython.__version__))\n" \
    "    else:\n"                                                                                   \
    "        f.write('setuptools %s\\n' % setuptools.__version__)\n"

/* A single .c file, built as the module named after the file through setuptools, so the
 * interpreter's own compiler and flags (-fsanitize=thread among them) and $CFLAGS apply. */
static const char build_one_file[] =
    KEEP_INTERPRETER_CFLAGS
    FT_BUILD_PY_CLANGXX
    "import os, shutil, sys, tempfile\n"
    "src, site, note = sys.argv[1:4]\n"
    "uses_cython = False\n"
    "sys.modules['Cython'] = None  # see HIDE_CYTHON_UNLESS_USED\n"
    "from setuptools import Distribution, Extension\n"
    "name = os.path.splitext(os.path.basename(src))[0]\n"
    "dist = Distribution({'name': name, 'ext_modules': [Extension(name, [src])]})\n"
    "cmd = dist.get_command_obj('build_ext')\n"
    "cmd.build_lib = site\n"
    "cmd.build_temp = tempfile.mkdtemp(prefix='ftstress-build-')\n"
    "cmd.force = True\n"
    "dist.run_command('build_ext')\n"
    "shutil.rmtree(cmd.build_temp, ignore_errors=True)\n"
    WRITE_NOTE;

/* A project folder: setuptools' `build` (build_py + build_ext) in the copy, then the built tree
 * copied into the site. No install step: Debian's setuptools patches its install commands for
 * Debian's own system Python, and those break under any other interpreter. */
static const char build_project[] =
    KEEP_INTERPRETER_CFLAGS
    FT_BUILD_PY_CLANGXX
    FT_BUILD_PY_COPY_PROJECT
    FT_BUILD_PY_SCM_VERSION
    HIDE_CYTHON_UNLESS_USED
    "import runpy\n"
    "sys.path.insert(0, work + '/src')\n"
    "sys.argv = ['setup.py', 'build', '--build-lib', work + '/lib', '--build-temp', work + '/temp']\n"
    "if os.path.exists('setup.py'):\n"
    "    runpy.run_path('setup.py', run_name='__main__')\n"
    "else:\n"
    "    import setuptools\n"
    "    setuptools.setup()\n"
    "if os.path.isdir(work + '/lib'):\n"
    "    shutil.copytree(work + '/lib', site, dirs_exist_ok=True)\n"
    WRITE_NOTE;

int ft_build_setuptools(const char *src, const char *site, const char *note)
{
    size_t n = strlen(src);
    int one_file = n > 2 && !strcmp(src + n - 2, ".c");
    char *argv[] = {FTSTRESS_PYTHON_EXE, "-c", (char *)(one_file ? build_one_file : build_project),
                    (char *)src, (char *)site, (char *)note, NULL};
    return ft_run_command(argv, NULL, NULL, 0);
}
