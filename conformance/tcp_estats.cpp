// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * GetPerTcpConnectionEStats, GetPerTcp6ConnectionEStats, SetPerTcp(6)ConnectionEStats,
 * SetTcpEntry(MIB_TCP_STATE_DELETE_TCB), and the creation time of OWNER_MODULE rows.
 * The ESTATS functions are looked up at run time: Wine 8.0 exports neither Get function.
 */
#include "harness.h"

#include <iphlpapi.h>
#include <tcpestats.h>

#include <cstdlib>
#include <cstring>

namespace {

using Get4Fn = ULONG(WINAPI *)(PMIB_TCPROW, TCP_ESTATS_TYPE, PUCHAR, ULONG, ULONG, PUCHAR, ULONG, ULONG, PUCHAR, ULONG,
                               ULONG);
using Get6Fn = ULONG(WINAPI *)(PMIB_TCP6ROW, TCP_ESTATS_TYPE, PUCHAR, ULONG, ULONG, PUCHAR, ULONG, ULONG, PUCHAR, ULONG,
                               ULONG);
using Set4Fn = ULONG(WINAPI *)(PMIB_TCPROW, TCP_ESTATS_TYPE, PUCHAR, ULONG, ULONG, ULONG);
using Set6Fn = ULONG(WINAPI *)(PMIB_TCP6ROW, TCP_ESTATS_TYPE, PUCHAR, ULONG, ULONG, ULONG);
using SetTcpFn = DWORD(WINAPI *)(PMIB_TCPROW);

template <typename Fn> Fn export_of(const char *name)
{
    return reinterpret_cast<Fn>(reinterpret_cast<void *>(GetProcAddress(GetModuleHandleA("iphlpapi.dll"), name)));
}

bool is_elevated()
{
    HANDLE token;
    if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &token)) return false;
    TOKEN_ELEVATION elevation = {};
    DWORD len;
    GetTokenInformation(token, TokenElevation, &elevation, sizeof(elevation), &len);
    CloseHandle(token);
    return elevation.TokenIsElevated;
}

/* The row of the connection from local port `from` to port `to` on 127.0.0.1. */
MIB_TCPROW row4(unsigned short from, unsigned short to)
{
    MIB_TCPROW row = {};
    row.dwState = MIB_TCP_STATE_ESTAB;
    row.dwLocalAddr = row.dwRemoteAddr = htonl(INADDR_LOOPBACK);
    row.dwLocalPort = htons(from);
    row.dwRemotePort = htons(to);
    return row;
}

MIB_TCP6ROW row6(unsigned short from, unsigned short to)
{
    MIB_TCP6ROW row = {};
    row.State = MIB_TCP_STATE_ESTAB;
    row.LocalAddr.u.Byte[15] = row.RemoteAddr.u.Byte[15] = 1; /* ::1 */
    row.dwLocalPort = htons(from);
    row.dwRemotePort = htons(to);
    return row;
}

unsigned short port_of(SOCKET s, bool peer)
{
    sockaddr_storage ss;
    int len = sizeof(ss);
    if (peer)
        getpeername(s, (sockaddr *)&ss, &len);
    else
        getsockname(s, (sockaddr *)&ss, &len);
    return ntohs(ss.ss_family == AF_INET ? ((sockaddr_in *)&ss)->sin_port : ((sockaddr_in6 *)&ss)->sin6_port);
}

/* A loopback connection: listener, client and accepted socket. */
struct Connection
{
    SOCKET listener = INVALID_SOCKET, client = INVALID_SOCKET, server = INVALID_SOCKET;
    unsigned short client_port = 0, server_port = 0;

