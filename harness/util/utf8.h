/* UTF-8 safety for text that becomes JSON or XML: nothing is ever dropped for its encoding. */
#ifndef FTSTRESS_UTF8_H
#define FTSTRESS_UTF8_H

#include <stddef.h>

/* A copy of `s` in which every byte that is not part of valid UTF-8 is replaced by U+FFFD. */
char *ft_utf8_clean(const char *s);
/* Cuts `s` in place to at most `max` bytes, never inside a character, ending with `mark` when cut. */
void ft_utf8_truncate(char *s, size_t max, const char *mark);

#endif
