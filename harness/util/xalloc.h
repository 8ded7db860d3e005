/* Allocation that cannot fail silently: out of memory stops the process with a clear message. */
#ifndef FTSTRESS_XALLOC_H
#define FTSTRESS_XALLOC_H

#include <stddef.h>

void *ft_xmalloc(size_t n);
void *ft_xcalloc(size_t count, size_t size);
void *ft_xrealloc(void *p, size_t n);
char *ft_xstrdup(const char *s);
char *ft_xstrndup(const char *s, size_t n);
/* Stops the process with the message (what ft_x* do when n bytes could not be had). */
_Noreturn void ft_out_of_memory(size_t n);
char *ft_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