    bool open(int family)
    {
        unsigned short port;
        listener = tcp_listener(family, family == AF_INET ? "127.0.0.1" : "::1", 0, &port);
        if (listener == INVALID_SOCKET ||
            !tcp_pair(family, family == AF_INET ? "127.0.0.1" : "::1", listener, port, &client, &server))
            return false;
        client_port = port_of(client, false);
        server_port = port;
        return true;
    }
    /* Closes with a reset (linger 0), so that neither end lingers in TIME_WAIT. */
    void abort()
    {
        LINGER linger = {1, 0};
        setsockopt(client, SOL_SOCKET, SO_LINGER, (const char *)&linger, sizeof(linger));
        closesocket(client);
        closesocket(server);
        client = server = INVALID_SOCKET;
    }
    ~Connection()
    {
        if (client != INVALID_SOCKET) closesocket(client);
        if (server != INVALID_SOCKET) closesocket(server);
        if (listener != INVALID_SOCKET) closesocket(listener);
    }
};

bool transfer(Connection &c, int bytes)
{
    char buf[4096];
    memset(buf, 'x', sizeof(buf));
    for (int sent = 0; sent < bytes;)
    {
        int n = send(c.client, buf, bytes - sent < (int)sizeof(buf) ? bytes - sent : (int)sizeof(buf), 0);
        if (n <= 0) return false;
        sent += n;
    }
    for (int got = 0; got < bytes;)
    {
        int n = recv(c.server, buf, sizeof(buf), 0);
        if (n <= 0) return false;
        got += n;
    }
    return true;
}

/* The documented argument checks, on a live IPv4 connection. */
void test_estats_arguments()
{
    auto get = export_of<Get4Fn>("GetPerTcpConnectionEStats");
    auto set = export_of<Set4Fn>("SetPerTcpConnectionEStats");
    if (!get || !set)
    {
        skip("GetPerTcpConnectionEStats or SetPerTcpConnectionEStats not exported");
        return;
    }
    Connection c;
    if (!c.open(AF_INET))
    {
        skip("no loopback connection");
        return;
    }
    MIB_TCPROW row = row4(c.client_port, c.server_port);
    TCP_ESTATS_DATA_RW_v0 rw = {};
    TCP_ESTATS_DATA_ROD_v0 rod = {};
    const TCP_ESTATS_TYPE data = TcpConnectionEstatsData;

    todo_if(builtin_wine() && !builtin_wine_before(10))
        ok(get(nullptr, data, nullptr, 0, 0, nullptr, 0, 0, (PUCHAR)&rod, 0, sizeof(rod)) == ERROR_INVALID_PARAMETER,
           "NULL row");
    ULONG r = get(&row, data, nullptr, 0, sizeof(rw), nullptr, 0, 0, nullptr, 0, 0);
    todo_if(builtin_wine() && !builtin_wine_before(10))
        ok(r == ERROR_INVALID_USER_BUFFER, "NULL Rw with a size: %lu", r);
    r = get(&row, data, nullptr, 0, 0, nullptr, 0, 0, nullptr, 0, sizeof(rod));
    todo_if(builtin_wine() && !builtin_wine_before(10))
        ok(r == ERROR_INVALID_USER_BUFFER, "NULL Rod with a size: %lu", r);
    r = get(&row, data, (PUCHAR)&rw, 1, sizeof(rw), nullptr, 0, 0, nullptr, 0, 0);
    todo_if(builtin_wine() && !builtin_wine_before(10)) ok(r == ERROR_NOT_SUPPORTED, "RwVersion 1: %lu", r);
    r = get(&row, data, nullptr, 0, 0, nullptr, 0, 0, (PUCHAR)&rod, 1, sizeof(rod));
    todo_if(builtin_wine() && !builtin_wine_before(10)) ok(r == ERROR_NOT_SUPPORTED, "RodVersion 1: %lu", r);
    r = get(&row, data, nullptr, 0, 0, nullptr, 0, 0, (PUCHAR)&rod, 0, sizeof(rod) - 1);
    todo_if(builtin_wine() && !builtin_wine_before(10))
        ok(r == ERROR_INSUFFICIENT_BUFFER, "Rod one byte short: %lu", r);
    r = get(&row, TcpConnectionEstatsMaximum, (PUCHAR)&rw, 0, sizeof(rw), nullptr, 0, 0, nullptr, 0, 0);
    todo_if(builtin_wine() && !builtin_wine_before(10))
        ok(r == ERROR_INVALID_PARAMETER, "type TcpConnectionEstatsMaximum: %lu", r);
    r = get(&row, data, (PUCHAR)&rw, 0, sizeof(rw), nullptr, 0, 0, (PUCHAR)&rod, 0, sizeof(rod));
    todo_if(builtin_wine() && !builtin_wine_before(10)) ok(r == NO_ERROR, "Get Data: %lu", r);
    r = get(&row, data, nullptr, 0, 0, nullptr, 0, 0, nullptr, 0, 0);
    todo_if(builtin_wine() && !builtin_wine_before(10)) ok(r == NO_ERROR, "Get with no buffer at all: %lu", r);

    todo_if(builtin_wine() && !builtin_wine_before(10))
        ok(set(nullptr, data, (PUCHAR)&rw, 0, sizeof(rw), 0) == ERROR_INVALID_PARAMETER, "Set: NULL row");
    r = set(&row, data, nullptr, 0, sizeof(rw), 0);
    todo_if(builtin_wine() && !builtin_wine_before(10))
        ok(r == ERROR_INVALID_USER_BUFFER, "Set: NULL Rw with a size: %lu", r);
    r = set(&row, data, (PUCHAR)&rw, 1, sizeof(rw), 0);
    ok(r == ERROR_NOT_SUPPORTED, "Set: RwVersion 1: %lu", r);
    r = set(&row, data, (PUCHAR)&rw, 0, sizeof(rw), 1);
    ok(r == ERROR_NOT_SUPPORTED, "Set: Offset 1: %lu", r);

    /* A connection that is gone. */
    c.abort();
    Sleep(50);
    r = get(&row, data, (PUCHAR)&rw, 0, sizeof(rw), nullptr, 0, 0, nullptr, 0, 0);
    todo_if(builtin_wine() && !builtin_wine_before(10)) ok(r == ERROR_NOT_FOUND, "Get on a closed connection: %lu", r);
    if (is_elevated())
    {
        rw.EnableCollection = TRUE;
        r = set(&row, data, (PUCHAR)&rw, 0, sizeof(rw), 0);
        todo_if(builtin_wine() && !builtin_wine_before(10))
            ok(r == ERROR_NOT_FOUND, "Set on a closed connection: %lu", r);
    }
}

