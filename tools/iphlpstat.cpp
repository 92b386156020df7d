// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * iphlpstat: the demo behind `./iphlp demo`, nothing more. It opens a listener and a connection
 * of its own, then prints the TCP tables (GetTcpTable2 / GetTcp6Table2, linked against MinGW's
 * own libiphlpapi.a) with owning PIDs and image names, marking its own rows "<- this process".
 *
 *   iphlpstat --demo   the demo
 *   iphlpstat          a pointer to netstat.exe (exit 2)
 *
 * Listing tables for people and scripts is netstat.exe's job (tools/netstat/: Windows' format,
 * UDP, -p, and --state/--port/--pid/--json); reservations are excludedports.exe's.
 */
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>
#include <iphlpapi.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

static const char *state_name(DWORD state)
{
    static const char *const names[] = {"?",           "CLOSED",    "LISTEN",    "SYN_SENT",   "SYN_RCVD",
                                        "ESTABLISHED", "FIN_WAIT1", "FIN_WAIT2", "CLOSE_WAIT", "CLOSING",
                                        "LAST_ACK",    "TIME_WAIT", "DELETE_TCB"};
    return state < sizeof(names) / sizeof(names[0]) ? names[state] : "?";
}

/* The image name of a Windows process, "-" for PID 0 (not a Wine process). */
static void process_name(DWORD pid, char *out, DWORD size)
{
    snprintf(out, size, "-");
    if (!pid) return;
    HANDLE h = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, pid);
    if (!h) return;
    char path[MAX_PATH];
    DWORD len = sizeof(path);
    if (QueryFullProcessImageNameA(h, 0, path, &len))
    {
        const char *base = strrchr(path, '\\');
        snprintf(out, size, "%s", base ? base + 1 : path);
    }
    CloseHandle(h);
}

template <class Table> static Table *fetch(ULONG(WINAPI *fn)(Table *, PULONG, BOOL))
{
    ULONG size = 0, err;
    Table *t = nullptr;
    while ((err = fn(t, &size, TRUE)) == ERROR_INSUFFICIENT_BUFFER)
    {
        free(t);
        t = (Table *)malloc(size);
    }
    if (err != NO_ERROR)
    {
        fprintf(stderr, "iphlpstat: error %lu\n", err);
        free(t);
        return nullptr;
    }
    return t;
}

static void print_row(const char *proto, const char *local, const char *remote, DWORD state, DWORD pid, DWORD me)
{
    char name[MAX_PATH];
    process_name(pid, name, sizeof(name));
    printf("  %-5s %-46s %-46s %-12s %7lu  %s%s\n", proto, local, remote, state_name(state), pid, name,
           pid && pid == me ? "  <- this process" : "");
}

static void endpoint(int family, const void *addr, DWORD port, DWORD scope, char *out, size_t size)
{
    char text[INET6_ADDRSTRLEN];
    inet_ntop(family, addr, text, sizeof(text));
    if (family == AF_INET6)
    {
        if (scope)
            snprintf(out, size, "[%s%%%lu]:%u", text, scope, ntohs((u_short)port));
        else
            snprintf(out, size, "[%s]:%u", text, ntohs((u_short)port));
    }
    else
        snprintf(out, size, "%s:%u", text, ntohs((u_short)port));
}

int main(int argc, char **argv)
{
    if (argc != 2 || strcmp(argv[1], "--demo"))
    {
        fprintf(stderr, "iphlpstat is only the demo: run 'iphlpstat --demo'. To list connections with their "
                        "PIDs use netstat.exe (tools/netstat: netstat -ano, --state, --port, --pid, --json).\n");
        return 2;
    }
    WSADATA wsa;
    WSAStartup(MAKEWORD(2, 2), &wsa);
    DWORD me = GetCurrentProcessId();
    {
        SOCKET l = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP), c = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
        sockaddr_in sin = {};
        sin.sin_family = AF_INET;
        sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        int len = sizeof(sin);
        if (bind(l, (sockaddr *)&sin, sizeof(sin)) || listen(l, 1) || getsockname(l, (sockaddr *)&sin, &len) ||
            connect(c, (sockaddr *)&sin, sizeof(sin)) || accept(l, nullptr, nullptr) == INVALID_SOCKET)
        {
            fprintf(stderr, "iphlpstat: demo sockets failed: %d\n", WSAGetLastError());
            return 1;
        }
        printf("This process (PID %lu) listens on 127.0.0.1:%u and is connected to itself.\n\n", me,
               ntohs(sin.sin_port));
    }
    printf("  %-5s %-46s %-46s %-12s %7s  %s\n", "Proto", "Local Address", "Foreign Address", "State", "PID", "Image");
    char local[80], remote[80];
    int rows = 0;
    if (MIB_TCPTABLE2 *t = fetch(GetTcpTable2))
    {
        for (DWORD i = 0; i < t->dwNumEntries; i++, rows++)
        {
            const MIB_TCPROW2 &r = t->table[i];
            endpoint(AF_INET, &r.dwLocalAddr, r.dwLocalPort, 0, local, sizeof(local));
            endpoint(AF_INET, &r.dwRemoteAddr, r.dwRemotePort, 0, remote, sizeof(remote));
            print_row("TCP", local, remote, r.dwState, r.dwOwningPid, me);
        }
        free(t);
    }
    else
        return 1;
    if (MIB_TCP6TABLE2 *t = fetch(GetTcp6Table2))
    {
        for (DWORD i = 0; i < t->dwNumEntries; i++, rows++)
        {
            const MIB_TCP6ROW2 &r = t->table[i];
            endpoint(AF_INET6, &r.LocalAddr, r.dwLocalPort, r.dwLocalScopeId, local, sizeof(local));
            endpoint(AF_INET6, &r.RemoteAddr, r.dwRemotePort, r.dwRemoteScopeId, remote, sizeof(remote));
            print_row("TCPv6", local, remote, r.State, r.dwOwningPid, me);
        }
        free(t);
    }
    else
        return 1;
    printf("\n%d connections. PID 0: not a Windows process (a Linux program outside Wine).\n", rows);
    WSACleanup();
    return 0;
}
