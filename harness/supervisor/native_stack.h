/* Native stacks of every thread of another process, taken from outside with ptrace (libdwfl). */
#ifndef FTSTRESS_NATIVE_STACK_H
#define FTSTRESS_NATIVE_STACK_H

#include <jansson.h>
#include <sys/types.h>

/* Attaches to every thread of process `pid` (a child of the caller, which may ptrace it), unwinds
 * and symbolizes each thread's stack, and detaches (threads continue as they were). Returns a new
 * JSON array, one object per thread: {"tid": N, "name": "comm of the thread", "frames":
 * [[function, file, line, module], ...]} innermost frame first, inlined frames expanded, at most
 * `max_frames` frames per thread (then a last element ["...", "", 0, ""] says frames were cut).
 * function is "??" when unknown, file "" and line 0 when there is no line info, module the full
 * path of the ELF file. Returns NULL and sets *error (malloc'd message) when it could not attach
 * (e.g. ptrace not permitted) or the process is gone. */
json_t *ft_native_stacks(pid_t pid, int max_frames, char **error);

/* Renders such an array as text for a human, eu-stack style: "TID 123 (fts:0):\n  #0  function
 * file:line (module basename)\n". malloc'd. */
char *ft_native_stacks_text(const json_t *threads);

#endif
