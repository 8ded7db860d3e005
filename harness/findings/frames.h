/* What a native stack frame is: TSan runtime, CPython plumbing, harness, or meaningful. */
#ifndef FTSTRESS_FRAMES_H
#define FTSTRESS_FRAMES_H

#include <jansson.h>

/* A frame as the hook sends it: [function, file, line, module]. */
typedef struct ft_frame {
    const char *function;
    const char *file;
    int line;
    const char *module;
} ft_frame;

ft_frame ft_frame_from_json(const json_t *f);

/* Frames a signature skips: sanitizer runtime and interceptors, _Py_atomic_* and other inline
 * helpers from CPython's headers, the eval loop and call plumbing, and the harness itself. */
int ft_frame_is_plumbing(const ft_frame *f);
int ft_frame_is_runtime(const ft_frame *f); /* sanitizer runtime only */
int ft_frame_is_eval_loop(const ft_frame *f);
int ft_frame_is_harness(const ft_frame *f);
/* A binding's exception reporting (Cython's __Pyx_AddTraceback and the code object it makes for the
 * traceback): what runs above it is CPython building a traceback, not the extension's work. */
int ft_frame_is_error_reporting(const ft_frame *f);

/* Index of the top meaningful frame of a JSON frame array; falls back to the first frame that is
 * not sanitizer runtime when every frame is plumbing; -1 for an empty stack. */
int ft_top_meaningful(const json_t *frames);

/* The name a maintainer knows a native function by: a Cython symbol as its Python-level name
 * ("__pyx_f_7msgpack_9_cmsgpack_8Unpacker__unpack" -> "Unpacker._unpack"), a demangled C++ name
 * without return type, parameters and template arguments ("unpack_execute"); else the symbol.
 * New string. */
char *ft_display_name(const char *symbol);

#endif