/* Enable collection, move data, read it back: IPv4 and IPv6. */
template <typename Row, typename Get, typename Set>
void check_collection(const char *what, Row &client_row, Row &server_row, Get get, Set set, Connection &c)
{
    const TCP_ESTATS_TYPE types[] = {TcpConnectionEstatsData,     TcpConnectionEstatsSndCong, TcpConnectionEstatsPath,
                                     TcpConnectionEstatsSendBuff, TcpConnectionEstatsRec,     TcpConnectionEstatsObsRec,
                                     TcpConnectionEstatsFineRtt};
    for (TCP_ESTATS_TYPE type : types)
    {
        /* Every supported RW structure of these types is one BOOLEAN. */
        BOOLEAN rw = TRUE;
        ULONG r = set(&client_row, type, (PUCHAR)&rw, 0, sizeof(rw), 0);
        ok(r == NO_ERROR, "%s: enable type %d on the client: %lu", what, (int)type, r);
        r = set(&server_row, type, (PUCHAR)&rw, 0, sizeof(rw), 0);
        ok(r == NO_ERROR, "%s: enable type %d on the server: %lu", what, (int)type, r);
        rw = FALSE;
        r = get(&client_row, type, (PUCHAR)&rw, 0, sizeof(rw), nullptr, 0, 0, nullptr, 0, 0);
        ok(r == NO_ERROR && rw == TRUE, "%s: type %d reads enabled: %lu %d", what, (int)type, r, rw);
    }
    const int bytes = 100000;
    ok(transfer(c, bytes), "%s: transfer", what);

    TCP_ESTATS_DATA_ROD_v0 out = {}, in = {};
    ok(get(&client_row, TcpConnectionEstatsData, nullptr, 0, 0, nullptr, 0, 0, (PUCHAR)&out, 0, sizeof(out)) ==
           NO_ERROR,
       "%s: client Data", what);
    ok(get(&server_row, TcpConnectionEstatsData, nullptr, 0, 0, nullptr, 0, 0, (PUCHAR)&in, 0, sizeof(in)) == NO_ERROR,
       "%s: server Data", what);
    ok(out.DataBytesOut >= (ULONG64)bytes, "%s: DataBytesOut %llu", what, (unsigned long long)out.DataBytesOut);
    ok(out.DataSegsOut > 0 && out.SegsOut >= out.DataSegsOut, "%s: segments out %llu %llu", what,
       (unsigned long long)out.DataSegsOut, (unsigned long long)out.SegsOut);
    ok(in.DataBytesIn >= (ULONG64)bytes && in.ThruBytesReceived >= (ULONG64)bytes, "%s: bytes in %llu %llu", what,
       (unsigned long long)in.DataBytesIn, (unsigned long long)in.ThruBytesReceived);
    ok(in.DataSegsIn > 0 && in.SegsIn >= in.DataSegsIn, "%s: segments in %llu %llu", what,
       (unsigned long long)in.DataSegsIn, (unsigned long long)in.SegsIn);

    TCP_ESTATS_PATH_ROD_v0 path = {};
    ok(get(&client_row, TcpConnectionEstatsPath, nullptr, 0, 0, nullptr, 0, 0, (PUCHAR)&path, 0, sizeof(path)) ==
           NO_ERROR,
       "%s: Path", what);
    ok(path.CurMss > 0 && path.CurMss <= 65535, "%s: CurMss %lu", what, path.CurMss);
    ok(path.SmoothedRtt < 1000 && path.CurRto > 0, "%s: SmoothedRtt %lu ms, CurRto %lu ms", what, path.SmoothedRtt,
       path.CurRto);

    TCP_ESTATS_SND_CONG_ROD_v0 cong = {};
    TCP_ESTATS_SND_CONG_ROS_v0 cong_ros = {};
    ok(get(&client_row, TcpConnectionEstatsSndCong, nullptr, 0, 0, (PUCHAR)&cong_ros, 0, sizeof(cong_ros),
           (PUCHAR)&cong, 0, sizeof(cong)) == NO_ERROR,
       "%s: SndCong", what);
    ok(cong.CurCwnd > 0, "%s: CurCwnd %lu", what, cong.CurCwnd);

    TCP_ESTATS_OBS_REC_ROD_v0 obs = {};
    ok(get(&client_row, TcpConnectionEstatsObsRec, nullptr, 0, 0, nullptr, 0, 0, (PUCHAR)&obs, 0, sizeof(obs)) ==
           NO_ERROR,
       "%s: ObsRec", what);
    ok(obs.CurRwinRcvd > 0, "%s: CurRwinRcvd %lu", what, obs.CurRwinRcvd);

    TCP_ESTATS_REC_ROD_v0 rec = {};
    ok(get(&server_row, TcpConnectionEstatsRec, nullptr, 0, 0, nullptr, 0, 0, (PUCHAR)&rec, 0, sizeof(rec)) == NO_ERROR,
       "%s: Rec", what);
    ok(rec.CurRwinSent > 0, "%s: CurRwinSent %lu", what, rec.CurRwinSent);

    /* Switching one type off is remembered, the others stay on. */
    BOOLEAN rw = FALSE;
    ok(set(&client_row, TcpConnectionEstatsPath, (PUCHAR)&rw, 0, sizeof(rw), 0) == NO_ERROR, "%s: disable Path", what);
    rw = TRUE;
    ok(get(&client_row, TcpConnectionEstatsPath, (PUCHAR)&rw, 0, sizeof(rw), nullptr, 0, 0, nullptr, 0, 0) ==
               NO_ERROR &&
           rw == FALSE,
       "%s: Path reads disabled", what);
    rw = FALSE;
    ok(get(&client_row, TcpConnectionEstatsData, (PUCHAR)&rw, 0, sizeof(rw), nullptr, 0, 0, nullptr, 0, 0) ==
               NO_ERROR &&
           rw == TRUE,
       "%s: Data still reads enabled", what);
}

