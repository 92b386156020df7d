/* GetTcpTable2 and GetTcp6Table2 (MIB_TCPROW2, MIB_TCP6ROW2). */
#include "socket_rows.h"

/* Layouts from windows-behavior.md 1.6, identical on x86 and x64. */
static_assert(sizeof(MIB_TCPROW2) == 28 && offsetof(MIB_TCPROW2, dwOwningPid) == 20 &&
              offsetof(MIB_TCPROW2, dwOffloadState) == 24, "MIB_TCPROW2");
static_assert(offsetof(MIB_TCPTABLE2, table) == 4, "MIB_TCPTABLE2");
static_assert(sizeof(MIB_TCP6ROW2) == 60 && offsetof(MIB_TCP6ROW2, dwLocalScopeId) == 16 &&
              offsetof(MIB_TCP6ROW2, dwRemotePort) == 44 && offsetof(MIB_TCP6ROW2, State) == 48 &&
              offsetof(MIB_TCP6ROW2, dwOffloadState) == 56, "MIB_TCP6ROW2");
static_assert(offsetof(MIB_TCP6TABLE2, table) == 4, "MIB_TCP6TABLE2");

static void fill_tcp_row2(MIB_TCPROW2 &out, const iphlp_socket_row &in)
{
    out.dwState = in.state;
    out.dwLocalAddr = ipv4_of(in.local_addr);
    out.dwLocalPort = port_of(in.local_port);
    out.dwRemoteAddr = ipv4_of(in.remote_addr);
    out.dwRemotePort = port_of(in.remote_port);
    out.dwOwningPid = in.owner_pid;
    out.dwOffloadState = TcpConnectionOffloadStateInHost;
}

static void fill_tcp6_row2(MIB_TCP6ROW2 &out, const iphlp_socket_row &in)
{
    memcpy(&out.LocalAddr, in.local_addr, 16);
    out.dwLocalScopeId = in.local_scope_id;
    out.dwLocalPort = port_of(in.local_port);
    memcpy(&out.RemoteAddr, in.remote_addr, 16);
    out.dwRemoteScopeId = in.remote_scope_id;
    out.dwRemotePort = port_of(in.remote_port);
    out.State = (MIB_TCP_STATE)in.state;
    out.dwOwningPid = in.owner_pid;
    out.dwOffloadState = TcpConnectionOffloadStateInHost;
}

extern "C" ULONG WINAPI GetTcpTable2(PMIB_TCPTABLE2 TcpTable, PULONG SizePointer, WINBOOL Order)
{
    socket_query query = {IPHLP_TCP, IPHLP_INET4, IPHLP_FILTER_ALL, IPHLP_WANT_OWNERS};
    return get_socket_table<MIB_TCPTABLE2, MIB_TCPROW2>(TcpTable, SizePointer, Order, query, fill_tcp_row2);
}

extern "C" ULONG WINAPI GetTcp6Table2(PMIB_TCP6TABLE2 TcpTable, PULONG SizePointer, WINBOOL Order)
{
    socket_query query = {IPHLP_TCP, IPHLP_INET6, IPHLP_FILTER_ALL, IPHLP_WANT_OWNERS};
    return get_socket_table<MIB_TCP6TABLE2, MIB_TCP6ROW2>(TcpTable, SizePointer, Order, query, fill_tcp6_row2);
}
