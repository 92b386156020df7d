// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * What the ws2_32 companion adds to a program that uses no reservation: the median time of
 * bind (an explicit port outside every reserved block), connect and closesocket, for UDP and
 * TCP sockets, each call timed on its own. bench/ws2-bench.sh runs it through the companion and
 * through the same Wine's own ws2_32, side by side.
 * Usage: ws2bench ITERATIONS   prints "OPERATION MEDIAN_NS" lines
 */
#include <winsock2.h>
#include <ws2tcpip.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace {

LARGE_INTEGER frequency;

long long now_ns()
{
    LARGE_INTEGER t;
    QueryPerformanceCounter(&t);
    return t.QuadPart * 1000000000LL / frequency.QuadPart;
}

void report(const char *what, std::vector<long long> &samples)
{
    std::sort(samples.begin(), samples.end());
    printf("%s %lld\n", what, samples.empty() ? -1LL : samples[samples.size() / 2]);
}

sockaddr_in loopback(unsigned short port)
{
    sockaddr_in a = {};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(port);
    return a;
}

} // namespace

int main(int argc, char **argv)
{
    const int n = argc > 1 ? atoi(argv[1]) : 2000;
    QueryPerformanceFrequency(&frequency);
    WSADATA wsa;
    WSAStartup(MAKEWORD(2, 2), &wsa);
    std::vector<long long> bind_udp, connect_udp, close_udp, bind_tcp, connect_tcp, close_tcp;
    SOCKET listener = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    sockaddr_in l = loopback(0);
    int len = sizeof(l);
    bind(listener, (sockaddr *)&l, sizeof(l));
    listen(listener, 64);
    getsockname(listener, (sockaddr *)&l, &len);
    for (int i = 0; i < n; i++)
    {
        /* Explicit ports in 21000-22999: no reservation of the bench's own prefix covers them. */
        sockaddr_in a = loopback((unsigned short)(21000 + i % 2000));
        sockaddr_in to = loopback(9);
        SOCKET s = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
        long long t0 = now_ns();
        int rb = bind(s, (sockaddr *)&a, sizeof(a));
        long long t1 = now_ns();
        int rc = connect(s, (sockaddr *)&to, sizeof(to));
        long long t2 = now_ns();
        closesocket(s);
        long long t3 = now_ns();
        if (!rb) bind_udp.push_back(t1 - t0);
        if (!rc) connect_udp.push_back(t2 - t1);
        close_udp.push_back(t3 - t2);

        s = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
        a = loopback((unsigned short)(23000 + i % 2000));
        t0 = now_ns();
        rb = bind(s, (sockaddr *)&a, sizeof(a));
        t1 = now_ns();
        rc = connect(s, (sockaddr *)&l, sizeof(l));
        t2 = now_ns();
        SOCKET accepted = accept(listener, nullptr, nullptr);
        long long t4 = now_ns();
        closesocket(s);
        long long t5 = now_ns();
        closesocket(accepted);
        if (!rb) bind_tcp.push_back(t1 - t0);
        if (!rc) connect_tcp.push_back(t2 - t1);
        close_tcp.push_back(t5 - t4);
    }
    report("udp_bind", bind_udp);
    report("udp_connect", connect_udp);
    report("udp_closesocket", close_udp);
    report("tcp_bind", bind_tcp);
    report("tcp_connect", connect_tcp);
    report("tcp_closesocket", close_tcp);
    closesocket(listener);
    WSACleanup();
    return 0;
}
