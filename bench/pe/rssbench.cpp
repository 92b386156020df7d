// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * What one large table call leaves behind in a thread (bench/scratch-rss.sh): the process's
 * resident set after one small call, after one GetTcpTable2 of the whole machine, and after 100
 * small calls that follow it, all on one thread. Wine answers GetProcessMemoryInfo from the
 * kernel's own accounting of the process (VmRSS), so the figure is Linux's.
 *
 *   rssbench      prints "rows N baseline_kb A after_large_kb B after_small_kb C"
 */
#include <winsock2.h>
#include <windows.h>
#include <iphlpapi.h>
#include <psapi.h>

#include <cstdio>
#include <vector>

static unsigned long rss_kb()
{
    PROCESS_MEMORY_COUNTERS counters = {};
    counters.cb = sizeof(counters);
    if (!GetProcessMemoryInfo(GetCurrentProcess(), &counters, sizeof(counters))) return 0;
    return (unsigned long)(counters.WorkingSetSize / 1024);
}

/* A table of the few UDP sockets of the machine: the "small call". */
static bool small_call()
{
    std::vector<char> buf(64 * 1024);
    ULONG size = (ULONG)buf.size();
    return GetUdpTable((PMIB_UDPTABLE)buf.data(), &size, TRUE) == NO_ERROR;
}

int main()
{
    if (!small_call())
    {
        fprintf(stderr, "rssbench: GetUdpTable failed\n");
        return 1;
    }
    unsigned long baseline = rss_kb();

    ULONG size = 0;
    if (GetTcpTable2(nullptr, &size, TRUE) != ERROR_INSUFFICIENT_BUFFER) return 1;
    size += size / 4; /* room for sockets that appear meanwhile */
    std::vector<char> large(size);
    ULONG err = GetTcpTable2((PMIB_TCPTABLE2)large.data(), &size, TRUE);
    if (err)
    {
        fprintf(stderr, "rssbench: GetTcpTable2 failed: %lu\n", err);
        return 1;
    }
    ULONG rows = ((PMIB_TCPTABLE2)large.data())->dwNumEntries;
    std::vector<char>().swap(large); /* the caller's own buffer is not what is measured */
    unsigned long after_large = rss_kb();

    for (int i = 0; i < 100; i++)
        if (!small_call()) return 1;
    printf("rows %lu baseline_kb %lu after_large_kb %lu after_small_kb %lu\n", rows, baseline, after_large, rss_kb());
    return 0;
}
