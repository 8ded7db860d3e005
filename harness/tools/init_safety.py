"""`ftstress init`'s do-no-harm rules: which callables a probe must not call, learnt from names and effects.

A call that opens, closes or replaces a file descriptor (seen by comparing /proc/self/fd before and
after it, and again once its result is collected), or whose name says it forks, exits, signals or
closes, is unsafe: the probe stops calling it and no scenario calls it.
"""
import gc
import os
import re

DANGEROUS = re.compile(r"^(exit|abort|_exit|fork|forkpty|exec\w*|spawn\w*|kill\w*|signal|alarm|system|popen|"
                       r"shutdown|close|closerange|dup2?|pipe|socket|rm|remove_file|unlink|rmtree|chdir|"
                       r"setitimer|pthread_kill|raise_signal|set_wakeup_fd|open_code|fdopen)$")


def fd_state():
    """What each descriptor of this process points at, or None where /proc is not there."""
    try:
        names = os.listdir("/proc/self/fd")
    except OSError:
        return None
    state = {}
    for n in names:
        try:
            state[n] = os.readlink("/proc/self/fd/" + n)
        except OSError:
            pass  # the descriptor listdir itself used
    return state


def fds_changed(before):
    """Whether the descriptors differ from `before` (collected garbage first: a file object that
    closes its descriptor when dropped counts)."""
    if before is None:
        return False
    gc.collect()
    return fd_state() != before


def dangerous_name(name):
    return bool(DANGEROUS.match(name.rsplit(".", 1)[-1]))