/* The switches belong to the connection, not to the process that set them: another process
 * reads them. Its line: "<GetPerTcpConnectionEStats result> <EnableCollection of Data>
 * <EnableCollection of Path>". */
void check_other_process(unsigned short from, unsigned short to, const char *expect)
{
    char args[64], line[64] = "";
    snprintf(args, sizeof(args), "estats %u %u", from, to);
    ChildProcess child;
    if (!start_child(args, &child))
    {
        skip("cannot start the child");
        return;
    }
    read_child_line(&child, line, sizeof(line));
    stop_child(&child);
    ok(!strncmp(line, expect, strlen(expect)), "another process reads the switches: '%s', expected '%s'", line, expect);
}

void test_estats_collection()
{
    auto get = export_of<Get4Fn>("GetPerTcpConnectionEStats");
    auto set = export_of<Set4Fn>("SetPerTcpConnectionEStats");
    auto get6 = export_of<Get6Fn>("GetPerTcp6ConnectionEStats");
    auto set6 = export_of<Set6Fn>("SetPerTcp6ConnectionEStats");
    if (!get || !set || !get6 || !set6)
    {
        skip("the ESTATS functions are not all exported");
        return;
    }
    if (!is_elevated())
    {
        skip("SetPerTcpConnectionEStats needs elevation");
        return;
    }
    Connection c4, c6;
    if (c4.open(AF_INET))
    {
        MIB_TCPROW client = row4(c4.client_port, c4.server_port), server = row4(c4.server_port, c4.client_port);
        check_collection("IPv4", client, server, get, set, c4);
        check_other_process(c4.client_port, c4.server_port, "0 1 0"); /* Data on, Path switched off */
    }
    else
        skip("no IPv4 loopback connection");
    if (c6.open(AF_INET6))
    {
        MIB_TCP6ROW client = row6(c6.client_port, c6.server_port), server = row6(c6.server_port, c6.client_port);
        check_collection("IPv6", client, server, get6, set6, c6);
    }
    else
        skip("no IPv6 loopback connection");
}

