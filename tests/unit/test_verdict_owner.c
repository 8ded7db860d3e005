/* Ownership of a crash (the extension's frames above the eval loop make it the target's) and stdlib module code joining a scenario's pairs. */
#include <jansson.h>
#include <string.h>

#include "attribution.h"
#include "grouping.h"
#include "strlist.h"
#include "check.h"

static json_t *frame(const char *fn, const char *module)
{
    return json_pack("[s, s, i, s]", fn, "/src/x.c", 10, module);
}

void test_crash_under_restore_thread_is_the_targets(void)
{
    const char *ext = "/site/regex/_regex.cpython-313td-x86_64-linux-gnu.so";
    /* SIGABRT in _PyThreadState_Attach, from acquire_GIL: the extension re-attached its thread state */
    json_t *abort_in_attach = json_pack("[o, o, o, o, o, o]", frame("abort", "/lib/x86_64-linux-gnu/libc.so.6"),
                                        frame("_PyThreadState_Attach", "/x/ftstress"), frame("acquire_GIL", "/x/ftstress"),
                                        frame("PyEval_RestoreThread", "/x/ftstress"), frame("pattern_match", ext),
                                        frame("_PyEval_EvalFrameDefault", "/x/ftstress"));
    CHECK_STR(ft_stack_owner(abort_in_attach), "target");
    /* the extension called back into Python, and CPython crashed running that Python code */
    json_t *in_callback = json_pack("[o, o, o, o]", frame("_PyDict_Next", "/x/ftstress"),
                                    frame("_PyEval_EvalFrameDefault", "/x/ftstress"),
                                    frame("_PyFunction_Vectorcall", "/x/ftstress"), frame("pattern_sub", ext));
    CHECK_STR(ft_stack_owner(in_callback), "cpython");
    json_decref(abort_in_attach);
    json_decref(in_callback);
}

/* msgpack's per-thread Unpacker: many threads raise at once, Cython's __Pyx_AddTraceback makes a code
 * object for each traceback, and CPython 3.13 interns its names concurrently (intern_common). The
 * raising method is on the stack below the traceback code, but the race is CPython's; Cython's own
 * code-object cache above it would still be the extension's. */
void test_race_in_cythons_traceback_is_cpythons(void)
{
    const char *ext = "/site/msgpack/_cmsgpack.cpython-313td-x86_64-linux-gnu.so";
    json_t *intern = json_pack("[o, o, o, o, o, o, o, o]", frame("intern_common", "/x/ftstress"),
                               frame("PyUnicode_InternInPlace", "/x/ftstress"), frame("PyCode_NewEmpty", "/x/ftstress"),
                               frame("__Pyx_CreateCodeObjectForTraceback(char const*, int, int, char const*)", ext),
                               frame("__Pyx_AddTraceback(char const*, int, int, char const*)", ext),
                               frame("__pyx_pf_7msgpack_9_cmsgpack_8Unpacker_12unpack", ext),
                               frame("__Pyx_CyFunction_Vectorcall_NOARGS", ext),
                               frame("_PyEval_EvalFrameDefault", "/x/ftstress"));
    CHECK_STR(ft_stack_owner(intern), "cpython");
    CHECK(ft_nearest_target(intern) == -1);
    json_t *r = json_pack("{s:i, s:[{s:O}, {s:O}]}", "worker", 3, "mops", "frames", intern, "frames", intern);
    ft_strlist anchors = {0};
    ft_anchors_from_report(&anchors, r, "msgpack-own");
    for (size_t i = 0; i < anchors.count; i++) /* joins no group of the Unpacker's own bug */
        CHECK(!strstr(anchors.items[i], "Unpacker") && strncmp(anchors.items[i], "mod:", 4));
    ft_strlist_free(&anchors);
    json_t *cache = json_pack("[o, o, o, o]", frame("__pyx_insert_code_object", ext),
                              frame("__Pyx_AddTraceback(char const*, int, int, char const*)", ext),
                              frame("__pyx_pf_7msgpack_9_cmsgpack_8Unpacker_12unpack", ext),
                              frame("_PyEval_EvalFrameDefault", "/x/ftstress"));
    CHECK_STR(ft_stack_owner(cache), "target");
    CHECK(ft_nearest_target(cache) == 0);
    json_decref(r);
    json_decref(intern);
    json_decref(cache);
}

