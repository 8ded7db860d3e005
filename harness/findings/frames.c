/* What a native stack frame is: TSan runtime, CPython plumbing, harness, target, or meaningful. */
#include "frames.h"

#include <string.h>

ft_frame ft_frame_from_json(const json_t *f)
{
    ft_frame r = {"", "", 0, ""};
    const char *fn = json_string_value(json_array_get(f, 0));
    r.function = fn && strcmp(fn, "<null>") ? fn : "??";
    r.file = json_string_value(json_array_get(f, 1)) ? json_string_value(json_array_get(f, 1)) : "";
    r.line = (int)json_integer_value(json_array_get(f, 2));
    r.module = json_string_value(json_array_get(f, 3)) ? json_string_value(json_array_get(f, 3)) : "";
    return r;
}

static int starts_with(const char *s, const char *prefix) { return !strncmp(s, prefix, strlen(prefix)); }

/* The runtime is linked into the executable without debug info (as Debian ships it), so an
 * interceptor frame, e.g. "vsnprintf <null>:0 (ftstress+0x9b1e0)", has a function name but no
 * file, in the ftstress executable itself; libpython and the harness there always have files. */
static int in_own_executable_without_source(const ft_frame *f)
{
    const char *base = strrchr(f->module, '/') ? strrchr(f->module, '/') + 1 : f->module;
    return (!*f->file || !strcmp(f->file, "<null>")) && !strcmp(base, "ftstress");
}

int ft_frame_is_runtime(const ft_frame *f)
{
    if (in_own_executable_without_source(f))
        return 1;
    /* e.g. "memcpy .../compiler-rt/lib/tsan/rtl/../../sanitizer_common/sanitizer_common_interceptors_memintrinsics.inc:115" */
    return strstr(f->file, "compiler-rt/") || strstr(f->file, "/sanitizer_common/") || strstr(f->file, "/tsan/rtl/") ||
           starts_with(f->function, "__interceptor_") || starts_with(f->function, "__tsan_") ||
           starts_with(f->function, "__sanitizer_") || starts_with(f->function, "___interceptor_") ||
           strstr(f->module, "libclang_rt.");
}

/* The eval loop and the machinery that calls from Python into C: never the interesting frame. */
int ft_frame_is_eval_loop(const ft_frame *f)
{
    static const char *const prefixes[] = {
        "_PyEval_", "PyEval_", "_PyObject_Vectorcall", "PyObject_Vectorcall", "_PyObject_Call", "PyObject_Call",
        "_PyObject_MakeTpCall", "_PyFunction_Vectorcall", "cfunction_vectorcall", "cfunction_call",
        "method_vectorcall", "vectorcall_", "_PyVectorcall_", "PyVectorcall_", "run_eval_code_obj", "run_mod",
        "builtin_exec", "_PyRun_", "PyRun_", "slot_tp_call", "object_vacall", "_PyObject_VectorcallTstate",
    };
    for (size_t i = 0; i < sizeof prefixes / sizeof *prefixes; i++)
        if (starts_with(f->function, prefixes[i]))
            return 1;
    return 0;
}

int ft_frame_is_harness(const ft_frame *f) { return starts_with(f->file, FTSTRESS_HARNESS_DIR "/"); }

int ft_frame_is_plumbing(const ft_frame *f)
{
    if (ft_frame_is_runtime(f) || ft_frame_is_eval_loop(f) || ft_frame_is_harness(f))
        return 1;
    /* _Py_atomic_load_ssize_relaxed, Py_INCREF, PyList_GET_SIZE...: inline helpers from CPython's
     * public headers that sit on top of the code that actually races. */
    /* The allocators: a use-after-free's interesting frame is whoever freed or touched the memory. */
    static const char *const memory[] = {"_PyMem_", "PyMem_", "_PyObject_Malloc", "_PyObject_Free", "PyObject_Malloc",
                                         "PyObject_Free", "PyObject_Realloc", "_PyObject_Realloc", "fill_mem_debug",
                                         "mi_", "_mi_", "_PyObject_GC_", "PyObject_GC_Del"};
    for (size_t i = 0; i < sizeof memory / sizeof *memory; i++)
        if (starts_with(f->function, memory[i]))
            return 1;
    /* CPython's fatal-error path: how it stops, not what it caught (the frame below says that). */
    static const char *const fatal[] = {"fatal_error", "_Py_FatalError", "Py_FatalError", "_PyObject_AssertFailed",
                                        "_Py_FatalRefcountError"};
    for (size_t i = 0; i < sizeof fatal / sizeof *fatal; i++)
        if (starts_with(f->function, fatal[i]))
            return 1;
    if (starts_with(f->function, "_Py_atomic_") || (strstr(f->file, "/Include/") && strstr(f->file, ".h")) ||
        (strstr(f->file, "/include/python3") && strstr(f->file, ".h")))
        return 1;
    return !strcmp(f->function, "??");
}

int ft_top_meaningful(const json_t *frames)
{
    size_t n = json_array_size(frames);
    for (size_t i = 0; i < n; i++) {
        ft_frame f = ft_frame_from_json(json_array_get(frames, i));
        if (!ft_frame_is_plumbing(&f))
            return (int)i;
    }
    for (size_t i = 0; i < n; i++) {
        ft_frame f = ft_frame_from_json(json_array_get(frames, i));
        if (!ft_frame_is_runtime(&f) && !ft_frame_is_harness(&f) && strcmp(f.function, "??"))
            return (int)i;
    }
    return n ? 0 : -1;
}
