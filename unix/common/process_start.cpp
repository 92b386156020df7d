// SPDX-License-Identifier: LGPL-2.1-or-later
#include "process_start.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace iphlp {

uint64_t process_start_time(long pid)
{
    if (pid <= 0) return 0;
    char path[64], buf[1024];
    snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
    FILE *f = fopen(path, "re");
    if (!f) return 0;
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = 0;
    /* The command name (field 2) is in parentheses and may hold spaces and ")": the fields after
     * it start after the last ")". Then field 3 is the state, and 22 the start time. */
    const char *p = strrchr(buf, ')');
    if (!p || p[1] != ' ') return 0;
    p += 2;
    if (*p == 'Z' || *p == 'X') return 0;
    for (int field = 3; *p; p++)
        if (*p == ' ' && ++field == 22) return strtoull(p + 1, nullptr, 10);
    return 0;
}

} // namespace iphlp
