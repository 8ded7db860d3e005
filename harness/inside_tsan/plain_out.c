/* A buffered writer for code that runs inside TSan's callbacks and signal handlers.
 *
 * Compiled without TSan instrumentation and with -fno-builtin (harness/inside_tsan/CMakeLists.txt): the loops
 * below must stay loops, not calls into libc functions that TSan intercepts. The only call out is
 * the write system call, made through syscall(2) so that TSan's write interceptor is not involved. */
#include "plain_out.h"

#include <errno.h>
#include <sys/syscall.h>
#include <unistd.h>

void ft_out_init(ft_out *o, int fd)
{
    o->fd = fd;
    o->failed = 0;
    o->n = 0;
    o->dropped = 0;
}

void ft_out_flush(ft_out *o)
{
    size_t off = 0;
    if (o->fd < 0)
        return;
    while (off < o->n && !o->failed) {
        long w = syscall(SYS_write, o->fd, o->buf + off, o->n - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            o->failed = 1; /* supervisor gone: nothing useful left to do with the text */
        else
            off += (size_t)w;
    }
    o->n = 0;
}

void ft_out_raw(ft_out *o, const char *s, size_t len)
{
    while (len) {
        size_t room = sizeof o->buf - o->n, take = len < room ? len : room;
        if (room == 0) {
            if (o->fd < 0) {
                o->dropped += len;
                return;
            }
            ft_out_flush(o);
            continue;
        }
        for (size_t i = 0; i < take; i++)
            o->buf[o->n + i] = s[i];
        o->n += take;
        s += take;
        len -= take;
    }
}

size_t ft_plain_strlen(const char *s)
{
    size_t n = 0;
    while (s && s[n])
        n++;
    return n;
}

void ft_out_cstr(ft_out *o, const char *s) { ft_out_raw(o, s, ft_plain_strlen(s)); }

void ft_out_dec(ft_out *o, long long v)
{
    char tmp[24];
    int k = sizeof tmp;
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    do {
        tmp[--k] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        tmp[--k] = '-';
    ft_out_raw(o, tmp + k, sizeof tmp - (size_t)k);
}

void ft_out_hex(ft_out *o, unsigned long long v)
{
    char tmp[18];
    int k = sizeof tmp;
    do {
        tmp[--k] = "0123456789abcdef"[v & 15];
        v >>= 4;
    } while (v);
    tmp[--k] = 'x';
    tmp[--k] = '0';
    ft_out_raw(o, tmp + k, sizeof tmp - (size_t)k);
}

int ft_utf8_seq_len(const unsigned char *s, size_t avail)
{
    unsigned char c = s[0];
    int n;
    unsigned int cp;
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf)
        n = 2, cp = c & 0x1f;
    else if (c >= 0xe0 && c <= 0xef)
        n = 3, cp = c & 0x0f;
    else if (c >= 0xf0 && c <= 0xf4)
        n = 4, cp = c & 0x07;
    else
        return 0;
    if ((size_t)n > avail)
        return 0;
    for (int i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    /* overlong forms, surrogates and values past U+10FFFF are not valid UTF-8 */
    if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return n;
}

void ft_out_json(ft_out *o, const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    FT_OUT_LIT(o, "\"");
    for (size_t i = 0; i < len;) {
        unsigned char c = u[i];
        if (c == '"' || c == '\\') {
            char e[2] = {'\\', (char)c};
            ft_out_raw(o, e, 2);
            i++;
        } else if (c == '\n') {
            FT_OUT_LIT(o, "\\n");
            i++;
        } else if (c < 0x20) {
            char e[6] = {'\\', 'u', '0', '0', "0123456789abcdef"[c >> 4], "0123456789abcdef"[c & 15]};
            ft_out_raw(o, e, 6);
            i++;
        } else {
            int n = ft_utf8_seq_len(u + i, len - i);
            if (n == 0) {
                FT_OUT_LIT(o, "\xef\xbf\xbd"); /* U+FFFD for a byte that is not UTF-8 */
                i++;
            } else {
                ft_out_raw(o, s + i, (size_t)n);
                i += (size_t)n;
            }
        }
    }
    FT_OUT_LIT(o, "\"");
}

void ft_out_json_cstr(ft_out *o, const char *s) { ft_out_json(o, s ? s : "", ft_plain_strlen(s)); }
