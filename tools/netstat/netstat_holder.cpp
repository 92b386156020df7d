// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * netstat_holder.exe: a test helper. Opens sockets of known ports in a Wine process, prints one
 * line describing them, then holds them until its stdin reaches end of file:
 *
 *   pid=1234 tcp4_listen=P tcp4_client=P tcp4_server=P udp4=P tcp6_listen=P tcp6_loop=P
 *   tcp6_client=P udp6=P ll_addr=fe80::1 ll_scope=4 ll_port=P
 *
 * tcp4_*: a listener on 0.0.0.0 and one connection to it over 127.0.0.1 (client and accepted
 * ends); tcp6_*: a listener on [::] (v6 only), a listener on [::1] and one connection to it;
 * udp4/udp6: sockets on 0.0.0.0 and [::]; ll_*: a TCP listener on an IPv6 link-local address
 * (ll_port=0 when the machine has none). Any failure is printed on stderr with exit code 1.
 *
 *   netstat_holder.exe limited PROGRAM [ARGS...]
 *
 * instead runs PROGRAM with the limited token linked to this process's elevated one (what a
 * non-elevated caller has; Wine gives every process the elevated token), sharing this process's
 * standard handles, and exits with PROGRAM's exit code (3 when it cannot be started).
 */
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>
#include <iphlpapi.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

static void fail(const char *what)
{
    fprintf(stderr, "netstat_holder: %s failed (WSA error %d)\n", what, WSAGetLastError());
    exit(1);
}

static unsigned short port_of(SOCKET s)
{
    sockaddr_storage ss = {};
    int len = sizeof(ss);
    if (getsockname(s, reinterpret_cast<sockaddr *>(&ss), &len)) fail("getsockname");
    return ntohs(ss.ss_family == AF_INET ? reinterpret_cast<sockaddr_in *>(&ss)->sin_port
                                         : reinterpret_cast<sockaddr_in6 *>(&ss)->sin6_port);
}

static SOCKET bound(int family, int type, const char *address, ULONG scope)
{
    SOCKET s = socket(family, type, type == SOCK_STREAM ? IPPROTO_TCP : IPPROTO_UDP);
    if (s == INVALID_SOCKET) fail("socket");
    if (family == AF_INET6)
    {
        DWORD v6only = 1;
        setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, reinterpret_cast<const char *>(&v6only), sizeof(v6only));
        sockaddr_in6 a = {};
        a.sin6_family = AF_INET6;
        a.sin6_scope_id = scope;
        if (inet_pton(AF_INET6, address, &a.sin6_addr) != 1) fail("inet_pton");
        if (bind(s, reinterpret_cast<sockaddr *>(&a), sizeof(a))) fail("bind (IPv6)");
    }
    else
    {
        sockaddr_in a = {};
        a.sin_family = AF_INET;
        if (inet_pton(AF_INET, address, &a.sin_addr) != 1) fail("inet_pton");
        if (bind(s, reinterpret_cast<sockaddr *>(&a), sizeof(a))) fail("bind (IPv4)");
    }
    if (type == SOCK_STREAM && listen(s, 4)) fail("listen");
    return s;
}

static SOCKET connect_to(int family, const char *address, unsigned short port, SOCKET listener, SOCKET *accepted)
{
    SOCKET c = socket(family, SOCK_STREAM, IPPROTO_TCP);
    if (c == INVALID_SOCKET) fail("socket");
    sockaddr_storage ss = {};
    int len;
    if (family == AF_INET)
    {
        auto *a = reinterpret_cast<sockaddr_in *>(&ss);
        a->sin_family = AF_INET;
        a->sin_port = htons(port);
        inet_pton(AF_INET, address, &a->sin_addr);
        len = sizeof(*a);
    }
    else
    {
        auto *a = reinterpret_cast<sockaddr_in6 *>(&ss);
        a->sin6_family = AF_INET6;
        a->sin6_port = htons(port);
        inet_pton(AF_INET6, address, &a->sin6_addr);
        len = sizeof(*a);
    }
    if (connect(c, reinterpret_cast<sockaddr *>(&ss), len)) fail("connect");
    *accepted = accept(listener, nullptr, nullptr);
    if (*accepted == INVALID_SOCKET) fail("accept");
    return c;
}

