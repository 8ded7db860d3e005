/* Runs every unit test (or those named on the command line) and prints the closing tally. */
#include <stdlib.h>

#include "check.h"
#include "commands.h"

int check_failures;

const char *ft_self_exe(void) { return "/proc/self/exe"; }

#define X(name) void name(void);
#include "unit_tests.def"
#undef X

static const unit_test tests[] = {
#define X(name) {#name, name},
#include "unit_tests.def"
#undef X
};

int main(int argc, char **argv)
{
    int passed = 0, failed = 0;
    for (size_t i = 0; i < sizeof tests / sizeof *tests; i++) {
        int selected = argc < 2;
        for (int a = 1; a < argc; a++)
            selected |= !strcmp(argv[a], tests[i].name);
        if (!selected)
            continue;
        check_failures = 0;
        tests[i].fn();
        if (check_failures) {
            failed++;
            printf("FAIL %s\n", tests[i].name);
        } else {
            passed++;
            printf("PASS %s\n", tests[i].name);
        }
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed || !passed ? 1 : 0;
}
