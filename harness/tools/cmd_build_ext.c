/* `ftstress build-ext`: meet a project's build requirements, build it with the TSan interpreter into
 * a site folder, and check each built module: instrumented, not linked with GCC's TSan runtime,
 * importable with its packages, and whether it keeps the GIL off. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "build_backend.h"
#include "build_import.h"
#include "build_notes.h"
#include "build_requires.h"
#include "child_run.h"
#include "commands.h"
#include "elf_tsan.h"
#include "exit_codes.h"
#include "fsutil.h"
#include "log.h"
#include "options.h"
#include "preflight.h"
#include "proc.h"
#include "xalloc.h"

enum { O_SITE, O_NO_BRANCH_POINTS, O_HELP };
static const ft_option build_options[] = {
    [O_SITE] = {"site", 0, "DIR", "install into DIR (default .ftstress/site, which `run` uses)"},
    [O_NO_BRANCH_POINTS] = {"no-branch-points", 0, NULL,
                            "build without -fsanitize-coverage=trace-pc-guard (--perturb then holds threads back "
                            "only at calls into the module, never inside its functions)"},
    [O_HELP] = {"help", 'h', NULL, "this help"},
    {0},
};

typedef struct build_args {
    const char *site;
    int no_branch_points;
} build_args;

static int on_option(void *ctx, int index, const char *arg)
{
    build_args *a = ctx;
    if (index == O_SITE)
        a->site = arg;
    else if (index == O_NO_BRANCH_POINTS)
        a->no_branch_points = 1;
    else {
        ft_options_help(stdout, "ftstress build-ext SRC [--site DIR] [--no-branch-points]", build_options,
                        "SRC is a project folder or one .c file. Projects: setup.py or pyproject.toml with setuptools\n"
                        "(Cython's cythonize included), or pyproject.toml with build-backend = \"mesonpy\" (meson-\n"
                        "python) or \"scikit_build_core.build\" (CMake). The environment passes through (CC, CFLAGS,\n"
                        "LDFLAGS, a package's own switches). The build uses the interpreter's own setuptools, Cython,\n"
                        "meson-python and scikit-build-core, without isolation, from a copy of SRC; a build\n"
                        "requirement the interpreter lacks ([build-system] requires, setup_requires) is installed\n"
                        "from Debian's pure-Python python3-* package, or named with what to do (exit 3). C++ is\n"
                        "compiled and linked by the clang++ matching the interpreter's clang. The build is done when\n"
                        "every built module and its packages import in the TSan interpreter; else exit 1 with the\n"
                        "error and its likely cause. Guide: docs/build-ext.md.\n");
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

/* Whether the compiler named by `var` (CC or CXX; unset: the interpreter's clang, which has it)
 * takes -fsanitize-coverage=trace-pc-guard: GCC does not. Through the shell, as the build would
 * run "$CC" (it may be "ccache clang"). */
static int compiler_has_branch_points(const char *var, const char *language)
{
    const char *cc = getenv(var);
    if (!cc || !*cc)
        return 1;
    char *script = ft_xasprintf("$%s -fsanitize-coverage=trace-pc-guard -x %s -c -o /dev/null /dev/null", var, language);
    char *argv[] = {"/bin/sh", "-c", script, NULL};
    int rc = ft_child_run(argv, "/dev/null", NULL, 60, NULL);
    free(script);
    return rc == 0;
}

/* Branch points (inside_tsan/branch_points.h): every branch of the module calls back into the
 * driver, where --perturb's change points can then hold a thread inside a C function, the only
 * place a window between two loads opens (bench/RESULTS.md, "Perturbation"). Ahead of the user's
 * flags, which every backend passes on; the plain driver has no use for them. A compiler without
 * them builds the module as before, and says so. */