/* The first IPv6 link-local address of the machine, as the conformance suite finds it. */
static bool link_local(char *text, size_t size, ULONG *scope)
{
    ULONG len = 0;
    GetAdaptersAddresses(AF_UNSPEC, 0, nullptr, nullptr, &len);
    if (!len) return false;
    std::vector<BYTE> buffer(len);
    auto *adapters = reinterpret_cast<IP_ADAPTER_ADDRESSES *>(buffer.data());
    if (GetAdaptersAddresses(AF_UNSPEC, 0, nullptr, adapters, &len) != NO_ERROR) return false;
    for (auto *a = adapters; a; a = a->Next)
        for (auto *u = a->FirstUnicastAddress; u; u = u->Next)
        {
            auto *sin6 = reinterpret_cast<sockaddr_in6 *>(u->Address.lpSockaddr);
            if (sin6 && sin6->sin6_family == AF_INET6 && IN6_IS_ADDR_LINKLOCAL(&sin6->sin6_addr) && sin6->sin6_scope_id)
            {
                *scope = sin6->sin6_scope_id;
                inet_ntop(AF_INET6, &sin6->sin6_addr, text, size);
                return true;
            }
        }
    return false;
}

static int run_limited(int argc, char **argv)
{
    HANDLE token = nullptr, primary = nullptr;
    TOKEN_LINKED_TOKEN linked = {};
    DWORD len = 0;
    if (!OpenProcessToken(GetCurrentProcess(), MAXIMUM_ALLOWED, &token) ||
        !GetTokenInformation(token, TokenLinkedToken, &linked, sizeof(linked), &len) || !linked.LinkedToken ||
        !DuplicateTokenEx(linked.LinkedToken, 0, nullptr, SecurityAnonymous, TokenPrimary, &primary))
    {
        fprintf(stderr, "netstat_holder: no limited token to run with (error %lu)\n", GetLastError());
        return 3;
    }
    std::string cmdline;
    for (int i = 2; i < argc; i++)
    {
        if (i > 2) cmdline += ' ';
        cmdline += '"';
        cmdline += argv[i];
        cmdline += '"';
    }
    STARTUPINFOA si = {};
    si.cb = sizeof(si);
    si.dwFlags = STARTF_USESTDHANDLES;
    si.hStdInput = GetStdHandle(STD_INPUT_HANDLE);
    si.hStdOutput = GetStdHandle(STD_OUTPUT_HANDLE);
    si.hStdError = GetStdHandle(STD_ERROR_HANDLE);
    PROCESS_INFORMATION pi = {};
    if (!CreateProcessAsUserA(primary, nullptr, &cmdline[0], nullptr, nullptr, TRUE, 0, nullptr, nullptr, &si, &pi))
    {
        fprintf(stderr, "netstat_holder: cannot start %s with the limited token (error %lu)\n", argv[2],
                GetLastError());
        return 3;
    }
    WaitForSingleObject(pi.hProcess, INFINITE);
    DWORD code = 3;
    GetExitCodeProcess(pi.hProcess, &code);
    CloseHandle(pi.hProcess);
    CloseHandle(pi.hThread);
    CloseHandle(primary);
    CloseHandle(linked.LinkedToken);
    CloseHandle(token);
    return (int)code;
}

int main(int argc, char **argv)
{
    if (argc >= 3 && !strcmp(argv[1], "limited")) return run_limited(argc, argv);

    WSADATA wsa;
    if (WSAStartup(MAKEWORD(2, 2), &wsa)) fail("WSAStartup");

    SOCKET l4 = bound(AF_INET, SOCK_STREAM, "0.0.0.0", 0), a4;
    SOCKET c4 = connect_to(AF_INET, "127.0.0.1", port_of(l4), l4, &a4);
    SOCKET u4 = bound(AF_INET, SOCK_DGRAM, "0.0.0.0", 0);
    SOCKET l6 = bound(AF_INET6, SOCK_STREAM, "::", 0);
    SOCKET loop6 = bound(AF_INET6, SOCK_STREAM, "::1", 0), a6;
    SOCKET c6 = connect_to(AF_INET6, "::1", port_of(loop6), loop6, &a6);
    SOCKET u6 = bound(AF_INET6, SOCK_DGRAM, "::", 0);
    char ll[INET6_ADDRSTRLEN] = "none";
    ULONG scope = 0;
    unsigned short ll_port = 0;
    if (link_local(ll, sizeof(ll), &scope)) ll_port = port_of(bound(AF_INET6, SOCK_STREAM, ll, scope));

    printf("pid=%lu tcp4_listen=%u tcp4_client=%u tcp4_server=%u udp4=%u tcp6_listen=%u tcp6_loop=%u tcp6_client=%u "
           "udp6=%u ll_addr=%s ll_scope=%lu ll_port=%u\n",
           GetCurrentProcessId(), port_of(l4), port_of(c4), port_of(a4), port_of(u4), port_of(l6), port_of(loop6),
           port_of(c6), port_of(u6), ll, scope, ll_port);
    fflush(stdout);

    /* Hold everything until the test closes our stdin. */
    char buf[256];
    DWORD got;
    while (ReadFile(GetStdHandle(STD_INPUT_HANDLE), buf, sizeof(buf), &got, nullptr) && got)
    {}
    return 0;
}