static json_t *race(const char *a, const char *b, const char *file)
{
    return json_pack("{s:i, s:[{s:[[s, s, i, s]]}, {s:[[s, s, i, s]]}]}", "worker", 7, "mops", "frames", a, file, 10,
                     "/x/ftstress", "frames", b, file, 20, "/x/ftstress");
}

void test_stdlib_module_code_connects_pairs_in_a_scenario(void)
{
    ft_strlist a = {0}, b = {0}, c = {0};
    json_t *r1 = race("_io_BytesIO_write_impl", "_io_BytesIO_seek_impl", "/b/Modules/_io/bytesio.c");
    json_t *r2 = race("_PyBytes_Resize", "check_closed", "/b/Modules/_io/bytesio.c");
    json_t *r3 = race("_PyDict_Next", "insertdict", "/b/Objects/dictobject.c");
    ft_anchors_from_report(&a, r1, "bytesio");
    ft_anchors_from_report(&b, r2, "bytesio");
    ft_anchors_from_report(&c, r3, "bytesio");
    CHECK(ft_strlist_contains(&a, "code@bytesio:Modules/_io/bytesio.c"));
    CHECK(ft_strlist_contains(&b, "code@bytesio:Modules/_io/bytesio.c"));
    CHECK(ft_anchor_connects("code@bytesio:Modules/_io/bytesio.c"));
    for (size_t i = 0; i < c.count; i++) /* CPython's core objects are no module's code */
        CHECK(strncmp(c.items[i], "code@", 5));
    ft_strlist_free(&a);
    ft_strlist_free(&b);
    ft_strlist_free(&c);
    json_decref(r1);
    json_decref(r2);
    json_decref(r3);
}

void test_module_python_called_connects_a_scenarios_pairs(void)
{
    /* a shared Pickler's BytesIO: write_bytes vs write_bytes under _Pickler_FlushToFile, down to the
     * method Python called (_pickle_Pickler_dump_impl), then the call plumbing and the eval loop */
    const char *so = FTSTRESS_PYTHON_PREFIX "/lib/python3.13t/lib-dynload/_pickle.cpython-313td-x86_64-linux-gnu.so";
    json_t *stack = json_pack("[[s, s, i, s], [s, s, i, s], [s, s, i, s], [s, s, i, s], [s, s, i, s], [s, s, i, s], [s, s, i, s]]",
                              "write_bytes", "/b/./Modules/_io/bytesio.c", 199, "/x/ftstress",
                              "cfunction_vectorcall_O", "/b/Objects/methodobject.c", 511, "/x/ftstress",
                              "_Pickler_FlushToFile", "/b/./Modules/_pickle.c", 1037, so,
                              "_pickle_Pickler_dump", "/b/./Modules/clinic/_pickle.c.h", 72, so,
                              "cfunction_vectorcall_FASTCALL_KEYWORDS_METHOD", "/b/Objects/methodobject.c", 456, "/x/ftstress",
                              "_PyEval_EvalFrameDefault", "/b/Python/generated_cases.c.h", 813, "/x/ftstress",
                              "builtin_exec", "/b/Modules/_elsewhere.c", 1, "/x/ftstress");
    json_t *r = json_pack("{s:i, s:[{s:O}, {s:O}]}", "worker", 7, "mops", "frames", stack, "frames", stack);
    ft_strlist a = {0};
    ft_anchors_from_report(&a, r, "pickler");
    CHECK(ft_strlist_contains(&a, "code@pickler:Modules/_io/bytesio.c"));
    CHECK(ft_strlist_contains(&a, "code@pickler:Modules/_pickle.c")); /* joins the Pickler's own races */
    CHECK(!ft_strlist_contains(&a, "code@pickler:Modules/clinic/_pickle.c.h"));
    CHECK(!ft_strlist_contains(&a, "code@pickler:Modules/_elsewhere.c")); /* below the Python code: not this bug's */
    ft_strlist_free(&a);
    json_decref(r);
    json_decref(stack);
}
