// SPDX-License-Identifier: LGPL-2.1-or-later
/* GetTcpTable2 and GetTcp6Table2: error codes, sizing, layout, sort order and owning PIDs. */
#include "harness.h"

#include <iphlpapi.h>

#include <cstdlib>
#include <cstring>

namespace {

template <class Table, class Fn> Table *get_table(Fn fn, BOOL order)
{
    DWORD err;
    void *table = fetch_table([&](void *t, ULONG *size) { return fn((Table *)t, size, order); }, &err);
    ok(err == NO_ERROR, "table call returned %lu", err);
    return (Table *)table;
}

MIB_TCPTABLE2 *tcp_table(BOOL order) { return get_table<MIB_TCPTABLE2>(GetTcpTable2, order); }
MIB_TCP6TABLE2 *tcp6_table(BOOL order) { return get_table<MIB_TCP6TABLE2>(GetTcp6Table2, order); }

DWORD ipv4(const char *text)
{
    in_addr a;
    inet_pton(AF_INET, text, &a);
    return a.s_addr;
}

const MIB_TCPROW2 *find_row(const MIB_TCPTABLE2 *t, DWORD local, unsigned short lport, DWORD state)
{
    for (DWORD i = 0; t && i < t->dwNumEntries; i++)
    {
        const MIB_TCPROW2 &r = t->table[i];
        if (r.dwLocalAddr == local && (r.dwLocalPort & 0xffff) == htons(lport) && r.dwState == state) return &r;
    }
    return nullptr;
}

const MIB_TCP6ROW2 *find_row6(const MIB_TCP6TABLE2 *t, unsigned short lport, DWORD state)
{
    for (DWORD i = 0; t && i < t->dwNumEntries; i++)
    {
        const MIB_TCP6ROW2 &r = t->table[i];
        if (IN6_IS_ADDR_LOOPBACK(&r.LocalAddr) && (r.dwLocalPort & 0xffff) == htons(lport) && (DWORD)r.State == state)
            return &r;
    }
    return nullptr;
}

void test_parameters()
{
    ok(GetTcpTable2(nullptr, nullptr, FALSE) == ERROR_INVALID_PARAMETER, "v4 NULL size pointer");
    ok(GetTcp6Table2(nullptr, nullptr, FALSE) == ERROR_INVALID_PARAMETER, "v6 NULL size pointer");
    MIB_TCPTABLE2 dummy;
    ok(GetTcpTable2(&dummy, nullptr, TRUE) == ERROR_INVALID_PARAMETER, "v4 table but NULL size pointer");

    /* A listener guarantees at least one row. */
    unsigned short port;
    SOCKET l = tcp_listener(AF_INET, "127.0.0.1", 0, &port);
    ok(l != INVALID_SOCKET, "listener: %d", WSAGetLastError());

    ULONG size = 0;
    ok(GetTcpTable2(nullptr, &size, FALSE) == ERROR_INSUFFICIENT_BUFFER, "v4 NULL table, size 0");
    ok(size >= offsetof(MIB_TCPTABLE2, table) + sizeof(MIB_TCPROW2), "v4 required size %lu covers a row", size);

    ULONG big = 1 << 20;
    ok(GetTcpTable2(nullptr, &big, FALSE) == ERROR_INSUFFICIENT_BUFFER, "v4 NULL table with a large size");
    ok(big >= offsetof(MIB_TCPTABLE2, table) + sizeof(MIB_TCPROW2) && big < (1u << 20),
       "v4 NULL table: the required size %lu is written", big);

    /* Too small but non-NULL: the required size comes back and the buffer is not touched. */
    unsigned char too_small[offsetof(MIB_TCPTABLE2, table) + sizeof(MIB_TCPROW2) / 2];
    memset(too_small, 0xcc, sizeof(too_small));
    ULONG small_size = sizeof(too_small);
    ok(GetTcpTable2((MIB_TCPTABLE2 *)too_small, &small_size, TRUE) == ERROR_INSUFFICIENT_BUFFER, "v4 too_small buffer");
    ok(small_size >= offsetof(MIB_TCPTABLE2, table) + sizeof(MIB_TCPROW2), "v4 too_small buffer: size %lu", small_size);
    bool untouched = true;
    for (unsigned char c : too_small) untouched &= c == 0xcc;
    ok(untouched, "v4 too_small buffer: nothing written");

    /* The size the probe returned (plus room for growth) is enough, and rows fit in it. */
    ULONG room = size + 64 * sizeof(MIB_TCPROW2);
    auto *t = (MIB_TCPTABLE2 *)malloc(room);
    ULONG err = GetTcpTable2(t, &room, FALSE);
    ok(err == NO_ERROR, "v4 sized call: %lu", err);
    if (err == NO_ERROR)
        ok(offsetof(MIB_TCPTABLE2, table) + t->dwNumEntries * sizeof(MIB_TCPROW2) <= room && t->dwNumEntries >= 1,
           "v4 %lu rows fit in %lu bytes", t->dwNumEntries, room);
    free(t);

    size = 0;
    ok(GetTcp6Table2(nullptr, &size, FALSE) == ERROR_INSUFFICIENT_BUFFER, "v6 NULL table, size 0");
    ok(size >= offsetof(MIB_TCP6TABLE2, table), "v6 required size %lu", size);
    closesocket(l);
}

void test_own_sockets()
{
    unsigned short port;
    SOCKET l = tcp_listener(AF_INET, "127.0.0.1", 0, &port);
    SOCKET c, s;
    ok(l != INVALID_SOCKET && tcp_pair(AF_INET, "127.0.0.1", l, port, &c, &s), "loopback pair");
    sockaddr_in cname;
    int len = sizeof(cname);
    getsockname(c, (sockaddr *)&cname, &len);
    unsigned short cport = ntohs(cname.sin_port);

    MIB_TCPTABLE2 *t = tcp_table(FALSE);
    DWORD me = GetCurrentProcessId(), lo = ipv4("127.0.0.1");
    const MIB_TCPROW2 *r = find_row(t, lo, port, MIB_TCP_STATE_LISTEN);
    ok(r != nullptr, "own listener 127.0.0.1:%u listed", port);
    if (r)
    {
        todo_if(builtin_wine_before(10)) ok(r->dwOwningPid == me, "listener PID %lu, expected %lu", r->dwOwningPid, me);
        ok(r->dwLocalPort == htons(port), "listener port 0x%08lx: network order, upper 16 bits zero", r->dwLocalPort);
        ok(r->dwRemoteAddr == 0 && r->dwRemotePort == 0, "listener remote is 0.0.0.0:0");
        ok(r->dwOffloadState == TcpConnectionOffloadStateInHost, "offload state %lu", (DWORD)r->dwOffloadState);
    }
    r = find_row(t, lo, cport, MIB_TCP_STATE_ESTAB);
    ok(r != nullptr, "own connected socket listed");
    if (r)
    {
        todo_if(builtin_wine_before(10))
            ok(r->dwOwningPid == me, "connected PID %lu, expected %lu", r->dwOwningPid, me);
        ok(r->dwRemoteAddr == lo && r->dwRemotePort == htons(port), "connected remote end");
        ok(r->dwRemotePort >> 16 == 0 && r->dwLocalPort >> 16 == 0, "connected ports: upper bits zero");
    }
    bool accepted = false;
    for (DWORD i = 0; t && i < t->dwNumEntries; i++)
    {
        const MIB_TCPROW2 &a = t->table[i];
        if (a.dwState == MIB_TCP_STATE_ESTAB && a.dwLocalPort == htons(port) && a.dwRemotePort == htons(cport))
        {
            accepted = true;
            todo_if(builtin_wine_before(10))
                ok(a.dwOwningPid == me, "accepted PID %lu, expected %lu", a.dwOwningPid, me);
        }
    }
    ok(accepted, "own accepted socket listed");
    free(t);
    closesocket(c);
    closesocket(s);
    closesocket(l);
}

/* Wine 8.0 compares only the first two octets of an address, so give the 127.0.x.y listeners
 * ports in the opposite order of their addresses: only a numeric sort gets them right. */
void test_sort_order()
{
    const char *addrs[] = {"127.0.0.2", "127.0.0.10", "127.0.1.1", "127.0.1.3", "127.0.2.1", "127.1.0.1"};
    const int n = sizeof(addrs) / sizeof(addrs[0]);
    SOCKET ls[n];
    unsigned short ports[n];
    unsigned short base = 20000 + (GetCurrentProcessId() * 7) % 20000;
    for (int i = 0; i < n; i++)
    {
        ls[i] = INVALID_SOCKET;
        for (int attempt = 0; attempt < 50 && ls[i] == INVALID_SOCKET; attempt++)
            ls[i] = tcp_listener(AF_INET, addrs[i], (unsigned short)(base + 100 * (n - i) + attempt), &ports[i]);
        ok(ls[i] != INVALID_SOCKET, "listener on %s", addrs[i]);
    }
    MIB_TCPTABLE2 *t = tcp_table(TRUE);
    int next = 0;
    for (DWORD i = 0; t && i < t->dwNumEntries; i++)
        if (next < n && t->table[i].dwLocalAddr == ipv4(addrs[next]) && t->table[i].dwLocalPort == htons(ports[next]))
            next++;
    todo_if(builtin_wine()) ok(next == n, "the %d listeners appear in numeric address order (%d in order)", n, next);

    bool sorted = true;
    for (DWORD i = 1; t && i < t->dwNumEntries; i++)
    {
        const MIB_TCPROW2 &a = t->table[i - 1], &b = t->table[i];
        unsigned long long ka = (unsigned long long)ntohl(a.dwLocalAddr) << 16 | ntohs((u_short)a.dwLocalPort);
        unsigned long long kb = (unsigned long long)ntohl(b.dwLocalAddr) << 16 | ntohs((u_short)b.dwLocalPort);
        unsigned long long ra = (unsigned long long)ntohl(a.dwRemoteAddr) << 16 | ntohs((u_short)a.dwRemotePort);
        unsigned long long rb = (unsigned long long)ntohl(b.dwRemoteAddr) << 16 | ntohs((u_short)b.dwRemotePort);
        if (ka > kb || (ka == kb && ra > rb)) sorted = false;
    }
    todo_if(builtin_wine())
        ok(sorted, "Order=TRUE: rows ascend by local address, local port, remote address, remote port");
    free(t);
    for (SOCKET s : ls)
        if (s != INVALID_SOCKET) closesocket(s);
}

void test_tcp6()
{
    unsigned short port;
    SOCKET l = tcp_listener(AF_INET6, "::1", 0, &port);
    if (l == INVALID_SOCKET)
    {
        skip("no IPv6 loopback");
        return;
    }
    SOCKET c, s;
    ok(tcp_pair(AF_INET6, "::1", l, port, &c, &s), "v6 loopback pair");
    MIB_TCP6TABLE2 *t = tcp6_table(TRUE);
    const MIB_TCP6ROW2 *r = find_row6(t, port, MIB_TCP_STATE_LISTEN);
    ok(r != nullptr, "own v6 listener [::1]:%u listed", port);
    if (r)
    {
        todo_if(builtin_wine_before(10))
            ok(r->dwOwningPid == GetCurrentProcessId(), "v6 listener PID %lu", r->dwOwningPid);
        todo_if(builtin_wine())
            ok(r->dwLocalPort == htons(port) && r->dwLocalScopeId == 0, "v6 listener port and scope");
        ok(r->dwOffloadState == TcpConnectionOffloadStateInHost, "v6 offload state");
    }
    bool sorted = true;
    for (DWORD i = 1; t && i < t->dwNumEntries; i++)
    {
        const MIB_TCP6ROW2 &a = t->table[i - 1], &b = t->table[i];
        int c1 = memcmp(&a.LocalAddr, &b.LocalAddr, 16);
        if (c1 > 0)
            sorted = false;
        else if (c1 == 0 && a.dwLocalScopeId > b.dwLocalScopeId)
            sorted = false;
        else if (c1 == 0 && a.dwLocalScopeId == b.dwLocalScopeId &&
                 ntohs((u_short)a.dwLocalPort) > ntohs((u_short)b.dwLocalPort))
            sorted = false;
    }
    ok(sorted, "v6 Order=TRUE: rows ascend by local address, scope, port");
    free(t);
    closesocket(c);
    closesocket(s);
    closesocket(l);
}

/* Sockets of another process report that process's PID, including sockets it never touched
 * after creating them (the case Wine 8.0 gets wrong). */
void test_other_process()
{
    ChildProcess child;
    if (!start_child("tcp-sockets", &child))
    {
        ok(false, "start child: %lu", GetLastError());
        return;
    }
    char line[128] = "";
    read_child_line(&child, line, sizeof(line));
    unsigned listen_port = 0, client_port = 0, listen6_port = 0;
    ok(sscanf(line, "ports %u %u %u", &listen_port, &client_port, &listen6_port) == 3, "child said '%s'", line);

    unsigned short my_port;
    SOCKET mine = tcp_listener(AF_INET, "127.0.0.1", 0, &my_port);
    DWORD child_pid = child.info.dwProcessId, lo = ipv4("127.0.0.1");
    MIB_TCPTABLE2 *t = tcp_table(FALSE);
    const MIB_TCPROW2 *r = find_row(t, lo, (unsigned short)listen_port, MIB_TCP_STATE_LISTEN);
    todo_if(builtin_wine_before(10)) ok(r && r->dwOwningPid == child_pid, "child's listener: PID %lu, expected %lu",
                                        r ? r->dwOwningPid : 0, child_pid);
    r = find_row(t, lo, (unsigned short)client_port, MIB_TCP_STATE_ESTAB);
    todo_if(builtin_wine_before(10))
        ok(r && r->dwOwningPid == child_pid, "child's connected socket: PID %lu, expected %lu", r ? r->dwOwningPid : 0,
           child_pid);
    const MIB_TCPROW2 *acc = nullptr;
    for (DWORD i = 0; t && i < t->dwNumEntries; i++)
        if (t->table[i].dwLocalPort == htons((u_short)listen_port) &&
            t->table[i].dwRemotePort == htons((u_short)client_port))
            acc = &t->table[i];
    todo_if(builtin_wine_before(10))
        ok(acc && acc->dwOwningPid == child_pid, "child's accepted socket: PID %lu, expected %lu",
           acc ? acc->dwOwningPid : 0, child_pid);
    r = find_row(t, lo, my_port, MIB_TCP_STATE_LISTEN);
    todo_if(builtin_wine_before(10)) ok(r && r->dwOwningPid == GetCurrentProcessId(),
                                        "own listener beside the child's: PID %lu", r ? r->dwOwningPid : 0);
    free(t);

    MIB_TCP6TABLE2 *t6 = tcp6_table(FALSE);
    const MIB_TCP6ROW2 *r6 = find_row6(t6, (unsigned short)listen6_port, MIB_TCP_STATE_LISTEN);
    todo_if(builtin_wine_before(10))
        ok(r6 && r6->dwOwningPid == child_pid, "child's v6 listener: PID %lu", r6 ? r6->dwOwningPid : 0);
    free(t6);
    closesocket(mine);
    stop_child(&child);
}

/* A socket of a Linux process that is not a Wine process has no Windows PID: 0. The test
 * runner opens one and names its port in IPHLP_TEST_NATIVE_PORT (only meaningful under Wine). */
void test_native_owner()
{
    const char *env = getenv("IPHLP_TEST_NATIVE_PORT");
    if (!env)
    {
        skip("IPHLP_TEST_NATIVE_PORT not set (no non-Wine listener to look at)");
        return;
    }
    unsigned short port = (unsigned short)atoi(env);
    MIB_TCPTABLE2 *t = tcp_table(TRUE);
    const MIB_TCPROW2 *r = find_row(t, ipv4("127.0.0.1"), port, MIB_TCP_STATE_LISTEN);
    /* Wine 10.0's own iphlpapi asks wineserver for the sockets, so it lists only Wine's. */
    todo_if(builtin_wine() && !builtin_wine_before(10)) ok(r != nullptr, "non-Wine listener 127.0.0.1:%u listed", port);
    if (r) ok(r->dwOwningPid == 0, "non-Wine listener PID %lu, expected 0", r->dwOwningPid);
    free(t);
}

} // namespace

const ConformanceTest tcp_table2_tests[] = {
    {"tcp_table2_parameters", test_parameters},
    {"tcp_table2_own_sockets", test_own_sockets},
    {"tcp_table2_sort_order", test_sort_order},
    {"tcp6_table2", test_tcp6},
    {"tcp_table2_other_process", test_other_process},
    {"tcp_table2_native_owner", test_native_owner},
    {nullptr, nullptr},
};
