/* A minimal unit-test runner: assertions print both values with file and line, one line per test,
 * and the closing "N passed, N failed" line that CI reads. */
#ifndef FTSTRESS_CHECK_H
#define FTSTRESS_CHECK_H

#include <stdio.h>
#include <string.h>

extern int check_failures; /* failures in the running test */

#define CHECK(cond)                                                                                    \
    do {                                                                                               \
        if (!(cond)) {                                                                                 \
            fprintf(stderr, "  %s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond);                 \
            check_failures++;                                                                          \
        }                                                                                              \
    } while (0)

#define CHECK_INT(got, want)                                                                           \
    do {                                                                                               \
        long long g_ = (long long)(got), w_ = (long long)(want);                                       \
        if (g_ != w_) {                                                                                \
            fprintf(stderr, "  %s:%d: %s is %lld, expected %lld\n", __FILE__, __LINE__, #got, g_, w_); \
            check_failures++;                                                                          \
        }                                                                                              \
    } while (0)

#define CHECK_STR(got, want)                                                                           \
    do {                                                                                               \
        const char *g_ = (got), *w_ = (want);                                                          \
        if (!g_ || strcmp(g_, w_)) {                                                                   \
            fprintf(stderr, "  %s:%d: %s is \"%s\", expected \"%s\"\n", __FILE__, __LINE__, #got,      \
                    g_ ? g_ : "(null)", w_);                                                           \
            check_failures++;                                                                          \
        }                                                                                              \
    } while (0)

#define CHECK_CONTAINS(got, part)                                                                      \
    do {                                                                                               \
        const char *g_ = (got), *p_ = (part);                                                          \
        if (!g_ || !strstr(g_, p_)) {                                                                  \
            fprintf(stderr, "  %s:%d: %s is \"%s\", expected it to contain \"%s\"\n", __FILE__,         \
                    __LINE__, #got, g_ ? g_ : "(null)", p_);                                           \
            check_failures++;                                                                          \
        }                                                                                              \
    } while (0)

typedef struct unit_test {
    const char *name;
    void (*fn)(void);
} unit_test;

#endif
