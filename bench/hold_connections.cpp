// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Holds N established loopback TCP connections (2N sockets) owned by a plain Linux process,
 * until SIGTERM (not stdin EOF: wineserver, started meanwhile, would inherit the pipe). A process may hold only as many fds as its hard limit allows (20,000
 * here), so bench/run.sh starts several for large N. Prints "ready N" once they are all up. Clients are spread over several
 * listeners so that 30,000 connections fit in the default ephemeral port range (the kernel
 * reuses a local port for different destinations).
 */
#include <arpa/inet.h>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <vector>

int main(int argc, char **argv)
{
    sigset_t block; /* delivered through sigwait() below, from the start */
    sigemptyset(&block);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGINT);
    sigprocmask(SIG_BLOCK, &block, nullptr);

    int n = argc > 1 ? atoi(argv[1]) : 1000;
    rlimit lim;
    getrlimit(RLIMIT_NOFILE, &lim);
    lim.rlim_cur = lim.rlim_max; /* raising the hard limit needs CAP_SYS_RESOURCE: stay within it */
    if (setrlimit(RLIMIT_NOFILE, &lim) || lim.rlim_cur < (rlim_t)(2 * n + 64))
    {
        fprintf(stderr, "hold_connections: %d connections need %d fds, the limit is %llu\n", n, 2 * n + 64,
                (unsigned long long)lim.rlim_cur);
        return 1;
    }

    const int listeners = 4;
    std::vector<int> ls;
    std::vector<sockaddr_in> addrs;
    for (int i = 0; i < listeners; i++)
    {
        int l = socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in sin = {};
        sin.sin_family = AF_INET;
        sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof(sin);
        if (l < 0 || bind(l, (sockaddr *)&sin, sizeof(sin)) || listen(l, 4096) ||
            getsockname(l, (sockaddr *)&sin, &len))
        {
            perror("listener");
            return 1;
        }
        ls.push_back(l);
        addrs.push_back(sin);
    }
    std::vector<int> fds;
    for (int i = 0; i < n; i++)
    {
        int c = socket(AF_INET, SOCK_STREAM, 0);
        if (c < 0 || connect(c, (sockaddr *)&addrs[i % listeners], sizeof(sockaddr_in)))
        {
            perror("connect");
            return 1;
        }
        int s = accept(ls[i % listeners], nullptr, nullptr);
        if (s < 0)
        {
            perror("accept");
            return 1;
        }
        fds.push_back(c);
        fds.push_back(s);
    }
    printf("ready %d\n", n);
    fflush(stdout);
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    int sig;
    sigwait(&stop, &sig);
    /* Reset rather than close gracefully: no TIME_WAIT rows left behind for the next scenario. */
    linger reset = {1, 0};
    for (int fd : fds) setsockopt(fd, SOL_SOCKET, SO_LINGER, &reset, sizeof(reset));
    return 0;
}
