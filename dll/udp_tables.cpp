// SPDX-License-Identifier: LGPL-2.1-or-later
/* The UDP tables: GetUdpTable, GetUdp6Table and GetExtendedUdpTable. */
#include "socket_rows.h"
#include "unix_call.h"
#include "trace.h"

static_assert(sizeof(MIB_UDPROW) == 8 && offsetof(MIB_UDPTABLE, table) == 4, "MIB_UDPROW");
static_assert(sizeof(MIB_UDPROW_OWNER_PID) == 12 && offsetof(MIB_UDPTABLE_OWNER_PID, table) == 4, "OWNER_PID");
static_assert(sizeof(MIB_UDPROW_OWNER_MODULE) == 160 && offsetof(MIB_UDPROW_OWNER_MODULE, liCreateTimestamp) == 16 &&
                  offsetof(MIB_UDPTABLE_OWNER_MODULE, table) == 8,
              "MIB_UDPROW_OWNER_MODULE");
static_assert(sizeof(MIB_UDP6ROW) == 24 && offsetof(MIB_UDP6ROW, dwLocalPort) == 20 &&
                  offsetof(MIB_UDP6TABLE, table) == 4,
              "MIB_UDP6ROW");
static_assert(sizeof(MIB_UDP6ROW_OWNER_PID) == 28 && offsetof(MIB_UDP6TABLE_OWNER_PID, table) == 4, "UDP6 OWNER_PID");
static_assert(sizeof(MIB_UDP6ROW_OWNER_MODULE) == 176 && offsetof(MIB_UDP6ROW_OWNER_MODULE, liCreateTimestamp) == 32 &&
                  offsetof(MIB_UDP6TABLE_OWNER_MODULE, table) == 8,
              "MIB_UDP6ROW_OWNER_MODULE");

namespace {

void fill_row(MIB_UDPROW &out, const iphlp_socket_row &in)
{
    out.dwLocalAddr = ipv4_of(in.local_addr);
    out.dwLocalPort = port_of(in.local_port);
}

void fill_owner_pid(MIB_UDPROW_OWNER_PID &out, const iphlp_socket_row &in)
{
    out.dwLocalAddr = ipv4_of(in.local_addr);
    out.dwLocalPort = port_of(in.local_port);
    out.dwOwningPid = in.owner_pid;
}

/* dwFlags (SpecificPortBind) stays 0: Linux does not record how a port was chosen. */
void fill_owner_module(MIB_UDPROW_OWNER_MODULE &out, const iphlp_socket_row &in)
{
    out.dwLocalAddr = ipv4_of(in.local_addr);
    out.dwLocalPort = port_of(in.local_port);
    out.dwOwningPid = in.owner_pid;
    out.liCreateTimestamp.QuadPart = (LONGLONG)in.create_time;
}

void fill_row6(MIB_UDP6ROW &out, const iphlp_socket_row &in)
{
    memcpy(&out.dwLocalAddr, in.local_addr, 16);
    out.dwLocalScopeId = in.local_scope_id;
    out.dwLocalPort = port_of(in.local_port);
}

template <class Row> void fill_v6_owner(Row &out, const iphlp_socket_row &in)
{
    memcpy(out.ucLocalAddr, in.local_addr, 16);
    out.dwLocalScopeId = in.local_scope_id;
    out.dwLocalPort = port_of(in.local_port);
    out.dwOwningPid = in.owner_pid;
}

void fill_owner_pid6(MIB_UDP6ROW_OWNER_PID &out, const iphlp_socket_row &in) { fill_v6_owner(out, in); }

void fill_owner_module6(MIB_UDP6ROW_OWNER_MODULE &out, const iphlp_socket_row &in)
{
    fill_v6_owner(out, in);
    out.liCreateTimestamp.QuadPart = (LONGLONG)in.create_time;
}

} // namespace

/* One export per Windows name, deliberately alike (and like the TCP ones): each names its row
 * layout and query; the work is get_socket_table (socket_rows.h). */
extern "C" {

IPHLP_EXPORT(ULONG, GetUdpTable, (PMIB_UDPTABLE UdpTable, PULONG SizePointer, WINBOOL Order),
             (UdpTable, SizePointer, Order))
{
    IPHLP_WINE_FALLBACK(GetUdpTable, UdpTable, SizePointer, Order);
    SocketQuery query = {IPHLP_UDP, IPHLP_INET4, IPHLP_FILTER_ALL, 0};
    return get_socket_table<MIB_UDPTABLE, MIB_UDPROW>(UdpTable, SizePointer, Order, query, fill_row);
}

IPHLP_EXPORT(ULONG, GetUdp6Table, (PMIB_UDP6TABLE Udp6Table, PULONG SizePointer, WINBOOL Order),
             (Udp6Table, SizePointer, Order))
{
    IPHLP_WINE_FALLBACK(GetUdp6Table, Udp6Table, SizePointer, Order);
    SocketQuery query = {IPHLP_UDP, IPHLP_INET6, IPHLP_FILTER_ALL, 0};
    return get_socket_table<MIB_UDP6TABLE, MIB_UDP6ROW>(Udp6Table, SizePointer, Order, query, fill_row6);
}

IPHLP_EXPORT(DWORD, GetExtendedUdpTable,
             (PVOID pUdpTable, PDWORD pdwSize, WINBOOL bOrder, ULONG ulAf, UDP_TABLE_CLASS TableClass, ULONG Reserved),
             (pUdpTable, pdwSize, bOrder, ulAf, TableClass, Reserved))
{
    IPHLP_WINE_FALLBACK(GetExtendedUdpTable, pUdpTable, pdwSize, bOrder, ulAf, TableClass, Reserved);
    if (!pdwSize) return ERROR_INVALID_PARAMETER;
    if (ulAf != AF_INET && ulAf != AF_INET6) return ERROR_INVALID_PARAMETER;
    if ((unsigned)TableClass > UDP_TABLE_OWNER_MODULE) return ERROR_INVALID_PARAMETER;
    bool v4 = ulAf == AF_INET;
    UINT32 flags = TableClass == UDP_TABLE_BASIC       ? 0u
                   : TableClass == UDP_TABLE_OWNER_PID ? IPHLP_WANT_OWNERS
                                                       : IPHLP_WANT_OWNERS | IPHLP_WANT_CREATE_TIME;
    SocketQuery query = {IPHLP_UDP, v4 ? (UINT32)IPHLP_INET4 : (UINT32)IPHLP_INET6, IPHLP_FILTER_ALL, flags};
    switch (TableClass)
    {
    case UDP_TABLE_BASIC:
        return get_family_table<MIB_UDPTABLE, MIB_UDPROW, MIB_UDP6TABLE, MIB_UDP6ROW>(v4, pUdpTable, pdwSize, bOrder,
                                                                                      query, fill_row, fill_row6);
    case UDP_TABLE_OWNER_PID:
        return get_family_table<MIB_UDPTABLE_OWNER_PID, MIB_UDPROW_OWNER_PID, MIB_UDP6TABLE_OWNER_PID,
                                MIB_UDP6ROW_OWNER_PID>(v4, pUdpTable, pdwSize, bOrder, query, fill_owner_pid,
                                                       fill_owner_pid6);
    default:
        return get_family_table<MIB_UDPTABLE_OWNER_MODULE, MIB_UDPROW_OWNER_MODULE, MIB_UDP6TABLE_OWNER_MODULE,
                                MIB_UDP6ROW_OWNER_MODULE>(v4, pUdpTable, pdwSize, bOrder, query, fill_owner_module,
                                                          fill_owner_module6);
    }
}

} // extern "C"
