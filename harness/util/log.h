/* Diagnostics for humans on stderr; reports go to their own streams, never through here. */
#ifndef FTSTRESS_LOG_H
#define FTSTRESS_LOG_H

enum ft_verbosity { FT_QUIET = -1, FT_NORMAL = 0, FT_VERBOSE = 1 };

void ft_set_verbosity(int level);
int ft_verbosity(void);

void ft_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void ft_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void ft_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void ft_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
