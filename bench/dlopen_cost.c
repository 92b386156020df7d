/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What loading the Unix side costs, without Wine's process start around it (bench/load-cost.sh):
 * the time of dlopen(SO) in this fresh process, and with --loader also of the loader's first
 * load_status call, which dlopen()s iphlp-unix.so beside it (unix/bridge_loader.c). ntdll.so,
 * which the Unix side needs, is loaded first and not timed, as under Wine, where it always is
 * (LD_LIBRARY_PATH to the Wine's x86_64-unix).
 * Usage: dlopen_cost SO [--loader]    prints "us WALL cpu_us CPU": the CPU time this process
 *                                     spent, which a busy machine's waiting for a core leaves out
 */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "unixlib.h"

static double now_us(clockid_t clock)
{
    struct timespec t;
    clock_gettime(clock, &t);
    return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

int main(int argc, char **argv)
{
    if (argc < 2) return 2;
    const int loader = argc > 2 && !strcmp(argv[2], "--loader");
    if (!dlopen("ntdll.so", RTLD_NOW | RTLD_GLOBAL))
    {
        fprintf(stderr, "%s\n", dlerror());
        return 1;
    }
    const double t0 = now_us(CLOCK_MONOTONIC), cpu0 = now_us(CLOCK_PROCESS_CPUTIME_ID);
    void *lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    if (!lib)
    {
        fprintf(stderr, "%s\n", dlerror());
        return 1;
    }
    if (loader)
    {
        typedef int (*entry)(void *);
        const entry *table = (const entry *)dlsym(lib, "__wine_unix_call_funcs");
        struct iphlp_load_status_params p;
        if (!table || table[unix_load_status](&p))
        {
            fprintf(stderr, "load_status: %s\n", table ? p.text : "no table");
            return 1;
        }
    }
    printf("us %.0f cpu_us %.0f\n", now_us(CLOCK_MONOTONIC) - t0, now_us(CLOCK_PROCESS_CPUTIME_ID) - cpu0);
    return 0;
}
