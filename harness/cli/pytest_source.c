/* `ftstress run --pytest ARGS...`: the collector run that turns a project's tests into scenarios. */
#include "pytest_source.h"

#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "exit_codes.h"
#include "fsutil.h"
#include "log.h"
#include "proc.h"
#include "xalloc.h"

/* The folder of pytest_collect.py and ftstress_pytest.py: beside the binary (the build copies them
 * there, `cmake --install` puts them there), else the source tree's harness/tools. Malloc'd. */
static char *tools_dir(void)
{
    char exe[PATH_MAX];
    snprintf(exe, sizeof exe, "%s", ft_self_exe());
    char *dir = ft_xstrdup(dirname(exe));
    char *beside = ft_xasprintf("%s/ftstress_pytest.py", dir);
    int ok = access(beside, R_OK) == 0;
    free(beside);
    if (ok)
        return dir;
    free(dir);
    return ft_xstrdup(FTSTRESS_TOOLS_DIR);
}

char *ft_pytest_scenarios(const char *out_dir, const ft_strlist *sites, int threads, int iterations, long rounds,
                          char *const *args, int nargs, int *rc)
{
    char *dir = tools_dir(), *out = ft_xasprintf("%s/pytest-scenarios.yaml", out_dir);
    char *script = ft_xasprintf("%s/pytest_collect.py", dir);
    char nt[32], ni[32], nr[32];
    ft_strlist argv = {0};

    snprintf(nt, sizeof nt, "%d", threads > 0 ? threads : FT_PYTEST_DEFAULT_THREADS);
    snprintf(ni, sizeof ni, "%d", iterations > 0 ? iterations : 1);
    snprintf(nr, sizeof nr, "%ld", rounds > 0 ? rounds : FT_PYTEST_DEFAULT_ROUNDS);
    const char *fixed[] = {"env", "-u", "PYTHON_GIL", FTSTRESS_PYTHON_EXE, script, out, dir, nt, ni, nr};
    ft_strlist_push_all(&argv, fixed, sizeof fixed / sizeof *fixed);
    ft_strlist_push_all(&argv, (const char *const *)args, (size_t)nargs);
    char **cmd = ft_strlist_argv(&argv);

    /* The run's site folders on PYTHONPATH, as the workers have them on sys.path; TSan quiet: the
     * collector is single-threaded and its reports would only be noise. */
    char *joined = ft_strlist_join(sites, ":");
    const char *gil = getenv("PYTHON_GIL"); /* the tests' scenarios get it as their `env` */
    char *env[] = {ft_xasprintf("PYTHONPATH=%s", joined), ft_xasprintf("FTSTRESS_PYTEST_GIL=%s", gil ? gil : ""),
                   "TSAN_OPTIONS=report_bugs=0", "PYTHONDONTWRITEBYTECODE=", NULL};
    ft_info("collecting the tests with pytest in the TSan interpreter (%s)", script);
    int status = ft_run_command(cmd, env, NULL, 0);
    free(env[0]);
    free(env[1]);
    free(joined);
    free(cmd);
    ft_strlist_free(&argv);
    free(script);
    free(dir);
    if (status == 0 && access(out, R_OK) == 0) {
        *rc = FT_EXIT_OK;
        return out;
    }
    if (status < 0)
        ft_error("--pytest: cannot start %s", FTSTRESS_PYTHON_EXE);
    else
        ft_error("--pytest: collecting the tests failed (exit %d); pytest's messages are above", status);
    *rc = status == 2 ? FT_EXIT_USAGE : FT_EXIT_CANNOT_RUN;
    free(out);
    return NULL;
}
