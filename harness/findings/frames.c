/* What a native stack frame is: TSan runtime, CPython plumbing, harness, target, or meaningful. */
#include "frames.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "xalloc.h"

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

/* Not the slot-counting trampolines (inside_tsan/exercise_slots.c): they only pass a call of the
 * target type's slot through, so a stack through them is the target's, not the harness's. */
int ft_frame_is_harness(const ft_frame *f)
{
    return starts_with(f->file, FTSTRESS_HARNESS_DIR "/") &&
           !starts_with(f->file, FTSTRESS_HARNESS_DIR "/inside_tsan/exercise_slots.c");
}

int ft_frame_is_error_reporting(const ft_frame *f)
{
    static const char *const reporting[] = {"__Pyx_AddTraceback", "__Pyx_CreateCodeObjectForTraceback",
                                            "__Pyx_WriteUnraisable"};
    for (size_t i = 0; i < sizeof reporting / sizeof *reporting; i++)
        if (starts_with(f->function, reporting[i]))
            return 1;
    return 0;
}

int ft_frame_is_plumbing(const ft_frame *f)
{
    if (ft_frame_is_runtime(f) || ft_frame_is_eval_loop(f) || starts_with(f->file, FTSTRESS_HARNESS_DIR "/"))
        return 1; /* the harness, slot trampolines included: how a call got there, not what raced */
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
    /* Cython's and pybind11's call plumbing: how Python reached the code, like CPython's vectorcall. */
    static const char *const bindings[] = {"__Pyx_CyFunction_", "__Pyx_PyObject_Call", "__Pyx__PyObject_Call",
                                           "__Pyx_PyObject_FastCall", "__Pyx_PyVectorcall", "__Pyx_PyFunction_FastCall",
                                           "__Pyx_PyCFunction_FastCall", "__Pyx_Raise"};
    for (size_t i = 0; i < sizeof bindings / sizeof *bindings; i++)
        if (starts_with(f->function, bindings[i]))
            return 1;
    if (ft_frame_is_error_reporting(f))
        return 1;
    if (strstr(f->function, "pybind11::cpp_function::") || strstr(f->function, "pybind11::detail::argument_loader") ||
        strstr(f->function, "nanobind::detail::nb_func_vectorcall"))
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

/* Cython's "__pyx_f_7msgpack_9_cmsgpack_8Unpacker__unpack": length-prefixed components, then the
 * function (after a counter in __pyx_pw_/__pyx_pf_ names). "Unpacker._unpack", or NULL. */
static char *cython_name(const char *sym)
{
    static const char *const prefixes[] = {"__pyx_f_", "__pyx_pw_", "__pyx_pf_", "__pyx_tp_", "__pyx_getprop_",
                                           "__pyx_setprop_"};
    const char *p = NULL, *last = NULL;
    size_t last_len = 0;
    for (size_t i = 0; i < sizeof prefixes / sizeof *prefixes && !p; i++)
        if (starts_with(sym, prefixes[i]))
            p = sym + strlen(prefixes[i]);
    if (!p)
        return NULL;
    while (isdigit((unsigned char)*p)) {
        char *end;
        unsigned long n = strtoul(p, &end, 10);
        if (n == 0 || strlen(end) < n + 1 || end[n] != '_')
            break;
        last = end;
        last_len = n;
        p = end + n + 1;
    }
    while (isdigit((unsigned char)*p))
        p++;
    if (!*p)
        return NULL;
    return last ? ft_xasprintf("%.*s.%s", (int)last_len, last, p) : ft_xstrdup(p);
}

/* A demangled C++ name without its return type, parameters and template arguments, with at most
 * its innermost class: "int unpack_execute<true>(unpack_context*, ...)" -> "unpack_execute". */
static char *cxx_short(const char *sym)
{
    char *out = ft_xmalloc(strlen(sym) + 1), *w = out;
    int angle = 0, paren = 0;
    size_t n = strlen(sym);
    /* the parameter list: the last top-level parenthesised group, then maybe " const" */
    while (n && (sym[n - 1] == ' ' || sym[n - 1] == '&'))
        n--;
    if (n > 6 && !strncmp(sym + n - 6, " const", 6))
        n -= 6;
    if (n && sym[n - 1] == ')') {
        int depth = 0;
        size_t i = n;
        while (i--) {
            depth += sym[i] == ')' ? 1 : sym[i] == '(' ? -1 : 0;
            if (!depth)
                break;
        }
        if (!depth && i != (size_t)-1 && i > 0)
            n = i;
    }
    for (size_t i = 0; i < n; i++) {
        char c = sym[i];
        if (c == '<' && !paren && !(i >= 8 && !strncmp(sym + i - 8, "operator", 8)))
            angle++;
        else if (c == '>' && angle && !paren)
            angle--;
        else if (!angle) {
            paren += c == '(' ? 1 : c == ')' ? -1 : 0;
            if (c == ' ' && !paren) /* a return type before the name */
                w = out;
            else
                *w++ = c;
        }
    }
    *w = '\0';
    /* "(anonymous namespace)::" and outer namespaces: the last two components */
    char *keep = out, *sep;
    size_t ncomp = 1;
    for (char *q = out; (q = strstr(q, "::")); q += 2)
        ncomp++;
    while (ncomp > 2 && (sep = strstr(keep, "::"))) {
        keep = sep + 2;
        ncomp--;
    }
    if (!strncmp(keep, "(anonymous namespace)::", 23))
        keep += 23;
    memmove(out, keep, strlen(keep) + 1);
    return out;
}

char *ft_display_name(const char *sym)
{
    /* C++ first: Cython compiled as C++ (cymem, msgpack) demangles to
     * "__pyx_pf_5cymem_5cymem_7Address___init__(__pyx_obj_5cymem_5cymem_Address*, unsigned long)" */
    if (strchr(sym, '(') || strchr(sym, '<') || strstr(sym, "::") || strchr(sym, ' ')) {
        char *s = cxx_short(sym), *c = *s ? cython_name(s) : NULL;
        if (c) {
            free(s);
            return c;
        }
        if (*s)
            return s;
        free(s);
    }
    char *c = cython_name(sym);
    return c ? c : ft_xstrdup(sym);
}
