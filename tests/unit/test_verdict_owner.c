/* Ownership of a crash: the extension's frames above the interpreter's eval loop make it the target's. */
#include <jansson.h>
#include <string.h>

#include "attribution.h"
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