static int add_branch_points(void)
{
#ifdef FTSTRESS_NO_TSAN
    return 0;
#else
    static const struct {
        const char *flags, *compiler, *language;
    } vars[] = {{"CFLAGS", "CC", "c"}, {"CXXFLAGS", "CXX", "c++"}};
    for (size_t i = 0; i < sizeof vars / sizeof *vars; i++) {
        if (!compiler_has_branch_points(vars[i].compiler, vars[i].language)) {
            ft_info("%s (%s) has no -fsanitize-coverage=trace-pc-guard: no branch points in what it compiles "
                    "(--perturb holds threads back at calls only)", vars[i].compiler, getenv(vars[i].compiler));
            continue;
        }
        const char *old = getenv(vars[i].flags);
        char *flags = ft_xasprintf("-fsanitize-coverage=trace-pc-guard%s%s", old && *old ? " " : "", old ? old : "");
        int rc = setenv(vars[i].flags, flags, 1);
        free(flags);
        if (rc != 0)
            return -1;
    }
    return 0;
#endif
}

/* The backend's one-line note (see build_backend.h), malloc'd without its newline, or NULL. */
static char *read_note(const char *path)
{
    char line[256];
    FILE *f = fopen(path, "r");
    char *out = NULL;
    if (f && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        if (line[0])
            out = ft_xstrdup(line);
    }
    if (f)
        fclose(f);
    return out;
}

