/* `run --interpreter tsan|plain`: which interpreter this driver is built for, and handing the run
 * to the driver built for the other one. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exit_codes.h"
#include "interpreter_handoff.h"
#include "log.h"
#include "xalloc.h"

/* This driver's interpreter: "plain" when built with FTSTRESS_SANITIZER=none, else "tsan". */
const char *ft_own_interpreter(void)
{
    return strcmp(FTSTRESS_SANITIZER_NAME, "none") ? "tsan" : "plain";
}

/* --interpreter names the other interpreter: exec the driver built for it, with the same
 * arguments (it accepts --interpreter naming itself). Its folder: FTSTRESS_PLAIN_BUILD /
 * FTSTRESS_TSAN_BUILD, else build-plain / build in the sources. Returns only on failure. */
int ft_exec_interpreter_driver(const char *which, int argc, char **argv)
{
    const char *env = getenv(!strcmp(which, "plain") ? "FTSTRESS_PLAIN_BUILD" : "FTSTRESS_TSAN_BUILD");
    char *build = env && *env ? ft_xstrdup(env)
                              : ft_xasprintf("%s/%s", FTSTRESS_SOURCE_DIR, !strcmp(which, "plain") ? "build-plain" : "build");
    char *exe = ft_xasprintf("%s/harness/ftstress", build);
    char **args = ft_xcalloc((size_t)argc + 2, sizeof *args);
    args[0] = exe;
    for (int i = 0; i < argc; i++)
        args[i + 1] = argv[i]; /* argv[0] is "run" */
    if (getenv("FTSTRESS_INTERPRETER_HANDOFF")) {
        /* a driver handed the run here already: this folder's driver is not built for `which` */
        ft_error("--interpreter %s: %s is not built for the %s interpreter (it is %s)", which, exe, which,
                 ft_own_interpreter());
    } else if (access(exe, X_OK) != 0) {
        ft_error("--interpreter %s: no driver at %s (%s); build it with scripts/bootstrap --sanitizer %s", which, exe,
                 strerror(errno), !strcmp(which, "plain") ? "none" : "thread");
    } else {
        setenv("FTSTRESS_INTERPRETER_HANDOFF", which, 1);
        execv(exe, args);
        ft_error("--interpreter %s: cannot run %s: %s", which, exe, strerror(errno));
    }
    free(args);
    free(exe);
    free(build);
    return FT_EXIT_CANNOT_RUN;
}

