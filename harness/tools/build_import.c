/* build-ext's import check: a build is done when its modules import. Each built module and the
 * packages above it are imported in a fresh TSan interpreter; a failure is shown with its error,
 * the frames that raised it and the likely cause, because "exit 0, then every scenario NOTRUN"
 * was how a package missing its generated version file looked before (issue 22). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build_import.h"
#include "proc.h"
#include "xalloc.h"

/* argv: SITE SOURCES MODULE. The first stdout line is "gil True", "gil False" or "failed"; after
 * "failed", the error, up to six frames and a "likely cause:" paragraph. The causes, each seen on a
 * real package (issue 22):
 *   - ModuleNotFoundError for a module of the package itself that is in neither the sources nor
 *     the site: a generated file (setuptools_scm's version file: xxhash/version.py, isal/_version.py)
 *   - "cannot allocate memory in static TLS block" naming libtsan: GCC's TSan runtime, linked by
 *     g++ (msgpack's Cython C++ module built with the interpreter's recorded CXX = c++)
 *   - "LIB: cannot open shared object file": a library the module links is not installed
 *   - "undefined symbol: SYM": the module was linked without the library that defines SYM */
static const char import_check[] =
    "import importlib, os, re, sys, traceback, warnings\n"
    "warnings.simplefilter('ignore')\n"
    "site, sources, name = sys.argv[1:4]\n"
    "parts = name.split('.')\n"
    "try:\n"
    "    for i in range(1, len(parts) + 1):\n"
    "        importlib.import_module('.'.join(parts[:i]))\n"
    "except BaseException as e:\n"
    "    print('failed')\n"
    "    print(''.join(traceback.format_exception_only(type(e), e)).rstrip())\n"
    "    frames = traceback.extract_tb(e.__traceback__)\n"
    "    frames = [f for f in frames if not f.filename.startswith('<') and '/importlib/' not in f.filename][-6:]\n"
    "    for f in frames:\n"
    "        print('  at %s:%s in %s' % (f.filename, f.lineno, f.name))\n"
    "    text, cause = str(e), None\n"
    "    missing = getattr(e, 'name', None) if isinstance(e, ModuleNotFoundError) else None\n"
    "    def mentions(word):\n"
    "        for n in ('pyproject.toml', 'setup.py', 'setup.cfg'):\n"
    "            p = os.path.join(sources, n)\n"
    "            if os.path.isfile(p):\n"
    "                with open(p, errors='replace') as f:\n"
    "                    if word in f.read():\n"
    "                        return n\n"
    "    if missing and missing.split('.')[0] == parts[0]:\n"
    "        rel = missing.replace('.', '/')\n"
    "        found = [c for c in (rel + '.py', rel + '/__init__.py', 'src/' + rel + '.py')\n"
    "                 if os.path.exists(os.path.join(sources, c))]\n"
    "        if sources and found:\n"
    "            cause = ('%s is in the sources but was not installed: the project\\'s package list '\n"
    "                     '(packages, package_dir, py_modules or the backend\\'s install plan) leaves it out' % found[0])\n"
    "        else:\n"
    "            cause = ('%s.py is in neither the sources nor the installed package: a file the build should '\n"
    "                     'have generated' % rel)\n"
    "            scm = mentions('setuptools_scm') or mentions('setuptools-scm')\n"
    "            if scm:\n"
    "                cause += ('. %s names setuptools_scm, which writes the version file (write_to / version_file) '\n"
    "                          'only when it is installed at build time and knows the version: without git metadata '\n"
    "                          'it reads SETUPTOOLS_SCM_PRETEND_VERSION' % scm)\n"
    "    elif missing:\n"
    "        cause = ('%s is not installed for this interpreter: a run-time dependency. A C extension: build it '\n"
    "                 'with `ftstress build-ext` into the same site; pure Python: put it on PYTHONPATH' % missing)\n"
    "    elif 'static TLS block' in text and 'libtsan' in text:\n"
    "        cause = ('GCC\\'s ThreadSanitizer runtime (libtsan.so) was linked in: a source was compiled or linked '\n"
    "                 'by g++ or gcc. This interpreter carries clang\\'s TSan runtime: build C with its clang (CC '\n"
    "                 'unset) and C++ with the matching clang++ (CXX=clang++-N LDCXXSHARED=\"clang++-N -shared\")')\n"
    "    elif 'cannot open shared object file' in text:\n"
    "        lib = re.search(r'([^ :/]+\\.so[.0-9]*): cannot open', text)\n"
    "        lib = lib.group(1) if lib else 'a shared library'\n"
    "        cause = ('the module links %s, which the dynamic loader does not find: install the Debian package '\n"
    "                 'that provides it (its -dev package for building), or add its folder to LD_LIBRARY_PATH' % lib)\n"
    "    elif 'undefined symbol' in text:\n"
    "        sym = text.rsplit('undefined symbol:', 1)[1].strip()\n"
    "        cause = ('the module was linked without the library that defines %s: its build should add it '\n"
    "                 '(LDFLAGS=-lNAME, or the project\\'s own switch for linking a system library)' % sym)\n"
    "    if cause:\n"
    "        print('likely cause: ' + cause)\n"
    "    sys.exit(0)\n"
    "print('gil', sys._is_gil_enabled())\n";

int ft_build_import(const char *site, const char *sources, const char *module)
{
    char out[16384] = "";
    char *pypath = ft_xasprintf("PYTHONPATH=%s", site);
    char *argv[] = {"env", "-u", "PYTHON_GIL", FTSTRESS_PYTHON_EXE, "-c", (char *)import_check, (char *)site,
                    (char *)(sources ? sources : ""), (char *)module, NULL};
    /* report_bugs=0: a race at import is for `ftstress run` to find, not for this check to print */
    char *env[] = {pypath, "TSAN_OPTIONS=report_bugs=0", NULL};
    int rc = ft_run_command(argv, env, out, sizeof out);
    free(pypath);
    if (rc == 0 && !strncmp(out, "gil ", 4))
        return !strncmp(out + 4, "False", 5);
    /* the interpreter died (a crash in the module's init) or printed something else */
    const char *body = !strncmp(out, "failed\n", 7) ? out + 7 : out;
    printf("  import: FAILED%s\n", rc ? " (the interpreter exited abnormally)" : "");
    for (const char *line = body; *line;) {
        const char *end = strchr(line, '\n');
        int len = end ? (int)(end - line) : (int)strlen(line);
        printf("    %.*s\n", len, line);
        line += len + (end != NULL);
    }
    if (rc)
        printf("    (exit status %d)\n", rc);
    return -1;
}
