/* Unit tests: signatures, titles, owners and deduplication on real reports captured from runs
 * (tests/data/reports, written by the TSan hook), plus exit codes and crash/hang parsing. */
#include <stdlib.h>

#include "check.h"
#include "attribution.h"
#include "frames.h"
#include "crash_log.h"
#include "render.h"
#include "results.h"

static json_t *load_report(const char *name)
{
    char path[512];
    json_error_t err;
    snprintf(path, sizeof path, "%s/tests/data/reports/%s.json", FTSTRESS_SOURCE_DIR, name);
    json_t *r = json_load_file(path, 0, &err);
    if (!r)
        fprintf(stderr, "  cannot load %s: %s\n", path, err.text);
    return r;
}

/* A one-scenario results object for feeding reports to. */
static void one_scenario(ft_results *r, ft_scenario_set *set, const char *name, ft_outcome expect)
{
    static size_t zero = 0;
    set->items = calloc(1, sizeof *set->items);
    set->count = 1;
    set->items[0] = (ft_scenario){.file = strdup("/x/s.yaml"), .name = strdup(name), .expect = expect, .rounds = 10};
    set->items[0].roles = calloc(1, sizeof(ft_role));
    set->items[0].roles[0] = (ft_role){.name = strdup("body"), .threads = 4, .iterations = 1};
    set->items[0].nroles = 1;
    ft_results_init(r, set, &zero, 1, NULL, NULL);
    r->scenarios[0].status = FT_ST_RAN;
}

/* `rep` fed to a fresh one-scenario results object, which must hold exactly one finding; *out gets
 * it (NULL when not). The caller checks it, then calls done(). */
static void sole_finding(json_t *rep, ft_results *r, ft_scenario_set *set, const ft_finding **out)
{
    *set = (ft_scenario_set){0};
    one_scenario(r, set, "s", FT_RACE);
    ft_results_report(r, 0, rep, 0.5);
    CHECK_INT(r->nfindings, 1);
    *out = r->nfindings == 1 ? &r->findings[0] : NULL;
}

static void done(json_t *rep, ft_results *r, ft_scenario_set *set)
{
    json_decref(rep);
    ft_results_free(r);
    ft_scenarios_free(set);
}

void test_signature_of_real_reports(void)
{
    static const struct {
        const char *file, *signature, *owner;
    } cases[] = {
        {"demo-stats-unsafe-0", "race:record|record", "target"},
        {"demo-ticket-unsafe-0", "race:next_ticket_unsafe|next_ticket_unsafe", "target"},
        {"p9-atomic-one-side-0", "race:counter_next|counter_repr_plain", "target"},
        {"p6-static-buffer-unsafe-0", "race:format_item_unsafe|format_item_unsafe", "target"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        ft_results r;
        ft_scenario_set set = {0};
        json_t *rep = load_report(cases[i].file);
        if (!rep) {
            check_failures++;
            continue;
        }
        one_scenario(&r, &set, "s", FT_RACE);
        ft_results_report(&r, 0, rep, 0.5);
        CHECK_INT(r.nfindings, 1);
        if (r.nfindings) {
            CHECK_STR(r.findings[0].signature, cases[i].signature);
            CHECK_STR(r.findings[0].owner, cases[i].owner);
            CHECK_CONTAINS(r.findings[0].title, "data race: ");
            CHECK(strchr(r.findings[0].signature, '0') == NULL || strstr(cases[i].signature, "0")); /* no addresses */
            CHECK_CONTAINS(r.findings[0].report, "WARNING: ThreadSanitizer: data-race");
        }
        /* The same report again is the same finding, counted twice. */
        ft_results_report(&r, 0, rep, 0.6);
        CHECK_INT(r.nfindings, 1);
        CHECK_INT(r.findings[0].count, 2);
        ft_results_finish(&r);
        CHECK_INT(r.scenarios[0].outcome, FT_RACE);
        CHECK(r.scenarios[0].passed);
        json_decref(rep);
        ft_results_free(&r);
        ft_scenarios_free(&set);
    }
}

/* A report whose stacks hold the harness's own frames, "@HARNESS@/..." in the file, made this
 * build's (ft_frame_is_harness knows the harness by its source folder). */
static json_t *load_report_in_harness(const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/tests/data/reports/%s.json", FTSTRESS_SOURCE_DIR, name);
    FILE *f = fopen(path, "rb");
    char text[65536];
    size_t n = f ? fread(text, 1, sizeof text - 1, f) : 0;
    if (f)
        fclose(f);
    text[n] = 0;
    char *data = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&data, &size);
    for (const char *p = text, *at; out && *p; p = at + strlen("@HARNESS@")) {
        if (!(at = strstr(p, "@HARNESS@"))) {
            fputs(p, out);
            break;
        }
        fprintf(out, "%.*s%s", (int)(at - p), p, FTSTRESS_HARNESS_DIR);
    }
    if (out)
        fclose(out);
    json_error_t err;
    json_t *r = data ? json_loads(data, 0, &err) : NULL;
    if (!r)
        fprintf(stderr, "  cannot load %s: %s\n", path, data ? err.text : "no memory");
    free(data);
    return r;
}