/* Set needs elevation; a thread impersonating the limited token is refused. */
void test_estats_limited()
{
    auto set = export_of<Set4Fn>("SetPerTcpConnectionEStats");
    auto set_tcp_entry = export_of<SetTcpFn>("SetTcpEntry");
    if (!set || !set_tcp_entry || !is_elevated())
    {
        skip("needs SetPerTcpConnectionEStats, SetTcpEntry and an elevated process");
        return;
    }
    HANDLE token;
    OpenProcessToken(GetCurrentProcess(), MAXIMUM_ALLOWED, &token);
    TOKEN_LINKED_TOKEN linked = {};
    DWORD len;
    HANDLE limited = nullptr, impersonation = nullptr;
    if (!GetTokenInformation(token, TokenLinkedToken, &linked, sizeof(linked), &len) || !linked.LinkedToken ||
        !DuplicateTokenEx(linked.LinkedToken, 0, nullptr, SecurityAnonymous, TokenPrimary, &limited) ||
        !DuplicateTokenEx(limited, TOKEN_QUERY | TOKEN_IMPERSONATE, nullptr, SecurityImpersonation, TokenImpersonation,
                          &impersonation))
    {
        skip("no limited token to impersonate");
        CloseHandle(token);
        return;
    }
    Connection c;
    if (c.open(AF_INET))
    {
        MIB_TCPROW row = row4(c.client_port, c.server_port);
        ok(SetThreadToken(nullptr, impersonation), "impersonate the limited token");
        BOOLEAN rw = TRUE;
        ULONG r = set(&row, TcpConnectionEstatsData, (PUCHAR)&rw, 0, sizeof(rw), 0);
        todo_if(builtin_wine()) ok(r == ERROR_ACCESS_DENIED, "SetPerTcpConnectionEStats with a limited token: %lu", r);
        row.dwState = MIB_TCP_STATE_DELETE_TCB;
        r = set_tcp_entry(&row);
        todo_if(builtin_wine()) ok(r == ERROR_MR_MID_NOT_FOUND, "SetTcpEntry with a limited token: %lu", r);
        RevertToSelf();
        char byte = 'x';
        ok(send(c.client, &byte, 1, 0) == 1 && recv(c.server, &byte, 1, 0) == 1,
           "the connection survives the refused SetTcpEntry");
    }
    CloseHandle(impersonation);
    CloseHandle(limited);
    CloseHandle(linked.LinkedToken);
    CloseHandle(token);
}

