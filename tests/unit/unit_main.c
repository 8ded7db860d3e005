/* Runs every unit test (or those named on the command line), each in a child process of its own
 * with a timeout, so that one crash or hang fails one test and the others still run; prints the
 * closing tally. The binary is built with TSan, which must not fork: children are spawned as
 * `ftstress_unit --one NAME`. */
#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "commands.h"

#define TEST_TIMEOUT_SECONDS 60

int check_failures;
extern char **environ;

const char *ft_self_exe(void) { return "/proc/self/exe"; }

#define X(name) void name(void);
#include "unit_tests.def"
#undef X

static const unit_test tests[] = {
#define X(name) {#name, name},
#include "unit_tests.def"
#undef X
};

/* In the child: one test, its verdict as the exit code. */
static int run_one(const char *name)
{
    for (size_t i = 0; i < sizeof tests / sizeof *tests; i++)
        if (!strcmp(tests[i].name, name)) {
            tests[i].fn();
            fflush(stdout);
            return check_failures ? 1 : 0;
        }
    fprintf(stderr, "no unit test named %s\n", name);
    return 2;
}

/* In the parent: spawns the child and waits for it, at most TEST_TIMEOUT_SECONDS. Returns a
 * verdict word for the tally line. */
static const char *run_isolated(const char *exe, const char *name)
{
    char *argv[] = {(char *)exe, "--one", (char *)name, NULL};
    pid_t pid;
    int status = 0, err = posix_spawn(&pid, exe, NULL, NULL, argv, environ);
    if (err) {
        fprintf(stderr, "  cannot start %s: %s\n", name, strerror(err));
        return "FAIL";
    }
    struct timespec nap = {0, 10 * 1000 * 1000};
    for (long waited_ms = 0;; waited_ms += 10) {
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid)
            break;
        if (r < 0 && errno != EINTR)
            return "FAIL";
        if (waited_ms >= TEST_TIMEOUT_SECONDS * 1000L) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            fprintf(stderr, "  %s: no result after %d s: killed\n", name, TEST_TIMEOUT_SECONDS);
            return "TIMEOUT";
        }
        nanosleep(&nap, NULL);
    }
    if (WIFSIGNALED(status)) {
        fprintf(stderr, "  %s: died of signal %d (%s)\n", name, WTERMSIG(status), strsignal(WTERMSIG(status)));
        return "CRASH";
    }
    return WEXITSTATUS(status) == 0 ? "PASS" : "FAIL";
}

int main(int argc, char **argv)
{
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    int passed = 0, failed = 0;

    if (argc == 3 && !strcmp(argv[1], "--one"))
        return run_one(argv[2]);
    if (n <= 0) {
        fprintf(stderr, "cannot find the test binary itself\n");
        return 2;
    }
    exe[n] = '\0';
    for (size_t i = 0; i < sizeof tests / sizeof *tests; i++) {
        int selected = argc < 2;
        for (int a = 1; a < argc; a++)
            selected |= !strcmp(argv[a], tests[i].name);
        if (!selected)
            continue;
        const char *verdict = run_isolated(exe, tests[i].name);
        if (!strcmp(verdict, "PASS"))
            passed++;
        else
            failed++;
        printf("%s %s\n", verdict, tests[i].name);
        fflush(stdout);
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed || !passed ? 1 : 0;
}