/* CPython's string interning raced because the harness interned a new dict key from two team
 * threads at once (PyDict_SetItemString in ft_exercise_body_raised): the harness's race, though
 * every racing frame is CPython's, since the harness called the C API with no Python code between. */
void test_harness_calling_cpython_owns_the_race(void)
{
    ft_results r;
    ft_scenario_set set;
    const ft_finding *f;
    json_t *rep = load_report_in_harness("harness-interning-0");
    if (!rep) {
        check_failures++;
        return;
    }
    sole_finding(rep, &r, &set, &f);
    if (f) {
        CHECK_STR(f->signature, "race:intern_common|unicode_eq");
        CHECK_STR(f->owner, "harness");
    }
    done(rep, &r, &set);
}

/* One side frees a string inside the harness's own exception handling, the other is CPython's
 * fatal-error traceback dump walking that thread from scenario code: not the harness's race (it
 * needs every racing access on the harness's calls; ftstress.supp suppresses it as the dump it is). */
void test_harness_beside_a_crash_dump_is_not_the_harness(void)
{
    ft_results r;
    ft_scenario_set set;
    const ft_finding *f;
    json_t *rep = load_report_in_harness("harness-beside-dump-0");
    if (!rep) {
        check_failures++;
        return;
    }
    sole_finding(rep, &r, &set, &f);
    if (f)
        CHECK_STR(f->owner, "cpython");
    done(rep, &r, &set);
}

/* The symbolizer gave the writer's top frame line 0 (an instruction the compiler attributed to no
 * line); the finding points at the other access's line in the same function instead. */
void test_location_skips_line_zero(void)
{
    ft_results r;
    ft_scenario_set set;
    const ft_finding *f;
    json_t *rep = load_report("next-token-line-zero-0");
    if (!rep) {
        check_failures++;
        return;
    }
    sole_finding(rep, &r, &set, &f);
    if (f) {
        CHECK_STR(f->signature, "race:next_token_unsafe|next_token_unsafe");
        CHECK_STR(f->location, "/work/main/tests/targets/seeded_globals.c:161");
    }
    done(rep, &r, &set);

    /* Neither access has a line (both in an inlined helper): the nearest caller's, split_fields. */
    rep = load_report("next-token-line-zero-0");
    json_t *other_top = json_array_get(json_object_get(json_array_get(json_object_get(rep, "mops"), 1), "frames"), 0);
    json_array_set_new(other_top, 2, json_integer(0));
    sole_finding(rep, &r, &set, &f);
    if (f)
        CHECK_STR(f->location, "/work/main/tests/targets/seeded_globals.c:197");
    done(rep, &r, &set);
}

void test_ring_races_collapse_to_function_pairs(void)
{
    /* Ring races on four fields (data, cap, head, len) in push and get: one finding per function
     * pair, however many fields and lines the reports name. */
    ft_results r;
    ft_scenario_set set = {0};
    one_scenario(&r, &set, "ring", FT_RACE);
    for (int i = 0; i < 3; i++) {
        char name[64];
        snprintf(name, sizeof name, "p7-ring-unsafe-%d", i);
        json_t *rep = load_report(name);
        if (rep)
            ft_results_report(&r, 0, rep, 0.1);
        json_decref(rep);
    }
    /* Three reports on different fields and lines, some through memset and free: exactly these two
     * function pairs. */
    CHECK_INT(r.nfindings, 2);
    static const char *const want[] = {"race:ring_get|ring_grow", "race:ring_grow|ring_grow"};
    for (size_t i = 0; i < r.nfindings && i < 2; i++)
        CHECK_STR(r.findings[i].signature, want[i]);
    /* and they are one bug: one root-cause group */
    ft_results_finish(&r);
    CHECK_INT(r.ngroups, 1);
    ft_results_free(&r);
    ft_scenarios_free(&set);
}

