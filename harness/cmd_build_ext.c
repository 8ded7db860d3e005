/* `ftstress build-ext`: build an extension from source with the TSan interpreter, install it into a
 * site folder, and verify that it is instrumented and says whether it keeps the GIL off. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "elf_tsan.h"
#include "fsutil.h"
#include "log.h"
#include "options.h"
#include "preflight.h"
#include "proc.h"
#include "xalloc.h"

enum { O_SITE, O_HELP };
static const ft_option build_options[] = {
    [O_SITE] = {"site", 0, "DIR", "install into DIR (default .ftstress/site, which `run` uses)"},
    [O_HELP] = {"help", 'h', NULL, "this help"},
    {0},
};

/* Both builds start with this: the user's CFLAGS are added to the interpreter's (which hold
 * -fsanitize=thread), never put in their place, which is what distutils would do with them
 * (LDFLAGS and CPPFLAGS it already appends). */
#define KEEP_INTERPRETER_CFLAGS                                                                       \
    "import os, sysconfig\n"                                                                        \
    "if os.environ.get('CFLAGS'):\n"                                                                \
    "    os.environ['CFLAGS'] = (sysconfig.get_config_var('CFLAGS') or '') + ' ' + os.environ['CFLAGS']\n"

/* A single .c file, built as the module named after the file through setuptools, so the
 * interpreter's own compiler and flags (-fsanitize=thread among them) and $CFLAGS apply. */
static const char build_one_file[] =
    KEEP_INTERPRETER_CFLAGS
    "import os, sys, tempfile\n"
    "from setuptools import Distribution, Extension\n"
    "src, site = sys.argv[1], sys.argv[2]\n"
    "name = os.path.splitext(os.path.basename(src))[0]\n"
    "dist = Distribution({'name': name, 'ext_modules': [Extension(name, [src])]})\n"
    "cmd = dist.get_command_obj('build_ext')\n"
    "cmd.build_lib = site\n"
    "cmd.build_temp = tempfile.mkdtemp(prefix='ftstress-build-')\n"
    "cmd.force = True\n"
    "dist.run_command('build_ext')\n";

/* A project folder: setuptools' `build` (build_py + build_ext) into a scratch folder, then copied
 * into the site. No install step: Debian's setuptools patches its install commands for Debian's
 * own system Python, and those break under any other interpreter. The build runs on a copy of
 * the sources, so nothing (egg-info, build/) is written into the user's tree. */
static const char build_project[] =
    KEEP_INTERPRETER_CFLAGS
    "import os, runpy, shutil, sys, tempfile\n"
    "src, site = sys.argv[1], sys.argv[2]\n"
    "scratch = tempfile.mkdtemp(prefix='ftstress-build-')\n"
    "shutil.copytree(src, scratch + '/src', symlinks=True,\n"
    "                ignore=shutil.ignore_patterns('.git', '*.egg-info', 'build', '__pycache__'))\n"
    "src = scratch + '/src'\n"
    "os.chdir(src)\n"
    "sys.path.insert(0, src)\n"
    "sys.argv = ['setup.py', 'build', '--build-lib', scratch + '/lib', '--build-temp', scratch + '/temp']\n"
    "if os.path.exists('setup.py'):\n"
    "    runpy.run_path('setup.py', run_name='__main__')\n"
    "else:\n"
    "    import setuptools\n"
    "    setuptools.setup()\n"
    "if os.path.isdir(scratch + '/lib'):\n"
    "    shutil.copytree(scratch + '/lib', site, dirs_exist_ok=True)\n";

typedef struct build_args {
    const char *site;
} build_args;

static int on_option(void *ctx, int index, const char *arg)
{
    build_args *a = ctx;
    if (index == O_SITE)
        a->site = arg;
    else {
        ft_options_help(stdout, "ftstress build-ext SRC [--site DIR]", build_options,
                        "SRC is a project folder (setup.py, or pyproject.toml with setuptools) or one .c file.\n"
                        "The environment passes through (CFLAGS, a package's own switches); nothing is\n"
                        "downloaded: the build uses the interpreter's own setuptools, without isolation.\n");
        exit(0);
    }
    return 0;
}

/* Shared objects below `dir` changed since `since`, as paths. */
static void find_built(const char *dir, time_t since, ft_strlist *out)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        char *path = NULL;
        struct stat st;
        if (e->d_name[0] == '.' || asprintf(&path, "%s/%s", dir, e->d_name) < 0)
            continue;
        if (stat(path, &st) == 0) {
            if (S_ISDIR(st.st_mode))
                find_built(path, since, out);
            else if (strstr(e->d_name, ".so") && st.st_mtime >= since)
                ft_strlist_push(out, path);
        }
        free(path);
    }
    if (d)
        closedir(d);
}

/* "pkg/_speedups.cpython-313td-x86_64-linux-gnu.so" below the site -> "pkg._speedups". */
static char *module_name(const char *site, const char *path)
{
    char *name = ft_xstrdup(path + strlen(site) + 1), *dot;
    char *slash = strrchr(name, '/');
    dot = strchr(slash ? slash : name, '.');
    if (dot)
        *dot = '\0';
    for (char *p = name; *p; p++)
        if (*p == '/')
            *p = '.';
    return name;
}

