/* Attribution: whose code a frame or stack is (the extension under test, CPython, the harness) and
 * where a finding is located. */
#ifndef FTSTRESS_ATTRIBUTION_H
#define FTSTRESS_ATTRIBUTION_H

#include <jansson.h>

#include "frames.h"

/* Code of the extension under test: a shared object outside the interpreter and the system. */
int ft_frame_is_target(const ft_frame *f);

/* A frame of the C library or another system library: an implementation detail under the code
 * that called it, with CPU-specific names (__memmove_avx_unaligned_erms). */
int ft_frame_is_system(const ft_frame *f);
/* Whether a frame is in a third-party shared library (the system's libxxhash.so, libz.so), not the
 * extension, not CPython's, the C and C++ runtimes' or TSan's: code an extension calls. */
int ft_frame_is_library(const ft_frame *f);

/* The owner of a stack: "target" when extension code is on it above the eval loop (and above a
 * binding's exception reporting), "harness" when
 * the top meaningful frame is the harness's, else "cpython". */
const char *ft_stack_owner(const json_t *frames);
/* Whether the harness called CPython's C API itself on this stack: a harness frame comes before any
 * eval loop or extension frame (no Python code of the scenario on the way). A race is the
 * harness's when every racing access is so (two team threads in the harness's own calls); one
 * such side racing with scenario code, as a crash's traceback dump does, is not. */
int ft_stack_harness_called(const json_t *frames);

/* Whether walking down a stack from the access stops at this frame: the eval loop running Python
 * code, or a binding's exception reporting (frames.h); what is below is not this finding's code. */
int ft_stack_walk_ends(const ft_frame *f);
/* Index of the nearest (innermost) frame of the extension's own code above the eval loop, or -1. */
int ft_nearest_target(const json_t *frames);

/* "file:line" of frame `index` of `frames` (line 0: its nearest caller's in the same object that has a
 * line), malloc'd, or NULL when it has no file. */
char *ft_frame_location(const json_t *frames, int index);
/* The same without the fallback: "file:0" stays (signature.c prefers the other access's line). */
char *ft_frame_location_exact(const json_t *frames, int index);

#endif