/* Is the connection from local port `from` to `to` listed, in state `state` (0: any)? */
bool listed(unsigned short from, unsigned short to, DWORD state)
{
    DWORD size = 0;
    GetTcpTable(nullptr, &size, FALSE);
    auto *t = (MIB_TCPTABLE *)malloc(size + 4096);
    size += 4096;
    bool found = false;
    if (t && GetTcpTable(t, &size, FALSE) == NO_ERROR)
        for (DWORD i = 0; i < t->dwNumEntries; i++)
            found |= t->table[i].dwLocalPort == htons(from) && t->table[i].dwRemotePort == htons(to) &&
                     (!state || t->table[i].dwState == state);
    free(t);
    return found;
}

/* SetTcpEntry(MIB_TCP_STATE_DELETE_TCB) resets the connection. */
void test_set_tcp_entry()
{
    auto set_tcp_entry = export_of<SetTcpFn>("SetTcpEntry");
    if (!set_tcp_entry)
    {
        skip("SetTcpEntry not exported");
        return;
    }
    todo_if(builtin_wine()) ok(set_tcp_entry(nullptr) == ERROR_INVALID_PARAMETER, "NULL row");
    Connection c;
    if (!c.open(AF_INET))
    {
        skip("no loopback connection");
        return;
    }
    MIB_TCPROW row = row4(c.client_port, c.server_port);
    const DWORD other_states[] = {MIB_TCP_STATE_CLOSED, MIB_TCP_STATE_ESTAB, MIB_TCP_STATE_TIME_WAIT, 13};
    for (DWORD state : other_states)
    {
        row.dwState = state;
        DWORD r = set_tcp_entry(&row);
        todo_if(builtin_wine()) ok(r == ERROR_INVALID_PARAMETER, "state %lu: %lu", state, r);
    }
    if (!is_elevated())
    {
        row.dwState = MIB_TCP_STATE_DELETE_TCB;
        DWORD r = set_tcp_entry(&row);
        ok(r == ERROR_MR_MID_NOT_FOUND, "not elevated: %lu", r);
        return;
    }
    ok(listed(c.client_port, c.server_port, MIB_TCP_STATE_ESTAB), "the connection is listed");
    /* The peer learns of the reset as FD_CLOSE, and its end of the connection is gone at once
     * (after a graceful close it would sit in CLOSE_WAIT). Windows reports the reset as
     * WSAECONNRESET with FD_CLOSE; Wine 8.0 and 10.0 report 0 there and let recv() return 0,
     * because wineserver reads (and so clears) the socket error when it polls. */
    WSAEVENT event = WSACreateEvent();
    WSAEventSelect(c.server, event, FD_CLOSE);
    row.dwState = MIB_TCP_STATE_DELETE_TCB;
    DWORD r = set_tcp_entry(&row);
    ok(r == NO_ERROR, "DELETE_TCB: %lu", r);
    WSANETWORKEVENTS events = {};
    DWORD waited = WaitForSingleObject(event, 5000);
    WSAEnumNetworkEvents(c.server, event, &events);
    todo_if(builtin_wine()) ok(waited == WAIT_OBJECT_0 && (events.lNetworkEvents & FD_CLOSE),
                               "the peer sees the close: wait %lu, events %#lx", waited, events.lNetworkEvents);
    ok(running_on_wine() || events.iErrorCode[FD_CLOSE_BIT] == WSAECONNRESET, "the peer sees a reset: %d",
       events.iErrorCode[FD_CLOSE_BIT]);
    todo_if(builtin_wine()) ok(!listed(c.server_port, c.client_port, 0), "the peer's end is gone, not in CLOSE_WAIT");
    WSAEventSelect(c.server, nullptr, 0);
    WSACloseEvent(event);
    todo_if(builtin_wine()) ok(!listed(c.client_port, c.server_port, 0), "the connection is no longer listed");
    r = set_tcp_entry(&row);
    todo_if(builtin_wine()) ok(r == ERROR_NOT_FOUND, "DELETE_TCB again: %lu", r);

    /* A connection nobody has: the server side of the closed pair, reversed ports on a listener's
     * address would fall back to the listener in a careless lookup. */
    MIB_TCPROW ghost = row4(c.server_port, 1);
    ghost.dwState = MIB_TCP_STATE_DELETE_TCB;
    r = set_tcp_entry(&ghost);
    todo_if(builtin_wine()) ok(r == ERROR_NOT_FOUND, "DELETE_TCB of an unknown connection on a listening port: %lu", r);
    unsigned short port = 0;
    SOCKET probe = tcp_listener(AF_INET, "127.0.0.1", c.server_port, &port);
    ok(probe == INVALID_SOCKET, "the listener survived");
    if (probe != INVALID_SOCKET) closesocket(probe);

    /* Rows that are not active connections: SetTcpEntry operates only on those (Microsoft's
     * page), so a listener's row and a TIME_WAIT row name no connection: 1168, nothing done.
     * Stock Wine answers 0 (and does nothing either). */
    MIB_TCPROW listener = {};
    listener.dwState = MIB_TCP_STATE_DELETE_TCB;
    listener.dwLocalAddr = htonl(INADDR_LOOPBACK);
    listener.dwLocalPort = htons(c.server_port);
    r = set_tcp_entry(&listener);
    todo_if(builtin_wine()) ok(r == ERROR_NOT_FOUND, "DELETE_TCB of a listener's row: %lu", r);
    ok(listed(c.server_port, 0, MIB_TCP_STATE_LISTEN), "the listener is still listed");
    SOCKET client = INVALID_SOCKET, server = INVALID_SOCKET;
    ok(tcp_pair(AF_INET, "127.0.0.1", c.listener, c.server_port, &client, &server),
       "the listener still accepts connections");
    if (client == INVALID_SOCKET || server == INVALID_SOCKET) return;

    /* The client closes first, so its end waits in TIME_WAIT once the server has closed too. */
    const unsigned short waiting_port = port_of(client, false);
    shutdown(client, SD_SEND);
    char byte;
    recv(server, &byte, 1, 0);
    closesocket(server);
    recv(client, &byte, 1, 0);
    closesocket(client);
    bool waiting = false;
    for (int i = 0; i < 50 && !(waiting = listed(waiting_port, c.server_port, MIB_TCP_STATE_TIME_WAIT)); i++) Sleep(20);
    if (!waiting)
    {
        skip("no TIME_WAIT row for port %u", waiting_port);
        return;
    }
    MIB_TCPROW time_wait = row4(waiting_port, c.server_port);
    time_wait.dwState = MIB_TCP_STATE_DELETE_TCB;
    r = set_tcp_entry(&time_wait);
    todo_if(builtin_wine()) ok(r == ERROR_NOT_FOUND, "DELETE_TCB of a TIME_WAIT row: %lu", r);
    ok(listed(waiting_port, c.server_port, MIB_TCP_STATE_TIME_WAIT), "the TIME_WAIT row is still listed");
}