void test_interceptor_frames_are_skipped(void)
{
    json_t *frames = json_pack("[[s,s,i,s],[s,s,i,s],[s,s,i,s],[s,s,i,s]]", "vsnprintf", "<null>", 0,
                               "/b/harness/ftstress", "_Py_atomic_load_ssize_relaxed",
                               "/c/Include/cpython/pyatomic_gcc.h", 300, "/b/harness/ftstress", "format_item_unsafe",
                               "/t/seeded.c", 88, "/t/seeded.cpython-313td-x86_64-linux-gnu.so",
                               "_PyEval_EvalFrameDefault", "/c/Python/generated_cases.c.h", 1, "/b/harness/ftstress");
    CHECK_INT(ft_top_meaningful(frames), 2);
    CHECK_STR(ft_stack_owner(frames), "target");
    json_decref(frames);
    json_t *only_plumbing = json_pack("[[s,s,i,s]]", "_PyEval_EvalFrameDefault", "/c/Python/ceval.c", 1, "/b/ftstress");
    CHECK_INT(ft_top_meaningful(only_plumbing), 0); /* better a plumbing name than none */
    CHECK_STR(ft_stack_owner(only_plumbing), "cpython");
    json_decref(only_plumbing);
}

void test_exit_codes(void)
{
    ft_results r;
    ft_scenario_set set = {0};
    one_scenario(&r, &set, "s", FT_CLEAN);
    ft_results_finish(&r);
    CHECK_INT(ft_results_exit_code(&r), 0);
    json_t *rep = load_report("demo-ticket-unsafe-0");
    if (rep)
        ft_results_report(&r, 0, rep, 0.1);
    ft_results_finish(&r);
    CHECK_INT(ft_results_exit_code(&r), 1); /* a race in an expect: clean scenario */
    r.findings[0].baseline_note = strdup("known");
    ft_results_finish(&r);
    CHECK_INT(ft_results_exit_code(&r), 0); /* baselined findings do not fail the run */
    r.scenarios[0].status = FT_ST_NOT_RUN;
    CHECK_INT(ft_results_exit_code(&r), 3);
    r.scenarios[0].status = FT_ST_SCENARIO_ERROR;
    CHECK_INT(ft_results_exit_code(&r), 2);
    json_decref(rep);
    ft_results_free(&r);
    ft_scenarios_free(&set);
}

