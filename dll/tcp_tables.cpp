// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The TCP tables: GetTcpTable, GetTcp6Table, GetTcpTable2, GetTcp6Table2 and
 * GetExtendedTcpTable. Each is one get_socket_table() call with a row layout.
 */
#include "socket_rows.h"
#include "unix_call.h"
#include "trace.h"

/* Layouts from the SDK headers (docs/windows-behavior.md, "Classes"), identical on x86 and x64. */
static_assert(sizeof(MIB_TCPROW) == 20 && offsetof(MIB_TCPTABLE, table) == 4, "MIB_TCPROW");
static_assert(sizeof(MIB_TCPROW2) == 28 && offsetof(MIB_TCPROW2, dwOwningPid) == 20 &&
                  offsetof(MIB_TCPROW2, dwOffloadState) == 24 && offsetof(MIB_TCPTABLE2, table) == 4,
              "MIB_TCPROW2");
static_assert(sizeof(MIB_TCPROW_OWNER_PID) == 24 && offsetof(MIB_TCPTABLE_OWNER_PID, table) == 4, "OWNER_PID");
static_assert(sizeof(MIB_TCPROW_OWNER_MODULE) == 160 && offsetof(MIB_TCPROW_OWNER_MODULE, liCreateTimestamp) == 24 &&
                  offsetof(MIB_TCPTABLE_OWNER_MODULE, table) == 8,
              "MIB_TCPROW_OWNER_MODULE");
static_assert(sizeof(MIB_TCP6ROW) == 52 && offsetof(MIB_TCP6ROW, dwLocalScopeId) == 20 &&
                  offsetof(MIB_TCP6ROW, dwRemotePort) == 48 && offsetof(MIB_TCP6TABLE, table) == 4,
              "MIB_TCP6ROW");
static_assert(sizeof(MIB_TCP6ROW2) == 60 && offsetof(MIB_TCP6ROW2, dwLocalScopeId) == 16 &&
                  offsetof(MIB_TCP6ROW2, dwRemotePort) == 44 && offsetof(MIB_TCP6ROW2, State) == 48 &&
                  offsetof(MIB_TCP6ROW2, dwOffloadState) == 56 && offsetof(MIB_TCP6TABLE2, table) == 4,
              "MIB_TCP6ROW2");
static_assert(sizeof(MIB_TCP6ROW_OWNER_PID) == 56 && offsetof(MIB_TCP6ROW_OWNER_PID, dwState) == 48 &&
                  offsetof(MIB_TCP6TABLE_OWNER_PID, table) == 4,
              "MIB_TCP6ROW_OWNER_PID");
static_assert(sizeof(MIB_TCP6ROW_OWNER_MODULE) == 192 && offsetof(MIB_TCP6ROW_OWNER_MODULE, liCreateTimestamp) == 56 &&
                  offsetof(MIB_TCP6TABLE_OWNER_MODULE, table) == 8,
              "MIB_TCP6ROW_OWNER_MODULE");

