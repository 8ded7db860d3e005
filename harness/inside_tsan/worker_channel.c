/* Names for the worker phases that travel in events and reports. */
#include "worker_channel.h"

const char *ft_phase_name(int phase)
{
    static const char *const names[] = {"start", "setup_once", "setup", "body", "check", "teardown", "done", "dump"};
    return phase >= 0 && phase < (int)(sizeof names / sizeof *names) ? names[phase] : "unknown";
}
