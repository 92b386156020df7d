// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * GetTcpTable, GetTcp6Table, GetExtendedTcpTable (every class), the UDP tables and
 * GetOwnerModuleFrom*Entry: error codes, sizing, LISTENER/CONNECTIONS filtering, owners,
 * creation timestamps, module names and IPv6 scope ids.
 */
#include "harness.h"

#include <iphlpapi.h>

#include <cstdlib>
#include <cstring>
#include <cwchar>

namespace {

/* Wine 8.0's builtin does not export GetOwnerModuleFrom*Entry (an import would abort the
 * program there), so they are looked up, and a missing one is a failed check. */
template <class Entry> using owner_module_fn = DWORD(WINAPI *)(Entry *, TCPIP_OWNER_MODULE_INFO_CLASS, PVOID, PDWORD);

template <class Entry> owner_module_fn<Entry> owner_module_export(const char *name)
{
    auto fn = (owner_module_fn<Entry>)(void *)GetProcAddress(GetModuleHandleA("iphlpapi.dll"), name);
    todo_if(builtin_wine()) ok(fn != nullptr, "iphlpapi.dll exports %s", name);
    return fn;
}

/* The documented row size and table header of every (family, class). */
struct TableShape
{
    size_t header, row;
};

TableShape tcp_shape(ULONG af, TCP_TABLE_CLASS cls)
{
    if (af == AF_INET)
    {
        if (cls <= TCP_TABLE_BASIC_ALL) return {offsetof(MIB_TCPTABLE, table), sizeof(MIB_TCPROW)};
        if (cls <= TCP_TABLE_OWNER_PID_ALL)
            return {offsetof(MIB_TCPTABLE_OWNER_PID, table), sizeof(MIB_TCPROW_OWNER_PID)};
        return {offsetof(MIB_TCPTABLE_OWNER_MODULE, table), sizeof(MIB_TCPROW_OWNER_MODULE)};
    }
    if (cls <= TCP_TABLE_OWNER_PID_ALL)
        return {offsetof(MIB_TCP6TABLE_OWNER_PID, table), sizeof(MIB_TCP6ROW_OWNER_PID)};
    return {offsetof(MIB_TCP6TABLE_OWNER_MODULE, table), sizeof(MIB_TCP6ROW_OWNER_MODULE)};
}

TableShape udp_shape(ULONG af, UDP_TABLE_CLASS cls)
{
    static const TableShape v4[] = {{offsetof(MIB_UDPTABLE, table), sizeof(MIB_UDPROW)},
                                    {offsetof(MIB_UDPTABLE_OWNER_PID, table), sizeof(MIB_UDPROW_OWNER_PID)},
                                    {offsetof(MIB_UDPTABLE_OWNER_MODULE, table), sizeof(MIB_UDPROW_OWNER_MODULE)}};
    static const TableShape v6[] = {{offsetof(MIB_UDP6TABLE, table), sizeof(MIB_UDP6ROW)},
                                    {offsetof(MIB_UDP6TABLE_OWNER_PID, table), sizeof(MIB_UDP6ROW_OWNER_PID)},
                                    {offsetof(MIB_UDP6TABLE_OWNER_MODULE, table), sizeof(MIB_UDP6ROW_OWNER_MODULE)}};
    return (af == AF_INET ? v4 : v6)[cls];
}

/* Size probe, then fill, looping while the table grows. Checks the probe's answer on the way. */
void *extended_tcp(ULONG af, TCP_TABLE_CLASS cls, BOOL order)
{
    DWORD size = 0, err;
    void *t = nullptr;
    err = GetExtendedTcpTable(nullptr, &size, order, af, cls, 0);
    TableShape shape = tcp_shape(af, cls);
    ok(err == ERROR_INSUFFICIENT_BUFFER && size >= shape.header, "tcp af %lu class %d probe: %lu, size %lu", af, cls,
       err, size);
    t = fetch_table([&](void *table, DWORD *sz) { return GetExtendedTcpTable(table, sz, order, af, cls, 0); }, &err,
                    &size);
    ok(err == NO_ERROR, "tcp af %lu class %d: %lu", af, cls, err);
    if (err == NO_ERROR)
        ok(shape.header + *(DWORD *)t * shape.row <= size, "tcp af %lu class %d: %lu rows of %u bytes fit %lu", af, cls,
           *(DWORD *)t, (unsigned)shape.row, size);
    return err == NO_ERROR ? t : (free(t), nullptr);
}

void *extended_udp(ULONG af, UDP_TABLE_CLASS cls)
{
    DWORD size = 0, err;
    void *t = nullptr;
    err = GetExtendedUdpTable(nullptr, &size, TRUE, af, cls, 0);
    TableShape shape = udp_shape(af, cls);
    ok(err == ERROR_INSUFFICIENT_BUFFER && size >= shape.header, "udp af %lu class %d probe: %lu", af, cls, err);
    t = fetch_table([&](void *table, DWORD *sz) { return GetExtendedUdpTable(table, sz, TRUE, af, cls, 0); }, &err,
                    &size);
    ok(err == NO_ERROR, "udp af %lu class %d: %lu", af, cls, err);
    if (err == NO_ERROR) ok(shape.header + *(DWORD *)t * shape.row <= size, "udp af %lu class %d rows fit", af, cls);
    return err == NO_ERROR ? t : (free(t), nullptr);
}

DWORD loopback4() { return htonl(INADDR_LOOPBACK); }

void test_extended_tcp_parameters()
{
    DWORD size = 0;
    ok(GetExtendedTcpTable(nullptr, nullptr, TRUE, AF_INET, TCP_TABLE_BASIC_ALL, 0) == ERROR_INVALID_PARAMETER,
       "NULL size pointer");
    ok(GetExtendedTcpTable(nullptr, &size, TRUE, AF_UNSPEC, TCP_TABLE_OWNER_PID_ALL, 0) == ERROR_INVALID_PARAMETER,
       "AF_UNSPEC");
    ok(GetExtendedTcpTable(nullptr, &size, TRUE, 99, TCP_TABLE_OWNER_PID_ALL, 0) == ERROR_INVALID_PARAMETER,
       "unknown family");
    ok(GetExtendedTcpTable(nullptr, &size, TRUE, AF_INET, (TCP_TABLE_CLASS)9, 0) == ERROR_INVALID_PARAMETER,
       "unknown class");
    for (int cls = TCP_TABLE_BASIC_LISTENER; cls <= TCP_TABLE_BASIC_ALL; cls++)
        todo_if(builtin_wine())
            ok(GetExtendedTcpTable(nullptr, &size, TRUE, AF_INET6, (TCP_TABLE_CLASS)cls, 0) == ERROR_NOT_SUPPORTED,
               "AF_INET6 with BASIC class %d is documented as not supported", cls);
    for (int cls = TCP_TABLE_BASIC_LISTENER; cls <= TCP_TABLE_OWNER_MODULE_ALL; cls++)
        free(extended_tcp(AF_INET, (TCP_TABLE_CLASS)cls, cls % 2));
    for (int cls = TCP_TABLE_OWNER_PID_LISTENER; cls <= TCP_TABLE_OWNER_MODULE_ALL; cls++)
        free(extended_tcp(AF_INET6, (TCP_TABLE_CLASS)cls, cls % 2));
}

/* LISTENER = LISTEN rows only; CONNECTIONS = every other state; ALL = both. */
void test_listener_and_connections()
{
    unsigned short port;
    SOCKET l = tcp_listener(AF_INET, "127.0.0.1", 0, &port);
    SOCKET c, s;
    ok(tcp_pair(AF_INET, "127.0.0.1", l, port, &c, &s), "pair");
    DWORD me = GetCurrentProcessId();
    const TCP_TABLE_CLASS classes[] = {TCP_TABLE_OWNER_PID_LISTENER, TCP_TABLE_OWNER_PID_CONNECTIONS,
                                       TCP_TABLE_OWNER_PID_ALL};
    for (TCP_TABLE_CLASS cls : classes)
    {
        auto *t = (MIB_TCPTABLE_OWNER_PID *)extended_tcp(AF_INET, cls, TRUE);
        bool listener = false, connection = false, states_ok = true;
        for (DWORD i = 0; t && i < t->dwNumEntries; i++)
        {
            const MIB_TCPROW_OWNER_PID &r = t->table[i];
            if (cls == TCP_TABLE_OWNER_PID_LISTENER) states_ok &= r.dwState == MIB_TCP_STATE_LISTEN;
            if (cls == TCP_TABLE_OWNER_PID_CONNECTIONS) states_ok &= r.dwState != MIB_TCP_STATE_LISTEN;
            if (r.dwLocalAddr != loopback4()) continue;
            if (r.dwLocalPort == htons(port) && r.dwState == MIB_TCP_STATE_LISTEN)
                todo_if(builtin_wine_before(10)) listener = true, ok(r.dwOwningPid == me, "class %d listener PID %lu",
                                                                     cls, r.dwOwningPid);
            if (r.dwRemotePort == htons(port) && r.dwState == MIB_TCP_STATE_ESTAB)
                todo_if(builtin_wine_before(10))
                    connection = true,
                    ok(r.dwOwningPid == me, "class %d connection PID %lu", cls, r.dwOwningPid);
        }
        ok(states_ok, "class %d holds only its states", cls);
        ok(listener == (cls != TCP_TABLE_OWNER_PID_CONNECTIONS), "class %d: listener %s", cls, listener ? "in" : "out");
        ok(connection == (cls != TCP_TABLE_OWNER_PID_LISTENER), "class %d: connection %s", cls,
           connection ? "in" : "out");
        free(t);
    }
    auto *basic = (MIB_TCPTABLE *)extended_tcp(AF_INET, TCP_TABLE_BASIC_LISTENER, FALSE);
    bool only_listen = basic != nullptr;
    for (DWORD i = 0; basic && i < basic->dwNumEntries; i++)
        only_listen &= basic->table[i].dwState == MIB_TCP_STATE_LISTEN;
    ok(only_listen, "BASIC_LISTENER holds only LISTEN rows");
    free(basic);
    closesocket(c);
    closesocket(s);
    closesocket(l);
}

ULONGLONG filetime_now()
{
    FILETIME ft;
    GetSystemTimeAsFileTime(&ft);
    return (ULONGLONG)ft.dwHighDateTime << 32 | ft.dwLowDateTime;
}

ULONGLONG process_created()
{
    FILETIME created, exited, kernel, user;
    GetProcessTimes(GetCurrentProcess(), &created, &exited, &kernel, &user);
    return (ULONGLONG)created.dwHighDateTime << 32 | created.dwLowDateTime;
}

/* OWNER_MODULE rows: owner, a creation time within this process's lifetime, and the module. */
void test_owner_module()
{
    unsigned short port, port6 = 0;
    SOCKET l = tcp_listener(AF_INET, "127.0.0.1", 0, &port);
    SOCKET l6 = tcp_listener(AF_INET6, "::1", 0, &port6);
    char exe[MAX_PATH];
    GetModuleFileNameA(nullptr, exe, sizeof(exe));
    const char *exe_name = strrchr(exe, '\\') ? strrchr(exe, '\\') + 1 : exe;
    WCHAR want_name[MAX_PATH];
    MultiByteToWideChar(CP_ACP, 0, exe_name, -1, want_name, MAX_PATH);

    auto *t = (MIB_TCPTABLE_OWNER_MODULE *)extended_tcp(AF_INET, TCP_TABLE_OWNER_MODULE_LISTENER, TRUE);
    MIB_TCPROW_OWNER_MODULE *row = nullptr;
    for (DWORD i = 0; t && i < t->dwNumEntries; i++)
        if (t->table[i].dwLocalAddr == loopback4() && t->table[i].dwLocalPort == htons(port)) row = &t->table[i];
    ok(row != nullptr, "own listener in OWNER_MODULE_LISTENER");
    auto GetOwnerModuleFromTcpEntry = owner_module_export<MIB_TCPROW_OWNER_MODULE>("GetOwnerModuleFromTcpEntry");
    if (row && GetOwnerModuleFromTcpEntry)
    {
        ok(row->dwOwningPid == GetCurrentProcessId(), "OWNER_MODULE PID %lu", row->dwOwningPid);
        ULONGLONG ts = (ULONGLONG)row->liCreateTimestamp.QuadPart;
        ok(ts >= process_created() && ts <= filetime_now(), "creation timestamp %llu within the process's lifetime",
           ts);

        DWORD size = 0;
        ok(GetOwnerModuleFromTcpEntry(row, TCPIP_OWNER_MODULE_INFO_BASIC, nullptr, &size) ==
                   ERROR_INSUFFICIENT_BUFFER &&
               size > sizeof(TCPIP_OWNER_MODULE_BASIC_INFO),
           "owner module size probe: %lu", size);
        auto *info = (TCPIP_OWNER_MODULE_BASIC_INFO *)malloc(size);
        ok(GetOwnerModuleFromTcpEntry(row, TCPIP_OWNER_MODULE_INFO_BASIC, info, &size) == NO_ERROR, "owner module");
        ok(info->pModuleName && !_wcsicmp(info->pModuleName, want_name), "module name %ls", info->pModuleName);
        size_t path_len = info->pModulePath ? wcslen(info->pModulePath) : 0, name_len = wcslen(want_name);
        ok(path_len > name_len && !_wcsicmp(info->pModulePath + path_len - name_len, want_name), "module path %ls",
           info->pModulePath);
        free(info);

        ok(GetOwnerModuleFromTcpEntry(nullptr, TCPIP_OWNER_MODULE_INFO_BASIC, nullptr, &size) ==
               ERROR_INVALID_PARAMETER,
           "NULL entry");
        ok(GetOwnerModuleFromTcpEntry(row, TCPIP_OWNER_MODULE_INFO_BASIC, nullptr, nullptr) == ERROR_INVALID_PARAMETER,
           "NULL size");
        ok(GetOwnerModuleFromTcpEntry(row, (TCPIP_OWNER_MODULE_INFO_CLASS)1, nullptr, &size) == ERROR_INVALID_PARAMETER,
           "unknown class");
        MIB_TCPROW_OWNER_MODULE nobody = *row;
        nobody.dwOwningPid = 0;
        ok(GetOwnerModuleFromTcpEntry(&nobody, TCPIP_OWNER_MODULE_INFO_BASIC, nullptr, &size) == ERROR_NOT_FOUND,
           "PID 0 has no module");
    }
    free(t);

    auto *t6 = (MIB_TCP6TABLE_OWNER_MODULE *)extended_tcp(AF_INET6, TCP_TABLE_OWNER_MODULE_ALL, FALSE);
    MIB_TCP6ROW_OWNER_MODULE *row6 = nullptr;
    for (DWORD i = 0; t6 && i < t6->dwNumEntries; i++)
        if (t6->table[i].dwLocalPort == htons(port6) && t6->table[i].dwState == MIB_TCP_STATE_LISTEN)
            row6 = &t6->table[i];
    ok(l6 == INVALID_SOCKET || row6 != nullptr, "own v6 listener in OWNER_MODULE_ALL");
    auto GetOwnerModuleFromTcp6Entry = owner_module_export<MIB_TCP6ROW_OWNER_MODULE>("GetOwnerModuleFromTcp6Entry");
    if (row6 && GetOwnerModuleFromTcp6Entry)
    {
        DWORD size = 0;
        ok(GetOwnerModuleFromTcp6Entry(row6, TCPIP_OWNER_MODULE_INFO_BASIC, nullptr, &size) ==
               ERROR_INSUFFICIENT_BUFFER,
           "v6 owner module size probe");
        auto *info = (TCPIP_OWNER_MODULE_BASIC_INFO *)malloc(size);
        ok(GetOwnerModuleFromTcp6Entry(row6, TCPIP_OWNER_MODULE_INFO_BASIC, info, &size) == NO_ERROR &&
               !_wcsicmp(info->pModuleName, want_name),
           "v6 owner module name");
        free(info);
    }
    free(t6);
    closesocket(l);
    if (l6 != INVALID_SOCKET) closesocket(l6);
}

void test_basic_tcp_tables()
{
    ok(GetTcpTable(nullptr, nullptr, FALSE) == ERROR_INVALID_PARAMETER, "GetTcpTable NULL size");
    ok(GetTcp6Table(nullptr, nullptr, FALSE) == ERROR_INVALID_PARAMETER, "GetTcp6Table NULL size");
    unsigned short port, port6 = 0;
    SOCKET l = tcp_listener(AF_INET, "127.0.0.1", 0, &port);
    SOCKET l6 = tcp_listener(AF_INET6, "::1", 0, &port6);
    ULONG size = 0, err;
    MIB_TCPTABLE *t = nullptr;
    ok(GetTcpTable(nullptr, &size, TRUE) == ERROR_INSUFFICIENT_BUFFER && size >= sizeof(DWORD) + sizeof(MIB_TCPROW),
       "GetTcpTable probe: %lu", size);
    t = (MIB_TCPTABLE *)fetch_table([](void *table, ULONG *sz) { return GetTcpTable((MIB_TCPTABLE *)table, sz, TRUE); },
                                    &err);
    ok(err == NO_ERROR, "GetTcpTable: %lu", err);
    bool found = false, sorted = true;
    for (DWORD i = 0; err == NO_ERROR && i < t->dwNumEntries; i++)
    {
        found |= t->table[i].dwLocalAddr == loopback4() && t->table[i].dwLocalPort == htons(port) &&
                 t->table[i].dwState == MIB_TCP_STATE_LISTEN;
        if (i && (ntohl(t->table[i - 1].dwLocalAddr) > ntohl(t->table[i].dwLocalAddr))) sorted = false;
    }
    ok(found, "GetTcpTable lists the own listener");
    ok(sorted, "GetTcpTable Order=TRUE ascends by local address");
    free(t);

    auto *t6 = (MIB_TCP6TABLE *)fetch_table(
        [](void *table, ULONG *sz) { return GetTcp6Table((MIB_TCP6TABLE *)table, sz, TRUE); }, &err);
    ok(err == NO_ERROR, "GetTcp6Table: %lu", err);
    found = false;
    for (DWORD i = 0; err == NO_ERROR && i < t6->dwNumEntries; i++)
        found |= IN6_IS_ADDR_LOOPBACK(&t6->table[i].LocalAddr) && t6->table[i].dwLocalPort == htons(port6) &&
                 t6->table[i].State == MIB_TCP_STATE_LISTEN;
    ok(l6 == INVALID_SOCKET || found, "GetTcp6Table lists the own v6 listener");
    free(t6);
    closesocket(l);
    if (l6 != INVALID_SOCKET) closesocket(l6);
}

SOCKET udp_socket(int family, const char *address, ULONG scope, unsigned short *port)
{
    SOCKET u = socket(family, SOCK_DGRAM, IPPROTO_UDP);
    sockaddr_storage ss = {};
    int len;
    if (family == AF_INET)
    {
        auto *sin = (sockaddr_in *)&ss;
        sin->sin_family = AF_INET;
        inet_pton(AF_INET, address, &sin->sin_addr);
        len = sizeof(*sin);
    }
    else
    {
        auto *sin6 = (sockaddr_in6 *)&ss;
        sin6->sin6_family = AF_INET6;
        sin6->sin6_scope_id = scope;
        inet_pton(AF_INET6, address, &sin6->sin6_addr);
        len = sizeof(*sin6);
    }
    if (u == INVALID_SOCKET || bind(u, (sockaddr *)&ss, len))
    {
        if (u != INVALID_SOCKET) closesocket(u);
        return INVALID_SOCKET;
    }
    getsockname(u, (sockaddr *)&ss, &len);
    *port = ntohs(family == AF_INET ? ((sockaddr_in *)&ss)->sin_port : ((sockaddr_in6 *)&ss)->sin6_port);
    return u;
}

void test_udp_tables()
{
    DWORD size = 0;
    ok(GetUdpTable(nullptr, nullptr, FALSE) == ERROR_INVALID_PARAMETER, "GetUdpTable NULL size");
    ok(GetUdp6Table(nullptr, nullptr, FALSE) == ERROR_INVALID_PARAMETER, "GetUdp6Table NULL size");
    ok(GetExtendedUdpTable(nullptr, nullptr, TRUE, AF_INET, UDP_TABLE_OWNER_PID, 0) == ERROR_INVALID_PARAMETER,
       "extended udp NULL size");
    todo_if(builtin_wine())
        ok(GetExtendedUdpTable(nullptr, &size, TRUE, AF_INET, (UDP_TABLE_CLASS)3, 0) == ERROR_INVALID_PARAMETER,
           "extended udp unknown class");
    ok(GetExtendedUdpTable(nullptr, &size, TRUE, AF_UNSPEC, UDP_TABLE_BASIC, 0) == ERROR_INVALID_PARAMETER,
       "extended udp AF_UNSPEC");

    unsigned short port, port6 = 0;
    SOCKET u = udp_socket(AF_INET, "127.0.0.1", 0, &port);
    SOCKET u6 = udp_socket(AF_INET6, "::1", 0, &port6);
    ok(u != INVALID_SOCKET, "bound udp socket");
    DWORD me = GetCurrentProcessId();

    ULONG err;
    auto *basic = (MIB_UDPTABLE *)fetch_table(
        [](void *table, ULONG *sz) { return GetUdpTable((MIB_UDPTABLE *)table, sz, TRUE); }, &err);
    ok(err == NO_ERROR, "GetUdpTable: %lu", err);
    bool found = false;
    for (DWORD i = 0; err == NO_ERROR && i < basic->dwNumEntries; i++)
        found |= basic->table[i].dwLocalAddr == loopback4() && basic->table[i].dwLocalPort == htons(port);
    ok(found, "GetUdpTable lists the bound socket, port 0x%x", htons(port));
    free(basic);

    auto *basic6 = (MIB_UDP6TABLE *)fetch_table(
        [](void *table, ULONG *sz) { return GetUdp6Table((MIB_UDP6TABLE *)table, sz, TRUE); }, &err);
    ok(err == NO_ERROR, "GetUdp6Table: %lu", err);
    found = false;
    for (DWORD i = 0; err == NO_ERROR && i < basic6->dwNumEntries; i++)
        found |= IN6_IS_ADDR_LOOPBACK(&basic6->table[i].dwLocalAddr) && basic6->table[i].dwLocalPort == htons(port6);
    ok(u6 == INVALID_SOCKET || found, "GetUdp6Table lists the bound v6 socket");
    free(basic6);

    free(extended_udp(AF_INET, UDP_TABLE_BASIC));
    free(extended_udp(AF_INET6, UDP_TABLE_BASIC));
    auto *pid = (MIB_UDPTABLE_OWNER_PID *)extended_udp(AF_INET, UDP_TABLE_OWNER_PID);
    const MIB_UDPROW_OWNER_PID *r = nullptr;
    for (DWORD i = 0; pid && i < pid->dwNumEntries; i++)
        if (pid->table[i].dwLocalAddr == loopback4() && pid->table[i].dwLocalPort == htons(port)) r = &pid->table[i];
    todo_if(builtin_wine_before(10))
        ok(r && r->dwOwningPid == me, "udp OWNER_PID row: PID %lu", r ? r->dwOwningPid : 0);
    free(pid);

    auto *pid6 = (MIB_UDP6TABLE_OWNER_PID *)extended_udp(AF_INET6, UDP_TABLE_OWNER_PID);
    const MIB_UDP6ROW_OWNER_PID *r6 = nullptr;
    for (DWORD i = 0; pid6 && i < pid6->dwNumEntries; i++)
        if (pid6->table[i].dwLocalPort == htons(port6)) r6 = &pid6->table[i];
    todo_if(builtin_wine_before(10)) ok(u6 == INVALID_SOCKET || (r6 && r6->dwOwningPid == me),
                                        "udp6 OWNER_PID row: PID %lu", r6 ? r6->dwOwningPid : 0);
    free(pid6);

    auto *mod = (MIB_UDPTABLE_OWNER_MODULE *)extended_udp(AF_INET, UDP_TABLE_OWNER_MODULE);
    MIB_UDPROW_OWNER_MODULE *m = nullptr;
    for (DWORD i = 0; mod && i < mod->dwNumEntries; i++)
        if (mod->table[i].dwLocalAddr == loopback4() && mod->table[i].dwLocalPort == htons(port)) m = &mod->table[i];
    todo_if(builtin_wine_before(10)) ok(m && m->dwOwningPid == me, "udp OWNER_MODULE row");
    auto GetOwnerModuleFromUdpEntry = owner_module_export<MIB_UDPROW_OWNER_MODULE>("GetOwnerModuleFromUdpEntry");
    if (m && GetOwnerModuleFromUdpEntry)
    {
        ULONGLONG ts = (ULONGLONG)m->liCreateTimestamp.QuadPart;
        ok(ts >= process_created() && ts <= filetime_now(), "udp creation timestamp within the process's lifetime");
        DWORD msize = 0;
        ok(GetOwnerModuleFromUdpEntry(m, TCPIP_OWNER_MODULE_INFO_BASIC, nullptr, &msize) == ERROR_INSUFFICIENT_BUFFER,
           "udp owner module probe");
        auto *info = (TCPIP_OWNER_MODULE_BASIC_INFO *)malloc(msize);
        ok(GetOwnerModuleFromUdpEntry(m, TCPIP_OWNER_MODULE_INFO_BASIC, info, &msize) == NO_ERROR && info->pModuleName,
           "udp owner module");
        free(info);
    }
    free(mod);
    auto *mod6 = (MIB_UDP6TABLE_OWNER_MODULE *)extended_udp(AF_INET6, UDP_TABLE_OWNER_MODULE);
    MIB_UDP6ROW_OWNER_MODULE *m6 = nullptr;
    for (DWORD i = 0; mod6 && i < mod6->dwNumEntries; i++)
        if (mod6->table[i].dwLocalPort == htons(port6)) m6 = &mod6->table[i];
    auto GetOwnerModuleFromUdp6Entry = owner_module_export<MIB_UDP6ROW_OWNER_MODULE>("GetOwnerModuleFromUdp6Entry");
    if (m6 && GetOwnerModuleFromUdp6Entry)
    {
        DWORD msize = 0;
        ok(GetOwnerModuleFromUdp6Entry(m6, TCPIP_OWNER_MODULE_INFO_BASIC, nullptr, &msize) == ERROR_INSUFFICIENT_BUFFER,
           "udp6 owner module probe");
    }
    else
        todo_if(builtin_wine()) ok(u6 == INVALID_SOCKET, "udp6 OWNER_MODULE row");
    free(mod6);
    closesocket(u);
    if (u6 != INVALID_SOCKET) closesocket(u6);
}

/* A socket bound to a link-local address reports that interface as its scope id (host order,
 * as sin6_scope_id is). Needs an interface with a link-local address. */
void test_ipv6_scope()
{
    ULONG size = 0;
    GetAdaptersAddresses(AF_UNSPEC, 0, nullptr, nullptr, &size);
    auto *adapters = (IP_ADAPTER_ADDRESSES *)malloc(size);
    char text[INET6_ADDRSTRLEN] = "";
    ULONG scope = 0;
    if (GetAdaptersAddresses(AF_UNSPEC, 0, nullptr, adapters, &size) == NO_ERROR)
        for (IP_ADAPTER_ADDRESSES *a = adapters; a && !scope; a = a->Next)
            for (IP_ADAPTER_UNICAST_ADDRESS *u = a->FirstUnicastAddress; u && !scope; u = u->Next)
            {
                auto *sin6 = (sockaddr_in6 *)u->Address.lpSockaddr;
                if (sin6->sin6_family == AF_INET6 && IN6_IS_ADDR_LINKLOCAL(&sin6->sin6_addr))
                {
                    /* The address's own scope: Wine 8.0 leaves Ipv6IfIndex at 0. */
                    scope = sin6->sin6_scope_id;
                    inet_ntop(AF_INET6, &sin6->sin6_addr, text, sizeof(text));
                }
            }
    free(adapters);
    if (!scope)
    {
        skip("no interface with an IPv6 link-local address");
        return;
    }
    unsigned short uport = 0, tport = 0;
    SOCKET u = udp_socket(AF_INET6, text, scope, &uport);
    SOCKET t = socket(AF_INET6, SOCK_STREAM, IPPROTO_TCP);
    sockaddr_in6 sin6 = {};
    sin6.sin6_family = AF_INET6;
    sin6.sin6_scope_id = scope;
    inet_pton(AF_INET6, text, &sin6.sin6_addr);
    int len = sizeof(sin6);
    bool listening =
        !bind(t, (sockaddr *)&sin6, sizeof(sin6)) && !listen(t, 1) && !getsockname(t, (sockaddr *)&sin6, &len);
    tport = ntohs(sin6.sin6_port);
    ok(u != INVALID_SOCKET && listening, "sockets on %s%%%lu", text, scope);

    auto *tcp = (MIB_TCP6TABLE_OWNER_PID *)extended_tcp(AF_INET6, TCP_TABLE_OWNER_PID_LISTENER, TRUE);
    const MIB_TCP6ROW_OWNER_PID *r = nullptr;
    for (DWORD i = 0; tcp && i < tcp->dwNumEntries; i++)
        if (tcp->table[i].dwLocalPort == htons(tport)) r = &tcp->table[i];
    todo_if(builtin_wine()) ok(r && r->dwLocalScopeId == scope, "tcp link-local listener scope %lu, expected %lu",
                               r ? r->dwLocalScopeId : 0, scope);
    free(tcp);
    auto *udp = (MIB_UDP6TABLE_OWNER_PID *)extended_udp(AF_INET6, UDP_TABLE_OWNER_PID);
    const MIB_UDP6ROW_OWNER_PID *ru = nullptr;
    for (DWORD i = 0; udp && i < udp->dwNumEntries; i++)
        if (udp->table[i].dwLocalPort == htons(uport)) ru = &udp->table[i];
    todo_if(builtin_wine()) ok(ru && ru->dwLocalScopeId == scope, "udp link-local scope %lu, expected %lu",
                               ru ? ru->dwLocalScopeId : 0, scope);
    free(udp);
    closesocket(t);
    if (u != INVALID_SOCKET) closesocket(u);
}

/* The Extended tables agree with GetTcpTable2 on another process's sockets. */
void test_extended_other_process()
{
    ChildProcess child;
    if (!start_child("tcp-sockets", &child))
    {
        ok(false, "start child");
        return;
    }
    char line[128] = "";
    read_child_line(&child, line, sizeof(line));
    unsigned listen_port = 0, client_port = 0, listen6_port = 0;
    ok(sscanf(line, "ports %u %u %u", &listen_port, &client_port, &listen6_port) == 3, "child said '%s'", line);
    auto *t = (MIB_TCPTABLE_OWNER_PID *)extended_tcp(AF_INET, TCP_TABLE_OWNER_PID_ALL, FALSE);
    int seen = 0;
    for (DWORD i = 0; t && i < t->dwNumEntries; i++)
    {
        const MIB_TCPROW_OWNER_PID &r = t->table[i];
        /* The child's three sockets exactly: a TIME_WAIT left by an earlier test may share a local
         * port with them (Linux reuses an ephemeral port towards another peer), and is not its. */
        const DWORD lport = htons((u_short)listen_port), cport = htons((u_short)client_port);
        bool listener = r.dwLocalPort == lport && r.dwState == MIB_TCP_STATE_LISTEN;
        bool client = r.dwLocalPort == cport && r.dwRemotePort == lport;
        bool accepted = r.dwLocalPort == lport && r.dwRemotePort == cport;
        if (listener || client || accepted)
        {
            seen++;
            todo_if(builtin_wine_before(10))
                ok(r.dwOwningPid == child.info.dwProcessId, "child's row PID %lu, expected %lu", r.dwOwningPid,
                   child.info.dwProcessId);
        }
    }
    ok(seen == 3, "child's listener, connected and accepted sockets listed (%d)", seen);
    free(t);
    auto *t6 = (MIB_TCP6TABLE_OWNER_PID *)extended_tcp(AF_INET6, TCP_TABLE_OWNER_PID_LISTENER, FALSE);
    const MIB_TCP6ROW_OWNER_PID *r6 = nullptr;
    for (DWORD i = 0; t6 && i < t6->dwNumEntries; i++)
        if (t6->table[i].dwLocalPort == htons((u_short)listen6_port)) r6 = &t6->table[i];
    todo_if(builtin_wine_before(10)) ok(r6 && r6->dwOwningPid == child.info.dwProcessId, "child's v6 listener PID");
    free(t6);
    stop_child(&child);
}

} // namespace

const ConformanceTest extended_table_tests[] = {
    {"extended_tcp_parameters", test_extended_tcp_parameters},
    {"extended_tcp_listener_connections", test_listener_and_connections},
    {"extended_tcp_owner_module", test_owner_module},
    {"basic_tcp_tables", test_basic_tcp_tables},
    {"udp_tables", test_udp_tables},
    {"ipv6_scope_ids", test_ipv6_scope},
    {"extended_tcp_other_process", test_extended_other_process},
    {nullptr, nullptr},
};
