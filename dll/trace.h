// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * IPHLP_DEBUG=1: one line on stderr per call of an implemented export, with its arguments, its
 * result, the rows of a table it filled and how long it took (the Unix side adds what the
 * kernel and the owner lookup did). Each implemented export is defined as
 *     IPHLP_EXPORT(ULONG, GetTcpTable2, (PMIB_TCPTABLE2 t, PULONG size, WINBOOL order), (t, size, order))
 *     { ...the body... }
 * which makes the body a static Name_impl and the export a traced call of it.
 */
#pragma once

#include <windows.h>

#include <cstdio>
#include <cstring>
#include <type_traits>

bool iphlp_tracing();
void iphlp_trace_line(const char *line);

namespace iphlp_trace {

template <typename T> void append(char *&p, const char *end, T value)
{
    if (p >= end) return;
    int n;
    if constexpr (std::is_pointer_v<T>)
        n = snprintf(p, end - p, "%s%p", p[-1] == '(' ? "" : ", ", (const void *)value);
    else if constexpr (std::is_enum_v<T> || std::is_integral_v<T>)
        n = snprintf(p, end - p, "%s%lld", p[-1] == '(' ? "" : ", ", (long long)value);
    else
        n = snprintf(p, end - p, "%s?", p[-1] == '(' ? "" : ", ");
    if (n > 0) p += n < end - p ? n : end - p;
}

/* A table function's first argument is its table: dwNumEntries is its first DWORD. */
template <typename First, typename... Rest> long rows_of(const char *name, bool ok, First first, Rest...)
{
    if constexpr (std::is_pointer_v<First>)
        if (ok && first && strstr(name, "Table")) return (long)*(const DWORD *)(const void *)first;
    return -1;
}
inline long rows_of(const char *, bool) { return -1; }

} // namespace iphlp_trace

template <typename R, typename... Params, typename... Args>
R iphlp_traced(const char *name, R (*impl)(Params...), Args... args)
{
    if (!iphlp_tracing()) return impl(args...);
    LARGE_INTEGER start, end, frequency;
    QueryPerformanceCounter(&start);
    R result = impl(args...);
    QueryPerformanceCounter(&end);
    QueryPerformanceFrequency(&frequency);
    char line[512];
    char *p = line;
    [[maybe_unused]] const char *stop = line + sizeof(line) - 96; /* room for the result */
    p += snprintf(line, sizeof(line), "iphlpapi: %s(", name);
    (iphlp_trace::append(p, stop, args), ...);
    long rows = iphlp_trace::rows_of(name, result == 0, args...);
    double ms = (double)(end.QuadPart - start.QuadPart) * 1000.0 / (double)frequency.QuadPart;
    p += snprintf(p, line + sizeof(line) - p, ") = %lu", (unsigned long)result);
    if (rows >= 0) p += snprintf(p, line + sizeof(line) - p, ", %ld rows", rows);
    snprintf(p, line + sizeof(line) - p, ", %.3f ms\r\n", ms);
    iphlp_trace_line(line);
    return result;
}

#define IPHLP_UNPAREN(...) __VA_ARGS__
#define IPHLP_EXPORT(ret, name, params, args)                                                                          \
    static ret name##_impl params;                                                                                     \
    extern "C" ret WINAPI name params { return iphlp_traced(#name, name##_impl, IPHLP_UNPAREN args); }                 \
    static ret name##_impl params