namespace {

/* The IPv4 rows share their first five fields. */
template <class Row> void fill_v4(Row &out, const iphlp_socket_row &in)
{
    out.dwState = in.state;
    out.dwLocalAddr = ipv4_of(in.local_addr);
    out.dwLocalPort = port_of(in.local_port);
    out.dwRemoteAddr = ipv4_of(in.remote_addr);
    out.dwRemotePort = port_of(in.remote_port);
}

void fill_row(MIB_TCPROW &out, const iphlp_socket_row &in) { fill_v4(out, in); }

void fill_row2(MIB_TCPROW2 &out, const iphlp_socket_row &in)
{
    fill_v4(out, in);
    out.dwOwningPid = in.owner_pid;
    out.dwOffloadState = TcpConnectionOffloadStateInHost;
}

void fill_owner_pid(MIB_TCPROW_OWNER_PID &out, const iphlp_socket_row &in)
{
    fill_v4(out, in);
    out.dwOwningPid = in.owner_pid;
}

/* OwningModuleInfo stays zero: GetOwnerModuleFromTcpEntry works from dwOwningPid. */
void fill_owner_module(MIB_TCPROW_OWNER_MODULE &out, const iphlp_socket_row &in)
{
    fill_v4(out, in);
    out.dwOwningPid = in.owner_pid;
    out.liCreateTimestamp.QuadPart = (LONGLONG)in.create_time;
}

/* MIB_TCP6ROW and MIB_TCP6ROW2 name their endpoint fields alike (at different offsets). */
template <class Row> void fill_v6_endpoints(Row &out, const iphlp_socket_row &in)
{
    memcpy(&out.LocalAddr, in.local_addr, 16);
    out.dwLocalScopeId = in.local_scope_id;
    out.dwLocalPort = port_of(in.local_port);
    memcpy(&out.RemoteAddr, in.remote_addr, 16);
    out.dwRemoteScopeId = in.remote_scope_id;
    out.dwRemotePort = port_of(in.remote_port);
    out.State = (MIB_TCP_STATE)in.state;
}

void fill_row6(MIB_TCP6ROW &out, const iphlp_socket_row &in) { fill_v6_endpoints(out, in); }

void fill_row6_2(MIB_TCP6ROW2 &out, const iphlp_socket_row &in)
{
    fill_v6_endpoints(out, in);
    out.dwOwningPid = in.owner_pid;
    out.dwOffloadState = TcpConnectionOffloadStateInHost;
}

/* MIB_TCP6ROW_OWNER_PID and _OWNER_MODULE share their leading fields. */
template <class Row> void fill_v6_owner(Row &out, const iphlp_socket_row &in)
{
    memcpy(out.ucLocalAddr, in.local_addr, 16);
    out.dwLocalScopeId = in.local_scope_id;
    out.dwLocalPort = port_of(in.local_port);
    memcpy(out.ucRemoteAddr, in.remote_addr, 16);
    out.dwRemoteScopeId = in.remote_scope_id;
    out.dwRemotePort = port_of(in.remote_port);
    out.dwState = in.state;
    out.dwOwningPid = in.owner_pid;
}

void fill_owner_pid6(MIB_TCP6ROW_OWNER_PID &out, const iphlp_socket_row &in) { fill_v6_owner(out, in); }

void fill_owner_module6(MIB_TCP6ROW_OWNER_MODULE &out, const iphlp_socket_row &in)
{
    fill_v6_owner(out, in);
    out.liCreateTimestamp.QuadPart = (LONGLONG)in.create_time;
}

/* TCP_TABLE_CLASS comes in threes: *_LISTENER, *_CONNECTIONS, *_ALL. */
UINT32 filter_of(TCP_TABLE_CLASS cls)
{
    static const UINT32 filters[] = {IPHLP_FILTER_LISTENER, IPHLP_FILTER_CONNECTIONS, IPHLP_FILTER_ALL};
    return filters[cls % 3];
}

} // namespace

/* One export per Windows name, deliberately alike: each names its row layout and query; the work
 * is get_socket_table (socket_rows.h). */
