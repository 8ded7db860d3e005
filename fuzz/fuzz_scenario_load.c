/* libFuzzer target for the scenario loader (harness/scenario_load.c and what it uses).
 *
 * Each input is loaded from memory, in a buffer exactly its size so that ASan sees any read past
 * it, then the result is checked against what every consumer of a loaded set relies on, and the
 * diagnostics are printed (to /dev/null) the way users see them, which reads the offending lines
 * back from the file: so the input is also written to /dev/shm under the name it is loaded as.
 * Built by fuzz/CMakeLists.txt with -fsanitize=fuzzer,address,undefined and run by
 * scripts/fuzz-loader. */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "scenario.h"

static char path[64];
static FILE *devnull;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    snprintf(path, sizeof path, "/dev/shm/ftstress-fuzz-%ld.yaml", (long)getpid());
    devnull = fopen("/dev/null", "w");
    if (!devnull)
        abort();
    return 0;
}

/* A broken promise of the loader: abort, so that libFuzzer keeps the input. */
#define PROMISE(cond)                                                                                  \
    do {                                                                                               \
        if (!(cond)) {                                                                                 \
            fprintf(stderr, "fuzz_scenario_load: the loader broke its promise: %s\n", #cond);          \
            abort();                                                                                   \
        }                                                                                              \
    } while (0)

static void check_block(const ft_block *b)
{
    if (b->code)
        PROMISE(b->line >= 1 && b->column >= 1);
}

static void check_scenario(const ft_scenario *s)
{
    int threads = 0;
    PROMISE(s->file && !strcmp(s->file, path));
    PROMISE(s->name && *s->name && s->line >= 1);
    PROMISE(s->nroles >= 1 && s->roles);
    for (size_t r = 0; r < s->nroles; r++) {
        const ft_role *role = &s->roles[r];
        PROMISE(role->name && role->body.code);
        PROMISE(role->threads >= 1 && role->threads <= 1024 && role->iterations >= 1);
        check_block(&role->body);
        threads += role->threads;
        for (size_t q = 0; q < r; q++)
            PROMISE(strcmp(s->roles[q].name, role->name) != 0);
    }
    PROMISE(threads == ft_scenario_threads(s) && threads <= 1024);
    PROMISE(s->iterations >= 1 && s->rounds >= 1 && s->rounds_per_worker >= 0);
    PROMISE(s->timeout > 0 && s->timeout <= 86400 && s->setup_timeout > 0 && s->setup_timeout <= 86400);
    PROMISE((unsigned)s->expect <= FT_CRASH);
    check_block(&s->setup_once);
    check_block(&s->setup);
    check_block(&s->check);
    check_block(&s->teardown);
    check_block(&s->arbiter);
    for (size_t i = 0; i < s->noutcome_rules; i++) {
        const ft_outcome_rule *r = &s->outcome_rules[i];
        PROMISE(r->match && r->description && r->line >= 1 && (unsigned)r->verdict <= FT_FORBIDDEN_RESULT);
    }
    PROMISE(s->noutcome_rules == 0 || s->arbiter.code);
    for (size_t i = 0; i < s->env.count; i++)
        PROMISE(strchr(s->env.items[i], '=') && s->env.items[i][0] != '=');
    for (size_t i = 0; i < s->paths.count; i++)
        PROMISE(s->paths.items[i][0] == '/' || s->paths.items[i][0] == '.');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ft_scenario_set set = {0};
    ft_diags diags = {0};
    FILE *f = fopen(path, "wb");
    int rc;

    if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
        abort();
    rc = ft_scenarios_load_buffer(path, (const char *)data, size, &set, &diags);

    /* 0 exactly when there was nothing to say, and then at least one scenario. */
    PROMISE((rc == 0) == (diags.count == 0));
    PROMISE(rc != 0 || set.count >= 1);
    for (size_t i = 0; i < set.count; i++)
        check_scenario(&set.items[i]);
    for (size_t i = 0; i < diags.count; i++) {
        const ft_diag *d = &diags.items[i];
        PROMISE(d->file && !strcmp(d->file, path) && d->message && *d->message);
        PROMISE(d->line >= 0 && d->column >= 0 && (d->line > 0 || d->column == 0));
    }
    PROMISE(diags.count <= 21); /* at most FT_MAX_ERRORS, and the line that says it stopped */

    ft_diags_fprint(devnull, &diags);
    ft_diags_free(&diags);
    ft_scenarios_free(&set);
    unlink(path);
    return 0;
}
