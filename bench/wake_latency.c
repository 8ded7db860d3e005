/* The floor under a round: how long one thread takes to wake another on this machine. Two threads
 * pass a token back and forth through a futex word N times; a round of ftstress needs at least
 * a release of the team at the barrier and the main thread's wake-up when the team is done, so two
 * such hand-offs bound an empty round from below. Built without and with TSan by wake_latency.py. */
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static _Atomic int turn; /* 0: the main thread's, 1: the partner's */
static long rounds;

static void wait_for(int want)
{
    int v;
    while ((v = atomic_load(&turn)) != want)
        syscall(SYS_futex, &turn, FUTEX_WAIT_PRIVATE, v, NULL, NULL, 0);
}

static void hand_to(int who)
{
    atomic_store(&turn, who);
    syscall(SYS_futex, &turn, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

static void *partner(void *arg)
{
    (void)arg;
    for (long i = 0; i < rounds; i++) {
        wait_for(1);
        hand_to(0);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    pthread_t t;
    struct timespec a, b;
    rounds = argc > 1 ? atol(argv[1]) : 100000;
    if (rounds <= 0 || pthread_create(&t, NULL, partner, NULL) != 0) {
        fprintf(stderr, "usage: wake_latency [ROUND_TRIPS > 0]\n");
        return 2;
    }
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (long i = 0; i < rounds; i++) {
        hand_to(1);
        wait_for(0);
    }
    clock_gettime(CLOCK_MONOTONIC, &b);
    pthread_join(t, NULL);
    double us = ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / 1e3 / (double)rounds;
    printf("%.2f\n", us); /* microseconds per round trip (two hand-offs) */
    return 0;
}