/* Imports the module in a fresh interpreter with PYTHON_GIL unset: "False" when the GIL stays off. */
static int gil_stays_off(const char *site, const char *module)
{
    char code[512], out[64] = "", *pypath = NULL;
    snprintf(code, sizeof code,
             "import sys, warnings; warnings.simplefilter('ignore'); import %s; print(sys._is_gil_enabled())", module);
    pypath = ft_xasprintf("PYTHONPATH=%s", site);
    char *argv[] = {"env", "-u", "PYTHON_GIL", FTSTRESS_PYTHON_EXE, "-c", code, NULL};
    char *env[] = {pypath, "TSAN_OPTIONS=report_bugs=0", NULL};
    int rc = ft_run_command(argv, env, out, sizeof out);
    free(pypath);
    if (rc != 0)
        return -1;
    return !strncmp(out, "False", 5);
}

static int build_ext(int argc, char **argv)
{
    build_args a = {.site = ".ftstress/site"};
    int first, rc, problems = 0;
    struct stat st;
    char *site, *src;
    ft_strlist built = {0};
    time_t start = time(NULL);

    if (ft_options_parse(argc, argv, build_options, on_option, &a, &first) != 0 || first != argc - 1) {
        fprintf(stderr, "usage: ftstress build-ext SRC [--site DIR]\n");
        return 2;
    }
    if (ft_preflight_interpreter() != 0)
        return 3;
    src = realpath(argv[first], NULL);
    if (!src || stat(src, &st) != 0) {
        ft_error("build-ext: no such file or folder: %s", argv[first]);
        return 2;
    }
    if (ft_mkdirs(a.site) != 0) {
        ft_error("build-ext: cannot create %s: %s", a.site, strerror(errno));
        return 3;
    }
    site = realpath(a.site, NULL);
    if (!site) {
        ft_error("build-ext: cannot create %s", a.site);
        return 3;
    }
    start -= 1; /* file times have one-second resolution on some file systems */

    if (S_ISDIR(st.st_mode)) {
        char *argv_build[] = {FTSTRESS_PYTHON_EXE, "-c", (char *)build_project, src, site, NULL};
        ft_info("building %s with %s (setuptools build, no isolation, no network)", src, FTSTRESS_PYTHON_EXE);
        rc = ft_run_command(argv_build, NULL, NULL, 0);
    } else if (strlen(src) > 2 && !strcmp(src + strlen(src) - 2, ".c")) {
        char *argv_one[] = {FTSTRESS_PYTHON_EXE, "-c", (char *)build_one_file, src, site, NULL};
        ft_info("building %s with %s", src, FTSTRESS_PYTHON_EXE);
        rc = ft_run_command(argv_one, NULL, NULL, 0);
    } else {
        ft_error("build-ext: %s is neither a project folder nor a .c file", src);
        return 2;
    }
    if (rc != 0) {
        ft_error("build-ext: the build failed (exit %d); the compiler's messages are above", rc);
        return 1;
    }

    find_built(site, start, &built);
    if (built.count == 0) {
        ft_error("build-ext: the build succeeded but installed no extension module into %s", site);
        return 1;
    }
    for (size_t i = 0; i < built.count; i++) {
        char *name = module_name(site, built.items[i]);
        int inst = ft_elf_is_tsan_instrumented(built.items[i]);
        int gil_off = inst == 1 ? gil_stays_off(site, name) : -1;
        printf("%s\n  file: %s\n", name, built.items[i]);
        if (inst == 1)
            printf("  instrumented: yes (calls the TSan runtime)\n");
        else {
            printf("  instrumented: NO - built without -fsanitize=thread; TSan cannot see its memory accesses.\n"
                   "    Build it with this interpreter's flags (do not override CFLAGS' -fsanitize=thread).\n");
            problems++;
        }
        if (gil_off == 1)
            printf("  GIL: stays off after import (declares Py_mod_gil = Py_MOD_GIL_NOT_USED)\n");
        else if (gil_off == 0)
            printf("  GIL: RE-ENABLED on import - the module does not declare Py_mod_gil. Most races hide with the GIL\n"
                   "    on: set env: {PYTHON_GIL: \"0\"} in scenarios to force it off; PYTHON_GIL: \"1\" makes a control run.\n");
        else if (inst == 1)
            printf("  GIL: unknown - importing %s failed (try it in a scenario to see the error)\n", name);
        free(name);
    }
    printf("installed into %s%s\n", site,
           strcmp(a.site, ".ftstress/site") ? " (pass --site to `ftstress run` too)" : " (ftstress run uses it)");
    ft_strlist_free(&built);
    free(site);
    free(src);
    return problems ? 1 : 0;
}

const ft_command ft_cmd_build_ext = {"build-ext", "SRC", "build an extension from source with the TSan interpreter",
                                     build_ext};
