/* A buffered writer for code that runs inside TSan's callbacks and signal handlers: no malloc, no
 * locks, no libc string functions, no instrumented code. */
#ifndef FTSTRESS_PLAIN_OUT_H
#define FTSTRESS_PLAIN_OUT_H

#include <stddef.h>

/* Output to a descriptor (flushed when the buffer fills), or, with fd < 0, to memory only: then
 * what does not fit is counted in `dropped` instead of written. Lives on the caller's stack. */
typedef struct ft_out {
    int fd;
    int failed;     /* a write failed: the reader is gone, the rest is discarded */
    size_t n;
    size_t dropped; /* memory mode: bytes that did not fit */
    char buf[8192];
} ft_out;

void ft_out_init(ft_out *o, int fd);
void ft_out_flush(ft_out *o);
void ft_out_raw(ft_out *o, const char *s, size_t len);
void ft_out_cstr(ft_out *o, const char *s);
void ft_out_dec(ft_out *o, long long v);
void ft_out_hex(ft_out *o, unsigned long long v);
/* A JSON string, quoted: control bytes escaped, and bytes that are not valid UTF-8 replaced by
 * U+FFFD so that the reader's JSON parser never rejects the line. */
void ft_out_json(ft_out *o, const char *s, size_t len);
void ft_out_json_cstr(ft_out *o, const char *s);

size_t ft_plain_strlen(const char *s);
/* Length of the valid UTF-8 sequence starting at s[0] (1-4), or 0 if it is not one. */
int ft_utf8_seq_len(const unsigned char *s, size_t avail);

/* A literal, its length taken by the compiler. */
#define FT_OUT_LIT(o, lit) ft_out_raw((o), "" lit, sizeof(lit) - 1)

#endif