extern "C" {

IPHLP_EXPORT(ULONG, GetTcpTable, (PMIB_TCPTABLE TcpTable, PULONG SizePointer, WINBOOL Order),
             (TcpTable, SizePointer, Order))
{
    IPHLP_WINE_FALLBACK(GetTcpTable, TcpTable, SizePointer, Order);
    SocketQuery query = {IPHLP_TCP, IPHLP_INET4, IPHLP_FILTER_ALL, 0};
    return get_socket_table<MIB_TCPTABLE, MIB_TCPROW>(TcpTable, SizePointer, Order, query, fill_row);
}

IPHLP_EXPORT(ULONG, GetTcp6Table, (PMIB_TCP6TABLE TcpTable, PULONG SizePointer, WINBOOL Order),
             (TcpTable, SizePointer, Order))
{
    IPHLP_WINE_FALLBACK(GetTcp6Table, TcpTable, SizePointer, Order);
    SocketQuery query = {IPHLP_TCP, IPHLP_INET6, IPHLP_FILTER_ALL, 0};
    return get_socket_table<MIB_TCP6TABLE, MIB_TCP6ROW>(TcpTable, SizePointer, Order, query, fill_row6);
}

IPHLP_EXPORT(ULONG, GetTcpTable2, (PMIB_TCPTABLE2 TcpTable, PULONG SizePointer, WINBOOL Order),
             (TcpTable, SizePointer, Order))
{
    IPHLP_WINE_FALLBACK(GetTcpTable2, TcpTable, SizePointer, Order);
    SocketQuery query = {IPHLP_TCP, IPHLP_INET4, IPHLP_FILTER_ALL, IPHLP_WANT_OWNERS};
    return get_socket_table<MIB_TCPTABLE2, MIB_TCPROW2>(TcpTable, SizePointer, Order, query, fill_row2);
}

IPHLP_EXPORT(ULONG, GetTcp6Table2, (PMIB_TCP6TABLE2 TcpTable, PULONG SizePointer, WINBOOL Order),
             (TcpTable, SizePointer, Order))
{
    IPHLP_WINE_FALLBACK(GetTcp6Table2, TcpTable, SizePointer, Order);
    SocketQuery query = {IPHLP_TCP, IPHLP_INET6, IPHLP_FILTER_ALL, IPHLP_WANT_OWNERS};
    return get_socket_table<MIB_TCP6TABLE2, MIB_TCP6ROW2>(TcpTable, SizePointer, Order, query, fill_row6_2);
}

IPHLP_EXPORT(DWORD, GetExtendedTcpTable,
             (PVOID pTcpTable, PDWORD pdwSize, WINBOOL bOrder, ULONG ulAf, TCP_TABLE_CLASS TableClass, ULONG Reserved),
             (pTcpTable, pdwSize, bOrder, ulAf, TableClass, Reserved))
{
    IPHLP_WINE_FALLBACK(GetExtendedTcpTable, pTcpTable, pdwSize, bOrder, ulAf, TableClass, Reserved);
    if (!pdwSize) return ERROR_INVALID_PARAMETER;
    if (ulAf != AF_INET && ulAf != AF_INET6) return ERROR_INVALID_PARAMETER;
    if ((unsigned)TableClass > TCP_TABLE_OWNER_MODULE_ALL) return ERROR_INVALID_PARAMETER;
    bool basic = TableClass <= TCP_TABLE_BASIC_ALL, module = TableClass >= TCP_TABLE_OWNER_MODULE_LISTENER;
    /* Documented: the BASIC classes have no IPv6 table. */
    if (ulAf == AF_INET6 && basic) return ERROR_NOT_SUPPORTED;

    SocketQuery query = {IPHLP_TCP, ulAf == AF_INET ? (UINT32)IPHLP_INET4 : (UINT32)IPHLP_INET6, filter_of(TableClass),
                         basic ? 0u : IPHLP_WANT_OWNERS | (module ? IPHLP_WANT_CREATE_TIME : 0u)};
    if (basic) return get_socket_table<MIB_TCPTABLE, MIB_TCPROW>(pTcpTable, pdwSize, bOrder, query, fill_row);
    if (!module)
        return get_family_table<MIB_TCPTABLE_OWNER_PID, MIB_TCPROW_OWNER_PID, MIB_TCP6TABLE_OWNER_PID,
                                MIB_TCP6ROW_OWNER_PID>(ulAf == AF_INET, pTcpTable, pdwSize, bOrder, query,
                                                       fill_owner_pid, fill_owner_pid6);
    return get_family_table<MIB_TCPTABLE_OWNER_MODULE, MIB_TCPROW_OWNER_MODULE, MIB_TCP6TABLE_OWNER_MODULE,
                            MIB_TCP6ROW_OWNER_MODULE>(ulAf == AF_INET, pTcpTable, pdwSize, bOrder, query,
                                                      fill_owner_module, fill_owner_module6);
}

} // extern "C"
