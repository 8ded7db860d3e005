/* Attribution: whose code a frame or stack is, and where a finding is located.
 *
 * The executable holds libpython and the harness; the interpreter's own extension modules live
 * under its prefix, system libraries under /lib and /usr/lib: any other shared object is the
 * extension under test. A finding's location is its nearest frame there, never a CPython file
 * when the extension is on the stack. */
#include "attribution.h"

#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

static int starts_with(const char *s, const char *prefix) { return !strncmp(s, prefix, strlen(prefix)); }

int ft_frame_is_target(const ft_frame *f)
{
    size_t n = strlen(f->module);
    /* The executable holds libpython and the harness; extension modules are shared objects. */
    if (n < 3 || !strstr(f->module, ".so"))
        return 0;
    if (starts_with(f->module, FTSTRESS_PYTHON_PREFIX "/") || starts_with(f->module, "/lib") ||
        starts_with(f->module, "/usr/lib") || strstr(f->module, "libclang_rt."))
        return 0;
    return 1;
}

/* Where the extension's part of a stack ends, walking down from the access:
 * - the interpreter running Python code: frames below it called into Python and are not where the
 *   finding happened. Not the GIL's and thread states' functions (PyEval_RestoreThread,
 *   acquire_GIL): an extension that re-attaches its thread state calls them, and a crash there is
 *   the extension's;
 * - a binding's exception reporting (Cython's __Pyx_AddTraceback): above it CPython builds a
 *   traceback for the function that raised, e.g. interns a new code object's names (CPython 3.13's
 *   intern_common race when threads raise at once), which is CPython's work, not the function's.
 *   Code of the extension above it (Cython's own code-object cache) still counts. */
int ft_stack_walk_ends(const ft_frame *f)
{
    static const char *const names[] = {"_PyEval_EvalFrame", "_PyEval_Vector", "PyEval_EvalCode", "_PyEval_EvalCode"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (starts_with(f->function, names[i]))
            return 1;
    return ft_frame_is_error_reporting(f);
}

const char *ft_stack_owner(const json_t *frames)
{
    size_t n = json_array_size(frames);
    int top = ft_top_meaningful(frames);
    for (size_t i = 0; i < n; i++) {
        ft_frame f = ft_frame_from_json(json_array_get(frames, i));
        if (ft_stack_walk_ends(&f))
            break;
        if (ft_frame_is_target(&f))
            return "target";
    }
    if (top >= 0) {
        ft_frame f = ft_frame_from_json(json_array_get(frames, (size_t)top));
        if (ft_frame_is_harness(&f))
            return "harness";
    }
    return "cpython";
}

int ft_stack_harness_called(const json_t *frames)
{
    size_t n = json_array_size(frames);
    for (size_t i = 0; i < n; i++) {
        ft_frame f = ft_frame_from_json(json_array_get(frames, i));
        if (ft_frame_is_eval_loop(&f) || ft_frame_is_target(&f))
            return 0;
        if (ft_frame_is_harness(&f))
            return 1;
    }
    return 0;
}

int ft_nearest_target(const json_t *frames)
{
    size_t n = json_array_size(frames);
    for (size_t i = 0; i < n; i++) {
        ft_frame f = ft_frame_from_json(json_array_get(frames, i));
        if (ft_stack_walk_ends(&f))
            break;
        /* CPython's header inlines (Py_DECREF, _Py_atomic_*) are compiled into the extension but are not its code */
        if (ft_frame_is_target(&f) && !ft_frame_is_plumbing(&f))
            return (int)i;
    }
    return -1;
}

char *ft_frame_location_exact(const json_t *frames, int index)
{
    ft_frame f;
    if (index < 0)
        return NULL;
    f = ft_frame_from_json(json_array_get(frames, (size_t)index));
    if (!*f.file || !strcmp(f.file, "<null>"))
        return NULL;
    return ft_xasprintf("%s:%d", f.file, f.line);
}

char *ft_frame_location(const json_t *frames, int index)
{
    char *exact = ft_frame_location_exact(frames, index);
    if (!exact)
        return NULL;
    ft_frame f = ft_frame_from_json(json_array_get(frames, (size_t)index));
    /* Line 0: the compiler gave the instruction no line (an inlined helper's, often). The nearest
     * caller in the same object that has one is where a reader should look. */
    for (size_t i = (size_t)index + 1; f.line == 0 && i < json_array_size(frames); i++) {
        ft_frame c = ft_frame_from_json(json_array_get(frames, i));
        if (ft_frame_is_eval_loop(&c) || strcmp(c.module, f.module))
            break;
        if (c.line > 0 && *c.file && strcmp(c.file, "<null>")) {
            free(exact);
            return ft_xasprintf("%s:%d", c.file, c.line);
        }
    }
    return exact;
}

int ft_frame_is_system(const ft_frame *f)
{
    return (starts_with(f->module, "/lib") || starts_with(f->module, "/usr/lib")) && !ft_frame_is_target(f);
}

int ft_frame_is_library(const ft_frame *f)
{
    static const char *const runtimes[] = {"libc.so", "libc-", "libm.so", "libm-", "libstdc++", "libgcc_s", "ld-linux",
                                           "libpthread", "libdl.", "librt.", "libclang_rt", "libtsan", "libpython"};
    const char *base = strrchr(f->module, '/') ? strrchr(f->module, '/') + 1 : f->module;
    if (!strstr(base, ".so") || ft_frame_is_target(f) || starts_with(f->module, FTSTRESS_PYTHON_PREFIX "/"))
        return 0;
    for (size_t i = 0; i < sizeof runtimes / sizeof *runtimes; i++)
        if (starts_with(base, runtimes[i]))
            return 0;
    return 1;
}
