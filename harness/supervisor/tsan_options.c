/* The TSAN_OPTIONS a worker or a fork server runs with. */
#include "tsan_options.h"

#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

/* TSan options every worker runs with. halt_on_error=0: keep going after the first report, each
 * gets its own verdict. Suppressions are applied by ftstress, not TSan, so that suppressed reports
 * are still counted. handle_*=0: a fatal signal goes to the worker's own handler (crash_signal.c),
 * never to TSan's deadly-signal report, which can hang in a crashing target; CPython's own TSan CI
 * runs with handle_segv=0 too. atexit_sleep_ms=0: the worker's threads are done when it exits, so
 * TSan's default one-second wait for them is pure cost. */
static const char tsan_defaults[] = "halt_on_error=0 handle_segv=0 handle_sigbus=0 handle_sigill=0 handle_sigfpe=0 "
                                    "handle_abort=0 atexit_sleep_ms=0";

char *ft_tsan_quoted(const char *value)
{
    /* TSan's flag parser splits at spaces and takes a value whole between ' or " (no escapes) */
    return ft_xasprintf(strchr(value, '"') ? "'%s'" : "\"%s\"", value);
}

char *ft_worker_tsan_options(const char *symbolizer)
{
    const char *user = getenv("TSAN_OPTIONS");
    char *path = ft_tsan_quoted(symbolizer);
    char *s = ft_xasprintf("%s%s%s external_symbolizer_path=%s", user ? user : "", user ? " " : "", tsan_defaults, path);
    free(path);
    return s;
}
