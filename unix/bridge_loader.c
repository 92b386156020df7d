/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * iphlpbridge.so: the library Wine attaches to iphlpbridge.dll, and nothing but a loader.
 *
 * It needs only libc, which every Wine has, so Wine always loads it. The Unix side proper,
 * iphlp-unix.so beside it (libmnl, SQLite, ntdll.so), is dlopen()ed on the first call that needs
 * it, and every call is forwarded to its table. Had Wine loaded iphlp-unix.so itself, a missing
 * library would reach the PE side as a bare STATUS_DLL_NOT_FOUND from NtQueryVirtualMemory (ntdll
 * keeps dlerror()'s words to itself); here the words are kept, and unix_load_status hands them to
 * the PE side, which prints them once per process (dll/unix_call.cpp).
 *
 * Written in C: nothing here can throw, so nothing can unwind into Wine's dispatcher; the Unix
 * side's own entries sit behind its exception barrier (call_guard.h).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* dladdr */
#endif
#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "iphlp_build_id.h"
#include "unixlib.h"

typedef int32_t iphlp_status; /* NTSTATUS: Windows' LONG */
typedef iphlp_status (*iphlp_unix_entry)(void *args);

#define STATUS_SUCCESS       ((iphlp_status)0)
#define STATUS_DLL_NOT_FOUND ((iphlp_status)0xc0000135)

/* The Unix side's file name, looked for in this library's own directory, and its table. */
#define UNIX_SIDE_NAME  "iphlp-unix.so"
#define UNIX_SIDE_TABLE "iphlp_unix_funcs"

/* The id of this build (cmake/build_id.cmake), readable in the file as "iphlp build ID" for
 * setup.sh and a person; answered by the loader itself, so that a PE side of another build is
 * told the mismatch without the Unix side being loaded at all. */
static const char BUILD_MARKER[] = "iphlp build " IPHLP_BUILD_ID;

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static const iphlp_unix_entry *unix_side;                                       /* set once by load_unix_side */
static char load_failure[sizeof(((struct iphlp_load_status_params *)0)->text)]; /* why not, if not */

/* The reason the load failed; a long path is cut, the line stays readable. */
__attribute__((format(printf, 1, 2))) static void fail(const char *format, ...)
{
    va_list args;
    va_start(args, format);
    vsnprintf(load_failure, sizeof(load_failure), format, args);
    va_end(args);
}

static iphlp_status answer_build_id(void *args)
{
    struct iphlp_build_id_params *p = args;
    /* Through a volatile pointer: the answer is the string in the file, which setup.sh checks. */
    const char *volatile marker = BUILD_MARKER;
    snprintf(p->id, sizeof(p->id), "%s", marker + sizeof("iphlp build ") - 1);
    return STATUS_SUCCESS;
}

/* Runs once per process (pthread_once): the first calls of two threads, or of iphlpapi.dll and
 * the ws2_32 companion, wait for one load. */
static void load_unix_side(void)
{
    Dl_info self;
    char path[4096];
    if (!dladdr((void *)load_unix_side, &self) || !self.dli_fname)
    {
        fail("iphlpbridge.so cannot tell its own directory (dladdr failed)");
        return;
    }
    /* Wine dlopen()s this library by its full path, which dladdr reports. */
    const char *slash = strrchr(self.dli_fname, '/');
    const int dir_len = slash ? (int)(slash - self.dli_fname) + 1 : 0;
    if (snprintf(path, sizeof(path), "%.*s%s", dir_len, self.dli_fname, UNIX_SIDE_NAME) >= (int)sizeof(path))
    {
        fail("the path of %s is too long", UNIX_SIDE_NAME);
        return;
    }
    /* RTLD_LOCAL: its symbols never bind anything else in the process (it exports one anyway). */
    void *lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!lib)
    {
        /* glibc names the file that failed: "libmnl.so.0: cannot open shared object file: ..."
         * for a missing library, the path itself when iphlp-unix.so is missing. */
        const char *why = dlerror();
        if (!why) why = "dlopen failed";
        if (strncmp(why, path, strlen(path)) == 0)
            fail("%s", why);
        else
            fail("%s: %s", path, why);
        return;
    }
    const iphlp_unix_entry *table = (const iphlp_unix_entry *)dlsym(lib, UNIX_SIDE_TABLE);
    if (!table)
    {
        fail("%s has no %s: it is not this project's Unix side", path, UNIX_SIDE_TABLE);
        dlclose(lib);
        return;
    }
    /* Only its own build's Unix side: another may lay the parameters out differently. build_id's
     * index never moves, so asking it is safe whatever build the file is. */
    struct iphlp_build_id_params other = {{0}, 0};
    struct iphlp_build_id_params own = {{0}, 0};
    answer_build_id(&own);
    if (table[unix_build_id](&other) != STATUS_SUCCESS || strcmp(other.id, own.id) != 0)
    {
        other.id[sizeof(other.id) - 1] = 0;
        fail("%s is build '%s', iphlpbridge.so is build '%s': install both from one build", path, other.id, own.id);
        dlclose(lib);
        return;
    }
    unix_side = table;
}

static iphlp_status answer_load_status(void *args)
{
    struct iphlp_load_status_params *p = args;
    snprintf(p->text, sizeof(p->text), "%s", unix_side ? "" : load_failure);
    return unix_side ? STATUS_SUCCESS : STATUS_DLL_NOT_FOUND;
}

/* Every entry: build_id answered here, the rest after the one load. Inlined per entry, so each
 * trampoline is a call to pthread_once and a jump through the table. */
static inline iphlp_status forward(unsigned int func, void *args)
{
    if (func == unix_build_id) return answer_build_id(args);
    pthread_once(&load_once, load_unix_side);
    if (func == unix_load_status) return answer_load_status(args);
    if (!unix_side) return STATUS_DLL_NOT_FOUND;
    return unix_side[func](args);
}

#define IPHLP_TRAMPOLINE(name)                                                                                         \
    static iphlp_status call_##name(void *args) { return forward(unix_##name, args); }
IPHLP_UNIX_CALLS(IPHLP_TRAMPOLINE)
#undef IPHLP_TRAMPOLINE

/* The table ntdll hands the PE side (MemoryWineUnixFuncs), in the order of IPHLP_UNIX_CALLS; the
 * only symbol this library exports (iphlpbridge.map). */
#define IPHLP_LOADER_ENTRY(name) call_##name,
__attribute__((visibility("default")))
const iphlp_unix_entry __wine_unix_call_funcs[] = {IPHLP_UNIX_CALLS(IPHLP_LOADER_ENTRY)};
#undef IPHLP_LOADER_ENTRY
_Static_assert(sizeof(__wine_unix_call_funcs) / sizeof(__wine_unix_call_funcs[0]) == unix_funcs_count,
               "one entry per IPHLP_UNIX_CALLS name");
