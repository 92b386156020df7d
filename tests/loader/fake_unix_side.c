/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A stand-in for iphlp-unix.so in test_bridge_loader: every entry answers FAKE_ANSWER plus its
 * own index, so the test sees which entry a call reached; build_id answers FAKE_BUILD_ID. Built
 * as this build, as another build, and needing a library that is not there. */
#include <stdio.h>

#include "unixlib.h"

typedef int32_t (*fake_entry)(void *);

/* How many times this file was loaded: the loader must load it once, whatever the threads do. */
__attribute__((visibility("default"))) int fake_loads;
__attribute__((constructor)) static void count_load(void) { fake_loads++; }

#ifdef FAKE_NEEDS_MISSING
int iphlp_test_missing(void);
#endif

static int32_t answer_build_id(void *args)
{
    struct iphlp_build_id_params *p = args;
    snprintf(p->id, sizeof(p->id), "%s", FAKE_BUILD_ID);
#ifdef FAKE_NEEDS_MISSING
    return iphlp_test_missing();
#else
    return 0;
#endif
}

#define FAKE_ENTRY(name)                                                                                               \
    static int32_t fake_##name(void *args)                                                                             \
    {                                                                                                                  \
        return unix_##name == unix_build_id ? answer_build_id(args) : FAKE_ANSWER + unix_##name;                       \
    }
IPHLP_UNIX_CALLS(FAKE_ENTRY)
#undef FAKE_ENTRY

#define FAKE_TABLE(name) fake_##name,
__attribute__((visibility("default"))) const fake_entry iphlp_unix_funcs[] = {IPHLP_UNIX_CALLS(FAKE_TABLE)};
#undef FAKE_TABLE
