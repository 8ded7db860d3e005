/* The file-output options that `run` and `report` share, made from the reporter table. */
#include "output_options.h"

#include <string.h>

#include "xalloc.h"

ft_option *ft_options_with_outputs(const ft_option *base, int nbase)
{
    ft_option *all = ft_xcalloc((size_t)nbase + FT_OUTPUTS + 1, sizeof *all);
    memcpy(all, base, (size_t)nbase * sizeof *all);
    for (int k = 0; k < FT_OUTPUTS; k++)
        all[nbase + k] = (ft_option){ft_reporters[k]->option, 0, "FILE", ft_reporters[k]->help};
    return all; /* the last row stays zero: the terminator */
}

int ft_output_option(ft_outputs *o, int nbase, int index, const char *arg)
{
    if (index < nbase || index >= nbase + FT_OUTPUTS)
        return 0;
    o->path[index - nbase] = arg;
    return 1;
}