ULONGLONG now_filetime()
{
    FILETIME ft;
    GetSystemTimeAsFileTime(&ft);
    return (ULONGLONG)ft.dwHighDateTime << 32 | ft.dwLowDateTime;
}

/* liCreateTimestamp is never earlier than the socket (ReactOS's iphlpapi tests check the same). */
void test_create_timestamp()
{
    Sleep(20); /* this process's start and the socket apart, so that an earlier time shows */
    ULONGLONG before = now_filetime();
    unsigned short port;
    SOCKET l = tcp_listener(AF_INET, "127.0.0.1", 0, &port);
    SOCKET u = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
    sockaddr_in sin = {};
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(u, (sockaddr *)&sin, sizeof(sin));
    int len = sizeof(sin);
    getsockname(u, (sockaddr *)&sin, &len);

    ULONGLONG seen[2] = {};
    for (int round = 0; round < 2; round++)
    {
        DWORD size = 0;
        GetExtendedTcpTable(nullptr, &size, FALSE, AF_INET, TCP_TABLE_OWNER_MODULE_ALL, 0);
        size += 8192;
        auto *t = (MIB_TCPTABLE_OWNER_MODULE *)malloc(size);
        const MIB_TCPROW_OWNER_MODULE *row = nullptr;
        if (GetExtendedTcpTable(t, &size, FALSE, AF_INET, TCP_TABLE_OWNER_MODULE_ALL, 0) == NO_ERROR)
            for (DWORD i = 0; i < t->dwNumEntries; i++)
                if (t->table[i].dwLocalPort == htons(port) && t->table[i].dwState == MIB_TCP_STATE_LISTEN)
                    row = &t->table[i];
        ok(row != nullptr, "listener in OWNER_MODULE_ALL");
        ULONGLONG ts = row ? (ULONGLONG)row->liCreateTimestamp.QuadPart : 0;
        ULONGLONG now = now_filetime();
        todo_if(builtin_wine())
            ok(ts >= before && ts <= now, "TCP creation time %llu within [%llu, %llu] (%.3f s before the socket)", ts,
               before, now, ts < before ? (before - ts) / 1e7 : 0.0);
        if (round == 0 && ts >= before)
            printf("socket_create_timestamp: reported %.3f ms after the time taken before socket()\n",
                   (ts - before) / 1e4);
        seen[round] = ts;
        free(t);
    }
    ok(seen[0] == seen[1], "the same creation time on a second call: %llu %llu", seen[0], seen[1]);

    /* The UDP table, read the way the TCP one was above: the same check on another row type. */
    DWORD size = 0;
    GetExtendedUdpTable(nullptr, &size, FALSE, AF_INET, UDP_TABLE_OWNER_MODULE, 0);
    size += 8192;
    auto *ut = (MIB_UDPTABLE_OWNER_MODULE *)malloc(size);
    const MIB_UDPROW_OWNER_MODULE *urow = nullptr;
    if (GetExtendedUdpTable(ut, &size, FALSE, AF_INET, UDP_TABLE_OWNER_MODULE, 0) == NO_ERROR)
        for (DWORD i = 0; i < ut->dwNumEntries; i++)
            if (ut->table[i].dwLocalPort == sin.sin_port) urow = &ut->table[i];
    ok(urow != nullptr, "UDP socket in OWNER_MODULE");
    ULONGLONG ts = urow ? (ULONGLONG)urow->liCreateTimestamp.QuadPart : 0;
    ULONGLONG now = now_filetime();
    todo_if(builtin_wine())
        ok(ts >= before && ts <= now, "UDP creation time %llu within [%llu, %llu]", ts, before, now);
    free(ut);
    closesocket(u);
    closesocket(l);
}

} // namespace

