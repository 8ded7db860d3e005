/* Whether a shared object was compiled with -fsanitize=thread, read off its dynamic symbols. */
#ifndef FTSTRESS_ELF_TSAN_H
#define FTSTRESS_ELF_TSAN_H

/* 1 when `path` imports TSan's instrumentation entry points (__tsan_read*, __tsan_write*,
 * __tsan_func_entry), 0 when it does not, -1 when it is no readable 64-bit ELF file. */
int ft_elf_is_tsan_instrumented(const char *path);

#endif