static int build_ext(int argc, char **argv)
{
    build_args a = {.site = ".ftstress/site"};
    int first, rc, problems = 0, import_failed = 0;
    struct stat st;
    char *site, *src, *note, *used;
    const char *tmpdir;
    int note_fd;
    ft_build_backend backend;
    ft_strlist built = {0};
    time_t start = time(NULL);

    if (ft_options_parse(argc, argv, build_options, on_option, &a, &first) != 0 || first != argc - 1) {
        fprintf(stderr, "usage: ftstress build-ext SRC [--site DIR]\n");
        return FT_EXIT_USAGE;
    }
    if (ft_preflight_interpreter() != 0)
        return FT_EXIT_CANNOT_RUN;
    if (!*argv[first]) { /* src=$(fetch-debian-source ...) that failed leaves "$src" empty */
        ft_error("build-ext: SRC is empty (did the command meant to give the source folder fail?)");
        return FT_EXIT_USAGE;
    }
    src = realpath(argv[first], NULL);
    if (!src || stat(src, &st) != 0) {
        ft_error("build-ext: no such file or folder: %s", argv[first]);
        return FT_EXIT_USAGE;
    }
    if (ft_mkdirs(a.site) != 0) {
        ft_error("build-ext: cannot create %s: %s", a.site, strerror(errno));
        return FT_EXIT_CANNOT_RUN;
    }
    site = realpath(a.site, NULL);
    if (!site) {
        ft_error("build-ext: cannot create %s", a.site);
        return FT_EXIT_CANNOT_RUN;
    }
    start -= 1; /* file times have one-second resolution on some file systems */

    if (S_ISDIR(st.st_mode)) {
        char *why = NULL;
        if (ft_build_detect(src, &backend, &why) != 0) {
            ft_error("build-ext: %s: %s", src, why);
            free(why);
            return FT_EXIT_USAGE;
        }
        rc = ft_build_requires(src);
        if (rc != 0)
            return rc;
        ft_info("building %s with %s (%s, no isolation)", src, FTSTRESS_PYTHON_EXE,
                backend == FT_BUILD_MESON_PYTHON        ? "meson-python"
                : backend == FT_BUILD_SCIKIT_BUILD_CORE ? "scikit-build-core"
                                                        : "setuptools build");
    } else if (strlen(src) > 2 && !strcmp(src + strlen(src) - 2, ".c")) {
        backend = FT_BUILD_SETUPTOOLS;
        ft_info("building %s with %s", src, FTSTRESS_PYTHON_EXE);
    } else {
        ft_error("build-ext: %s is neither a project folder nor a .c file", src);
        return FT_EXIT_USAGE;
    }
    tmpdir = getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    note = ft_xasprintf("%s/ftstress-backend-XXXXXX", tmpdir);
    note_fd = mkstemp(note);
    if (note_fd < 0) {
        ft_error("build-ext: cannot create a file in %s: %s", tmpdir, strerror(errno));
        free(note);
        return FT_EXIT_CANNOT_RUN;
    }
    close(note_fd);
    if (!a.no_branch_points && add_branch_points() != 0) {
        ft_error("build-ext: cannot set CFLAGS: %s", strerror(errno));
        unlink(note);
        free(note);
        return FT_EXIT_CANNOT_RUN;
    }
    /* The backend names itself and its versions here: a build prints too much to parse. */
    rc = backend == FT_BUILD_MESON_PYTHON        ? ft_build_meson_python(src, site, note)
         : backend == FT_BUILD_SCIKIT_BUILD_CORE ? ft_build_scikit_build_core(src, site, note)
                                                 : ft_build_setuptools(src, site, note);
    used = read_note(note);
    unlink(note);
    free(note);
    if (rc != 0) {
        ft_error("build-ext: the build failed (exit %d); the compiler's messages are above", rc);
        if (S_ISDIR(st.st_mode))
            ft_build_point_at_notes(src);
        free(used);
        return FT_EXIT_FINDINGS;
    }
    /* Which tool built it, with versions: the first thing to check when a build differs from upstream's. */
    printf("built with %s\n", used ? used : "(the backend did not say)");
    free(used);

    find_built(site, start, &built);
    if (built.count == 0) {
        ft_error("build-ext: the build succeeded but installed no extension module into %s", site);
        return FT_EXIT_FINDINGS;
    }
    /* The build's copy of the project: where a module the package imports but nobody installed
     * would be, if the build did not have to generate it. */
    char *sources = S_ISDIR(st.st_mode) ? ft_xasprintf("%s/.ftstress-build/%s/src", site, strrchr(src, '/') + 1) : NULL;
    for (size_t i = 0; i < built.count; i++) {
        char *name = module_name(site, built.items[i]);
        int inst = ft_elf_is_tsan_instrumented(built.items[i]);
        int gcc_tsan = ft_elf_needs_library(built.items[i], "libtsan.so") == 1;
        int gil_off = inst == 1 ? 0 : -2; /* the import shows what a GCC runtime does, too */
        printf("%s\n  file: %s\n", name, built.items[i]);
        if (gcc_tsan) {
            printf("  instrumented: with GCC's TSan runtime (it needs libtsan.so), which cannot load beside the\n"
                   "    interpreter's clang runtime: a source was compiled or linked by gcc/g++. Build C with the\n"
                   "    interpreter's clang (leave CC unset) and C++ with the matching clang++ (build-ext sets CXX\n"
                   "    and LDCXXSHARED unless you did).\n");
            problems++;
        } else if (inst == 1)
            printf("  instrumented: yes (calls the TSan runtime)\n");
        else {
            printf("  instrumented: NO - built without -fsanitize=thread; TSan cannot see its memory accesses.\n"
                   "    Build it with this interpreter's flags (do not override CFLAGS' -fsanitize=thread).\n");
            problems++;
        }
        if (gil_off == 0) {
            gil_off = ft_build_import(site, sources, name);
            if (gil_off < 0)
                problems++, import_failed++;
            else
                printf("  import: ok, with its packages\n");
        }
        if (gil_off == 1)
            printf("  GIL: stays off after import (declares Py_mod_gil = Py_MOD_GIL_NOT_USED)\n");
        else if (gil_off == 0)
            printf("  GIL: RE-ENABLED on import - the module does not declare Py_mod_gil. Most races hide with the GIL\n"
                   "    on: set env: {PYTHON_GIL: \"0\"} in scenarios to force it off; PYTHON_GIL: \"1\" makes a control run.\n");
        free(name);
    }
    free(sources);
    if (import_failed)
        ft_error("build-ext: %d built module%s did not import (the error and its likely cause are above): "
                 "the build is not done", import_failed, import_failed == 1 ? "" : "s");
    printf("installed into %s%s\n", site,
           strcmp(a.site, ".ftstress/site") ? " (pass --site to `ftstress run` too)" : " (ftstress run uses it)");
    ft_strlist_free(&built);
    free(site);
    free(src);
    return problems ? FT_EXIT_FINDINGS : FT_EXIT_OK;
}

const ft_command ft_cmd_build_ext = {"build-ext", "SRC", "build an extension from source with the TSan interpreter",
                                     build_ext};