/* "child estats FROM TO": the Data and Path switches of 127.0.0.1:FROM -> 127.0.0.1:TO. */
int estats_child(int argc, char **argv)
{
    auto get = export_of<Get4Fn>("GetPerTcpConnectionEStats");
    if (argc < 2 || !get) return 2;
    MIB_TCPROW row = row4((unsigned short)atoi(argv[0]), (unsigned short)atoi(argv[1]));
    BOOLEAN data = 2, path = 2;
    ULONG r = get(&row, TcpConnectionEstatsData, (PUCHAR)&data, 0, sizeof(data), nullptr, 0, 0, nullptr, 0, 0);
    get(&row, TcpConnectionEstatsPath, (PUCHAR)&path, 0, sizeof(path), nullptr, 0, 0, nullptr, 0, 0);
    printf("%lu %d %d\n", r, data, path);
    fflush(stdout);
    Sleep(INFINITE);
    return 0;
}

const ConformanceTest tcp_estats_tests[] = {
    {"tcp_estats_arguments", test_estats_arguments},    {"tcp_estats_collection", test_estats_collection},
    {"tcp_estats_limited", test_estats_limited},        {"set_tcp_entry", test_set_tcp_entry},
    {"socket_create_timestamp", test_create_timestamp}, {nullptr, nullptr},
};