void test_crash_parsing(void)
{
    /* TSan's deadly-signal report, as a worker's tsan.PID log ends when a body segfaults. */
    const char *log =
        "==12==ERROR: ThreadSanitizer: SEGV on unknown address 0x000000000000 (pc 0x7f1 bp 0x7f2 sp 0x7f3 T13)\n"
        "==12==The signal is caused by a READ memory access.\n"
        "==12==Hint: address points to the zero page.\n"
        "    #0 memcpy <null> (ftstress+0x9b1e0) (BuildId: 12ab)\n"
        "    #1 crash_null /t/crashy.c:41:12 (crashy.cpython-313td-x86_64-linux-gnu.so+0x1d2e) (BuildId: 9a)\n"
        "    #2 cfunction_vectorcall_NOARGS /c/Objects/methodobject.c:484:24 (ftstress+0x2b1)\n"
        "    #3 _PyEval_EvalFrameDefault /c/Python/generated_cases.c.h:2354:35 (ftstress+0x3c1)\n"
        "\n"
        "ThreadSanitizer can not provide additional info.\n";
    ft_crash_info c;
    ft_crash_evidence ev = {.signal = 0, .exit_code = 66, .stacks = "", .tsan_log = log};
    ft_parse_crash(&c, &ev);
    CHECK_STR(c.signal_name, "SIGSEGV");
    CHECK_STR(c.frames_joined, "crash_null");
    CHECK_STR(c.owner, "target");
    CHECK_STR(c.location, "/t/crashy.c:41");
    ft_crash_info_free(&c);

    /* TSan's failed internal check (datrie freed a pointer of a pool another thread had moved): TSan
     * exits 66 after printing it; the runtime's frames are skipped and the extension's name the crash. */
    const char *check_log =
        "==================\n"
        "ThreadSanitizer: CHECK failed: sanitizer_allocator_secondary.h:297 \"((IsAligned(p, page_size_))) != (0)\" "
        "(0x0, 0x0) (tid=14668)\n"
        "    #0 __tsan::CheckUnwind() <null> (ftstress+0x1526fb) (BuildId: 4c93)\n"
        "    #1 __sanitizer::CheckFailed(char const*, int, char const*, unsigned long long, unsigned long long) <null> "
        "(ftstress+0xcd382) (BuildId: 4c93)\n"
        "    #2 __tsan::user_free(__tsan::ThreadState*, unsigned long, void*, bool) <null> (ftstress+0x14a91d)\n"
        "    #3 free <null> (ftstress+0xe8eb2) (BuildId: 4c93)\n"
        "    #4 tail_set_suffix /s/libdatrie/datrie/tail.c:297:13 (datrie.cpython-313td-x86_64-linux-gnu.so+0x81a74)\n"
        "    #5 tail_add_suffix /s/libdatrie/datrie/tail.c:325:5 (datrie.cpython-313td-x86_64-linux-gnu.so+0x81a74)\n"
        "    #6 _PyEval_EvalFrameDefault /c/Python/generated_cases.c.h:5803:27 (ftstress+0x3f6c32)\n"
        "\n";
    ev = (ft_crash_evidence){.signal = 0, .exit_code = 66, .stacks = "", .tsan_log = check_log};
    ft_parse_crash(&c, &ev);
    CHECK_STR(c.signal_name, "TSan-CHECK");
    CHECK_STR(c.top, "tail_set_suffix");
    CHECK_STR(c.owner, "target");
    CHECK_STR(c.location, "/s/libdatrie/datrie/tail.c:297");
    ft_crash_info_free(&c);

    ev = (ft_crash_evidence){.signal = 6, .exit_code = -1,
                             .stacks = "Fatal Python error: _PyMem_DebugRawFree: bad trailing pad byte\n\n"
                                       "Current thread 0x00007f3baf1fd6c0 (most recent call first):\n"
                                       "  File \"/s/x.yaml\", line 12 in body[writer]\n"};
    ft_parse_crash(&c, &ev);
    CHECK_STR(c.signal_name, "SIGABRT");
    CHECK_STR(c.frames_joined, "_PyMem_DebugRawFree|body[writer] (x.yaml)");
    ft_crash_info_free(&c);

    /* A ptrace snapshot of the crashing thread while its handler waits: the handler's frames and
     * glibc's trampoline are skipped, the C library's copy routine under the extension too, and the
     * extension's frames come first. */
    json_t *native = json_pack(
        "[{s:i, s:s, s:[[s,s,i,s], [s,s,i,s], [s,s,i,s], [s,s,i,s], [s,s,i,s], [s,s,i,s], [s,s,i,s]]},"
        " {s:i, s:s, s:[[s,s,i,s]]}]",
        "tid", 41, "name", "fts:1", "frames",
        "__GI___clock_nanosleep", "", 0, "/lib/x86_64-linux-gnu/libc.so.6",
        "on_fatal_signal", FTSTRESS_HARNESS_DIR "/crash_signal.c", 80, "/b/ftstress",
        "__restore_rt", "", 0, "/lib/x86_64-linux-gnu/libc.so.6",
        "__memmove_avx_unaligned_erms", "", 0, "/lib/x86_64-linux-gnu/libc.so.6",
        "hi_sdscatlen", "/src/hiredis/sds.c", 401, "/site/hiredis/hiredis.cpython-313td-x86_64-linux-gnu.so",
        "redisReaderFeed", "/src/hiredis/read.c", 690, "/site/hiredis/hiredis.cpython-313td-x86_64-linux-gnu.so",
        "_PyEval_EvalFrameDefault", "/c/Python/generated_cases.c.h", 2354, "/b/ftstress",
        "tid", 40, "name", "ftstress", "frames", "pthread_barrier_wait", "", 0, "/lib/x86_64-linux-gnu/libc.so.6");
    ev = (ft_crash_evidence){.signal = 11, .exit_code = -1, .stacks = "", .native = native, .crash_tid = 41};
    ft_parse_crash(&c, &ev);
    CHECK_STR(c.signal_name, "SIGSEGV");
    CHECK_STR(c.frames_joined, "hi_sdscatlen|redisReaderFeed");
    CHECK_STR(c.owner, "target");
    CHECK_STR(c.location, "/src/hiredis/sds.c:401");
    char *text = ft_render_crash(&c, &ev);
    CHECK(strstr(text, "taken with ptrace") != NULL);
    free(text);
    ft_crash_info_free(&c);
    json_decref(native);
}

void test_stuck_frames_from_faulthandler(void)
{
    ft_strlist l = {0};
    ft_stuck_frames("Thread 0x00007f3bad9fa6c0 (most recent call first):\n"
                    "  <no Python frame>\n\n"
                    "Thread 0x00007f3bae9fc6c0 (most recent call first):\n"
                    "  File \"/s/spin.yaml\", line 13 in body[spinner]\n"
                    "  File \"/s/lib.py\", line 2 in helper\n\n"
                    "Thread 0x00007f3bae1fb6c0 (most recent call first):\n"
                    "  File \"/s/spin.yaml\", line 13 in body[spinner]\n",
                    &l);
    CHECK_INT(l.count, 1);
    if (l.count)
        CHECK_STR(l.items[0], "body[spinner] (spin.yaml)");
    ft_strlist_free(&l);
}
