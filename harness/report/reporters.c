/* The table of file outputs that `run` and `report` both offer, and writing the ones asked for. */
#include "reporters.h"

const ft_reporter *const ft_reporters[FT_OUTPUTS] = {
    [FT_OUT_JSON] = &ft_reporter_json,
    [FT_OUT_JUNIT] = &ft_reporter_junit,
    [FT_OUT_SARIF] = &ft_reporter_sarif,
    [FT_OUT_HTML] = &ft_reporter_html,
    [FT_OUT_MARKDOWN] = &ft_reporter_markdown,
};

int ft_outputs_write(const json_t *doc, const ft_outputs *o)
{
    int rc = 0;
    for (int k = 0; k < FT_OUTPUTS; k++)
        if (o->path[k] && ft_reporters[k]->write(doc, o->path[k]) != 0)
            rc = -1;
    return rc;
}
