/* Whether a shared object was compiled with -fsanitize=thread, and which libraries it needs, read off its ELF. */
#ifndef FTSTRESS_ELF_TSAN_H
#define FTSTRESS_ELF_TSAN_H

/* 1 when `path` imports TSan's instrumentation entry points (__tsan_read*, __tsan_write*,
 * __tsan_func_entry), 0 when it does not, -1 when it is no readable 64-bit ELF file. */
int ft_elf_is_tsan_instrumented(const char *path);

/* 1 when `path` names a library starting with `prefix` among its DT_NEEDED entries (GCC's TSan
 * runtime, "libtsan.so", which g++ -fsanitize=thread links and which cannot load beside the
 * interpreter's clang runtime), 0 when not, -1 when it is no readable 64-bit ELF file. */
int ft_elf_needs_library(const char *path, const char *prefix);

#endif
