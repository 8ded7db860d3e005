/* UTF-8 safety for text that becomes JSON or XML: nothing is ever dropped for its encoding.
 *
 * jansson rejects strings that are not valid UTF-8 (json_pack then returns NULL), so text from
 * logs, exception messages and paths is cleaned before it goes in, and cut only between characters. */
#include "utf8.h"

#include <string.h>

#include "plain_out.h"
#include "xalloc.h"

char *ft_utf8_clean(const char *s)
{
    size_t n = strlen(s ? s : ""), k = 0;
    char *out = ft_xmalloc(3 * n + 1); /* every byte may become the 3-byte U+FFFD */
    const unsigned char *u = (const unsigned char *)(s ? s : "");
    for (size_t i = 0; i < n;) {
        int len = ft_utf8_seq_len(u + i, n - i);
        if (len == 0) {
            memcpy(out + k, "\xef\xbf\xbd", 3);
            k += 3;
            i++;
        } else {
            memcpy(out + k, u + i, (size_t)len);
            k += (size_t)len;
            i += (size_t)len;
        }
    }
    out[k] = '\0';
    return out;
}

void ft_utf8_truncate(char *s, size_t max, const char *mark)
{
    size_t n = strlen(s), m = strlen(mark), cut;
    if (n <= max || max < m)
        return;
    cut = max - m;
    while (cut > 0 && ((unsigned char)s[cut] & 0xc0) == 0x80)
        cut--; /* back to the first byte of the character the cut would split */
    memcpy(s + cut, mark, m + 1);
}
