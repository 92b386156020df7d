// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The floor: the raw NETLINK_SOCK_DIAG dump of every IPv4 TCP socket, received and walked
 * message by message but not parsed into rows. Prints the median of N dumps in microseconds
 * and the number of sockets: "floor_us <median> sockets <count>".
 */
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <vector>

static long dump(int fd, std::vector<char> &buf)
{
    struct
    {
        nlmsghdr nlh;
        inet_diag_req_v2 req;
    } msg = {};
    msg.nlh.nlmsg_len = sizeof(msg);
    msg.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
    msg.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    msg.req.sdiag_family = AF_INET;
    msg.req.sdiag_protocol = IPPROTO_TCP;
    msg.req.idiag_states = ~0u;
    sockaddr_nl nl = {};
    nl.nl_family = AF_NETLINK;
    if (sendto(fd, &msg, sizeof(msg), 0, (sockaddr *)&nl, sizeof(nl)) < 0) return -1;
    long count = 0;
    for (;;)
    {
        ssize_t len = recv(fd, buf.data(), buf.size(), 0);
        if (len <= 0) return -1;
        for (auto *h = (nlmsghdr *)buf.data(); NLMSG_OK(h, (unsigned)len); h = NLMSG_NEXT(h, len))
        {
            if (h->nlmsg_type == NLMSG_DONE) return count;
            if (h->nlmsg_type == NLMSG_ERROR) return -1;
            count++;
        }
    }
}

int main(int argc, char **argv)
{
    int runs = argc > 1 ? atoi(argv[1]) : 21;
    int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
    std::vector<char> buf(256 * 1024);
    std::vector<double> us;
    long sockets = 0;
    for (int i = 0; i < runs; i++)
    {
        timespec a, b;
        clock_gettime(CLOCK_MONOTONIC, &a);
        sockets = dump(fd, buf);
        clock_gettime(CLOCK_MONOTONIC, &b);
        if (sockets < 0) return 1;
        us.push_back((b.tv_sec - a.tv_sec) * 1e6 + (b.tv_nsec - a.tv_nsec) / 1e3);
    }
    std::sort(us.begin(), us.end());
    printf("floor_us %.0f sockets %ld\n", us[us.size() / 2], sockets);
    return 0;
}
