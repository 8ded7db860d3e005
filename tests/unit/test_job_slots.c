/* Unit test: the cap on workers at once is applied with a warning that names it, never silently. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "job_slots.h"
#include "log.h"

/* Runs ft_job_slots(jobs) with stderr sent to a temporary file; returns the slots, the text in buf. */
static int slots_and_stderr(int jobs, char *buf, size_t size)
{
    FILE *tmp = tmpfile();
    int saved = dup(STDERR_FILENO), slots;
    size_t n = 0;
    buf[0] = '\0';
    if (!tmp || saved < 0) {
        fprintf(stderr, "  cannot redirect stderr for the test\n");
        check_failures++;
        return -1;
    }
    fflush(stderr);
    dup2(fileno(tmp), STDERR_FILENO);
    slots = ft_job_slots(jobs);
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
    rewind(tmp);
    n = fread(buf, 1, size - 1, tmp);
    buf[n] = '\0';
    fclose(tmp);
    return slots;
}

void test_job_slots_cap_says_so(void)
{
    char text[512];
    int level = ft_verbosity();
    ft_set_verbosity(FT_NORMAL);
    CHECK_INT(slots_and_stderr(0, text, sizeof text), 1);
    CHECK_STR(text, "");
    CHECK_INT(slots_and_stderr(8, text, sizeof text), 8);
    CHECK_STR(text, "");
    CHECK_INT(slots_and_stderr(FT_MAX_JOBS, text, sizeof text), FT_MAX_JOBS);
    CHECK_STR(text, "");
    CHECK_INT(slots_and_stderr(FT_MAX_JOBS + 36, text, sizeof text), FT_MAX_JOBS);
    CHECK_CONTAINS(text, "100 jobs asked for");
    CHECK_CONTAINS(text, "at most 64 workers at once");
    ft_set_verbosity(level);
}
