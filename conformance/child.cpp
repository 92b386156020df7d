// SPDX-License-Identifier: LGPL-2.1-or-later
/* The child side of cross-process checks: "child <role> ...". It reports on stdout and then
 * waits to be terminated by the parent, keeping its sockets open. */
#include "harness.h"

#include <cstring>

static int tcp_sockets()
{
    unsigned short port, port6 = 0;
    SOCKET l = tcp_listener(AF_INET, "127.0.0.1", 0, &port);
    SOCKET c, s;
    if (l == INVALID_SOCKET || !tcp_pair(AF_INET, "127.0.0.1", l, port, &c, &s)) return 1;
    sockaddr_in name;
    int len = sizeof(name);
    getsockname(c, (sockaddr *)&name, &len);
    SOCKET l6 = tcp_listener(AF_INET6, "::1", 0, &port6);
    (void)l6;
    printf("ports %u %u %u pid %lu\n", port, ntohs(name.sin_port), port6, GetCurrentProcessId());
    fflush(stdout);
    Sleep(INFINITE);
    return 0;
}

int child_main(int argc, char **argv)
{
    if (argc >= 1 && !strcmp(argv[0], "tcp-sockets")) return tcp_sockets();
    if (argc >= 1 && !strcmp(argv[0], "reservation")) return reservation_child(argc - 1, argv + 1);
    if (argc >= 1 && !strcmp(argv[0], "estats")) return estats_child(argc - 1, argv + 1);
    if (argc >= 1 && !strcmp(argv[0], "runtime-hold")) return winsock_child(argc - 1, argv + 1);
    fprintf(stderr, "unknown child role\n");
    return 2;
}
