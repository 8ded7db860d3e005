/* `ftstress doctor`: a preflight a user can read, each failure with how to fix it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <unistd.h>

#include "commands.h"
#include "exit_codes.h"
#include "preflight.h"

static int failures;

static void line(int ok, const char *what, const char *detail, const char *fix)
{
    printf("%-5s %-22s %s\n", ok ? "ok" : "FAIL", what, detail);
    if (!ok) {
        failures++;
        if (fix)
            printf("      fix: %s\n", fix);
    }
}

/* Runs the interpreter for one answer; the doctor itself, like the supervisor, never embeds Python. */
static int ask_python(const char *code, char *out, size_t n)
{
    char cmd[1024];
    FILE *p;
    snprintf(cmd, sizeof cmd, "'%s' -c \"%s\" 2>/dev/null", FTSTRESS_PYTHON_EXE, code);
    p = popen(cmd, "r");
    if (!p)
        return -1;
    if (!fgets(out, (int)n, p))
        out[0] = '\0';
    out[strcspn(out, "\n")] = '\0';
    return pclose(p) == 0 ? 0 : -1;
}

static int doctor(int argc, char **argv)
{
    char buf[512], detail[1024];
    FILE *f;
    (void)argv;
    if (argc > 1) {
        printf("usage: ftstress doctor\nChecks the interpreter, the TSan runtime, the GIL, ASLR, the symbolizer and the\n"
               "suppression files; exits 0 when all is well, 3 otherwise.\n");
        return argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) ? FT_EXIT_OK : FT_EXIT_USAGE;
    }
    int have_python = access(FTSTRESS_PYTHON_PREFIX "/.ftstress-complete", F_OK) == 0 &&
                      access(FTSTRESS_PYTHON_EXE, X_OK) == 0;
    line(have_python, "interpreter", FTSTRESS_PYTHON_EXE, "run scripts/bootstrap (it builds the interpreter once)");
    if (!have_python) {
        printf("\n%d problem%s: ftstress cannot run.\n", failures, failures == 1 ? "" : "s");
        return FT_EXIT_CANNOT_RUN;
    }
    if (ask_python("import sys; print(sys.version.split()[0], sys._is_gil_enabled())", buf, sizeof buf) == 0) {
        char version[64] = "", gil[16] = "";
        sscanf(buf, "%63s %15s", version, gil);
        snprintf(detail, sizeof detail, "CPython %s, free-threaded", version);
        line(1, "version", detail, NULL);
        line(!strcmp(gil, "False"), "GIL at start", !strcmp(gil, "False") ? "disabled" : "ENABLED",
             "unset PYTHON_GIL=1 in the environment; the interpreter must be built --disable-gil");
    } else
        line(0, "version", "the interpreter does not start", "rerun scripts/bootstrap");
    if (ask_python("import sysconfig; print('-fsanitize=thread' in sysconfig.get_config_var('CFLAGS'))", buf,
                   sizeof buf) == 0)
        line(!strcmp(buf, "True"), "TSan runtime",
             !strcmp(buf, "True") ? "interpreter and extensions built with -fsanitize=thread; ftstress linked with it"
                                  : "the interpreter is not instrumented",
             "rebuild with scripts/bootstrap (configure --with-thread-sanitizer)");
    int bits = -1;
    if ((f = fopen("/proc/sys/vm/mmap_rnd_bits", "r"))) {
        if (fscanf(f, "%d", &bits) != 1)
            bits = -1;
        fclose(f);
    }
    int no_aslr = (personality(0xffffffff) & ADDR_NO_RANDOMIZE) != 0;
    snprintf(detail, sizeof detail, "vm.mmap_rnd_bits=%d%s", bits, no_aslr ? ", ASLR off for this process" : "");
    line(bits <= 28 || no_aslr, "ASLR", detail,
         "sudo sysctl vm.mmap_rnd_bits=28, or run under 'setarch -R' (TSan needs 28 bits or fewer)");
    line(access(FTSTRESS_SYMBOLIZER, X_OK) == 0, "symbolizer", FTSTRESS_SYMBOLIZER,
         "install llvm (scripts/bootstrap does); without it stacks are bare addresses");
    ft_suppressions supp = {0};
    ft_diags diags = {0};
    int ok = ft_load_suppressions(&supp, NULL, 1, &diags) == 0 && access(ft_cpython_suppressions_path(), R_OK) == 0;
    snprintf(detail, sizeof detail, "%zu entries (CPython's %s and %s/suppressions)", supp.count,
             ft_cpython_suppressions_path(), FTSTRESS_SOURCE_DIR);
    line(ok, "suppressions", detail, "rerun scripts/bootstrap, which keeps CPython's file beside the interpreter");
    if (diags.count)
        ft_diags_print(&diags);
    ft_diags_free(&diags);
    ft_suppressions_free(&supp);
    printf("\n%s\n", failures ? "some checks failed: see the fixes above" : "all checks passed");
    return failures ? FT_EXIT_CANNOT_RUN : FT_EXIT_OK;
}

const ft_command ft_cmd_doctor = {"doctor", "", "preflight: interpreter, TSan runtime, GIL, ASLR, suppressions", doctor};
