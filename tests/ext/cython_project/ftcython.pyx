# cython: freethreading_compatible = True
# A seeded race for build-ext's Cython test: a module-level C counter that every call bumps with no
# lock. The directive keeps the GIL off on import (Cython 3.1 and later), so the race is real.
# The bumps run in a loop inside one call, and `volatile` keeps the compiler from folding it into
# one addition: Cython's call path updates reference counts atomically just before and after, and
# those updates order two threads' single bumps for TSan in most rounds (measured: missed in 50
# rounds one run in six); two calls' loops overlap.

cdef volatile long hits = 0

def racy_bump(long times):
    global hits
    cdef long i
    for i in range(times):
        hits += 1
    return hits
