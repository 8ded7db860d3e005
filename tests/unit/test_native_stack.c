/* Unit tests: native stacks of every thread of another process, taken with ptrace (native_stack.c). */
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>

#include "check.h"
#include "native_stack.h"

extern char **environ;

/* Waits (up to 2 s: the machine may be busy) until `pid` sleeps, i.e. /bin/sleep reached nanosleep. */
static void wait_until_sleeping(pid_t pid)
{
    char path[64], state = 0;
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    for (int i = 0; i < 20 && state != 'S'; i++) {
        nanosleep(&(struct timespec){.tv_nsec = 100 * 1000 * 1000}, NULL);
        FILE *f = fopen(path, "r");
        if (f && fscanf(f, "%*d (%*[^)]) %c", &state) != 1)
            state = 0;
        if (f)
            fclose(f);
    }
}

/* A spawned /bin/sleep (never fork: this binary runs under TSan) is found sleeping in libc, with
 * well-formed frames; once it is reaped, its pid gives an error instead of stacks. */
void test_native_stacks_of_a_child(void)
{
    char *argv[] = {"/bin/sleep", "30", NULL}, *error = NULL;
    pid_t pid;
    int rc = posix_spawn(&pid, argv[0], NULL, NULL, argv, environ);
    CHECK_INT(rc, 0);
    if (rc)
        return;
    wait_until_sleeping(pid);

    json_t *threads = ft_native_stacks(pid, 64, &error), *t, *f;
    if (!threads)
        fprintf(stderr, "  ft_native_stacks: %s\n", error ? error : "(no error)");
    CHECK(threads != NULL);
    CHECK(json_array_size(threads) >= 1);
    int main_thread = 0, sleeping = 0, malformed = 0;
    size_t i, j;
    json_array_foreach(threads, i, t) {
        main_thread |= json_integer_value(json_object_get(t, "tid")) == pid;
        CHECK(json_is_string(json_object_get(t, "name")));
        CHECK(json_array_size(json_object_get(t, "frames")) > 0);
        json_array_foreach(json_object_get(t, "frames"), j, f) {
            const char *function = json_string_value(json_array_get(f, 0));
            malformed += json_array_size(f) != 4 || !function || !json_is_string(json_array_get(f, 1)) ||
                         !json_is_integer(json_array_get(f, 2)) || !json_is_string(json_array_get(f, 3));
            sleeping |= function && strstr(function, "sleep") != NULL; /* nanosleep, clock_nanosleep */
        }
    }
    CHECK(main_thread);
    CHECK(sleeping);
    CHECK_INT(malformed, 0);
    char *text = ft_native_stacks_text(threads);
    CHECK_CONTAINS(text, "TID ");
    CHECK_CONTAINS(text, "  #0  ");
    free(text);
    json_decref(threads);
    free(error);

    kill(pid, SIGKILL);
    CHECK_INT(waitpid(pid, NULL, 0), pid);
    error = NULL;
    threads = ft_native_stacks(pid, 64, &error);
    CHECK(threads == NULL);
    CHECK(error != NULL && *error);
    json_decref(threads);
    free(error);
}
