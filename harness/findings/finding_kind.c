/* What kind of thing a finding is: the one table of kind names. */
#include "finding_kind.h"

#include <string.h>

static const struct {
    const char *name, *plural;
} kinds[FT_KINDS] = {
    [FT_KIND_RACE] = {"race", "races"},   [FT_KIND_TSAN] = {"tsan", "tsan"},
    [FT_KIND_CRASH] = {"crash", "crashes"}, [FT_KIND_HANG] = {"hang", "hangs"},
    [FT_KIND_ERROR] = {"error", "errors"}, [FT_KIND_OUTCOME] = {"outcome", "outcomes"},
};

const char *ft_finding_kind_name(ft_finding_kind k)
{
    return (unsigned)k < FT_KINDS ? kinds[k].name : "?";
}

int ft_finding_kind_parse(const char *name, ft_finding_kind *out)
{
    for (int k = 0; name && k < FT_KINDS; k++)
        if (!strcmp(kinds[k].name, name)) {
            *out = (ft_finding_kind)k;
            return 0;
        }
    return -1;
}

ft_finding_kind ft_finding_kind_of(const json_t *finding)
{
    ft_finding_kind k = FT_KIND_TSAN;
    ft_finding_kind_parse(json_string_value(json_object_get(finding, "kind")), &k);
    return k;
}

int ft_finding_kind_is_tsan(ft_finding_kind k) { return k == FT_KIND_RACE || k == FT_KIND_TSAN; }

int ft_finding_kind_is_fatal(ft_finding_kind k) { return k == FT_KIND_CRASH || k == FT_KIND_HANG; }

void ft_finding_label(ft_finding_kind k, const char *sig, char *buf, size_t size)
{
    /* signatures: "tsan:heap-use-after-free:f|g", "crash:SIGSEGV:f|g|h" (signature.c) */
    if (k != FT_KIND_RACE && sig && (!strncmp(sig, "tsan:", 5) || !strncmp(sig, "crash:", 6))) {
        const char *t = strchr(sig, ':') + 1;
        snprintf(buf, size, "%.*s", (int)strcspn(t, ":"), t);
    } else
        snprintf(buf, size, "%s", ft_finding_kind_name(k));
}

void ft_finding_label_count(FILE *out, long n, const char *label)
{
    for (int k = 0; k < FT_KINDS; k++)
        if (!strcmp(label, kinds[k].name) && k != FT_KIND_TSAN) {
            fprintf(out, "%ld %s", n, n == 1 ? kinds[k].name : kinds[k].plural);
            return;
        }
    fprintf(out, "%ld %s", n, label); /* a report type or a signal: no plural */
}
