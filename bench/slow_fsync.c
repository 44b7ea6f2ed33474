/* bench/replay_commit.py --fsync-us: preloaded (LD_PRELOAD), every fsync and fdatasync of the process takes
   SLOW_FSYNC_US microseconds more than the disk's own flush, as a flush to a cloud volume does (1-10 ms). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <time.h>

static void slower(void) {
    const char *text = getenv("SLOW_FSYNC_US");
    long us = text ? atol(text) : 0;
    struct timespec pause = {us / 1000000, (us % 1000000) * 1000};
    nanosleep(&pause, NULL);
}

int fsync(int fd) {
    static int (*real)(int);
    if (!real) real = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
    int result = real(fd);
    slower();
    return result;
}

int fdatasync(int fd) {
    static int (*real)(int);
    if (!real) real = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
    int result = real(fd);
    slower();
    return result;
}
