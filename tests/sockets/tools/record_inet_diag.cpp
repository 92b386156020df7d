// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Records the socket-reader fixtures of tests/sockets/fixtures from the running kernel:
 *
 *     record_inet_diag tests/sockets/fixtures
 *
 * It opens a known set of loopback (and, when the host has one, IPv6 link-local) sockets in as
 * many TCP states as can be produced on demand, then writes
 *   inet_diag/{tcp4,tcp6,udp4,udp6}.bin  the raw SOCK_DIAG_BY_FAMILY dump replies (all states),
 *                                        keeping only our sockets' messages, byte for byte, and
 *                                        the kernel's closing NLMSG_DONE;
 *   proc_net/{tcp,tcp6,udp,udp6}         /proc/net/<file> at the same moment, header plus our lines;
 *   proc_net/if_inet6                    /proc/net/if_inet6 as it was;
 *   recorded_sockets.inc                 what the tests must find, taken from the socket API
 *                                        (getsockname, getpeername, fstat) and from the states we
 *                                        drove the sockets into, never from the parsers under test.
 *
 * It does its own raw dump with libmnl and none of unix/, so a parser bug cannot leak into the
 * expectations. Run it as any user; re-run it (and commit all outputs together) when the fixture
 * set changes.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "../link_local.h"

namespace {

/* Every socket we open uses one of these ports, which is how we pick ours out of the dumps. */
constexpr uint16_t SERVER_PORTS[] = {0x1234, 0x1235, 0x1236, 0x1237, 0x1238};
constexpr uint16_t CLIENT_PORTS[] = {0x4321, 0x4322, 0x4323, 0x4324, 0x4325, 0x4326};

bool ours(uint16_t port)
{
    for (uint16_t p : SERVER_PORTS)
        if (p == port) return true;
    for (uint16_t p : CLIENT_PORTS)
        if (p == port) return true;
    return false;
}

[[noreturn]] void die(const char *what)
{
    fprintf(stderr, "record_inet_diag: %s: %s\n", what, strerror(errno));
    exit(1);
}

struct Address
{
    sockaddr_storage ss{};
    socklen_t len = 0;
};

Address make_address(const char *text, uint16_t port, uint32_t scope = 0)
{
    Address a;
    if (strchr(text, ':'))
    {
        auto *sin6 = reinterpret_cast<sockaddr_in6 *>(&a.ss);
        sin6->sin6_family = AF_INET6;
        sin6->sin6_port = htons(port);
        sin6->sin6_scope_id = scope;
        if (inet_pton(AF_INET6, text, &sin6->sin6_addr) != 1) die(text);
        a.len = sizeof(*sin6);
    }
    else
    {
        auto *sin = reinterpret_cast<sockaddr_in *>(&a.ss);
        sin->sin_family = AF_INET;
        sin->sin_port = htons(port);
        if (inet_pton(AF_INET, text, &sin->sin_addr) != 1) die(text);
        a.len = sizeof(*sin);
    }
    return a;
}

int open_socket(const Address &a, int type)
{
    int fd = socket(a.ss.ss_family, type, 0);
    int one = 1, zero = 0;
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0) die("socket");
    if (a.ss.ss_family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero)) < 0)
        die("IPV6_V6ONLY");
    if (bind(fd, reinterpret_cast<const sockaddr *>(&a.ss), a.len) < 0) die("bind");
    return fd;
}

int tcp_listen(const Address &a, int backlog)
{
    int fd = open_socket(a, SOCK_STREAM);
    if (listen(fd, backlog) < 0) die("listen");
    return fd;
}

int tcp_connect(const Address &from, const Address &to, int flags = 0)
{
    int fd = open_socket(from, SOCK_STREAM | flags);
    if (connect(fd, reinterpret_cast<const sockaddr *>(&to.ss), to.len) < 0 && errno != EINPROGRESS) die("connect");
    return fd;
}

int tcp_accept(int listener)
{
    int fd = accept(listener, nullptr, nullptr);
    if (fd < 0) die("accept");
    return fd;
}

/* One row the tests must find, written out as a line of recorded_sockets.inc. */
struct Expected
{
    const char *proto;
    Address local, remote;
    unsigned mib_state;
    const char *comment;
    unsigned long inode;
};
std::vector<Expected> expected;

/* MIB_TCP_STATE values, written independently of unix/tcp_state.cpp. */
enum : unsigned
{
    MIB_LISTEN = 2,
    MIB_SYN_SENT = 3,
    MIB_ESTAB = 5,
    MIB_FIN_WAIT2 = 7,
    MIB_CLOSE_WAIT = 8,
    MIB_TIME_WAIT = 11
};

Address socket_name(int fd, bool peer)
{
    Address a;
    a.len = sizeof(a.ss);
    int ret = peer ? getpeername(fd, reinterpret_cast<sockaddr *>(&a.ss), &a.len)
                   : getsockname(fd, reinterpret_cast<sockaddr *>(&a.ss), &a.len);
    if (ret < 0 && errno == ENOTCONN) /* listener, unconnected UDP: the zero address */
    {
        Address local = socket_name(fd, false);
        a = Address{};
        a.ss.ss_family = local.ss.ss_family;
        a.len = local.len;
    }
    else if (ret < 0)
        die("getsockname");
    return a;
}

/* peer: for a socket that has no peer yet as far as getpeername() knows (SYN_SENT). */
void expect_fd(const char *proto, int fd, unsigned mib_state, const char *comment, const Address *peer = nullptr)
{
    struct stat st;
    if (fstat(fd, &st) < 0) die("fstat");
    expected.push_back(
        {proto, socket_name(fd, false), peer ? *peer : socket_name(fd, true), mib_state, comment, st.st_ino});
}

/* Sockets without a file (TIME_WAIT, not yet accepted) have inode 0 and no fd to ask. */
void expect_fileless(const Address &local, const Address &remote, unsigned mib_state, const char *comment)
{
    expected.push_back({"IPHLP_TCP", local, remote, mib_state, comment, 0});
}

void open_sockets()
{
    /* TCP over IPv4. */
    Address server = make_address("127.1.2.3", 0x1234);
    int listener = tcp_listen(server, 16);
    expect_fd("IPHLP_TCP", listener, MIB_LISTEN, "LISTEN");

    int client = tcp_connect(make_address("127.0.0.1", 0x4321), server);
    int accepted = tcp_accept(listener);
    expect_fd("IPHLP_TCP", client, MIB_ESTAB, "ESTABLISHED");
    expect_fd("IPHLP_TCP", accepted, MIB_ESTAB, "ESTABLISHED");

    client = tcp_connect(make_address("127.0.0.1", 0x4322), server);
    accepted = tcp_accept(listener);
    shutdown(client, SHUT_WR);
    usleep(100000);
    expect_fd("IPHLP_TCP", client, MIB_FIN_WAIT2, "FIN_WAIT2");
    expect_fd("IPHLP_TCP", accepted, MIB_CLOSE_WAIT, "CLOSE_WAIT");

    /* The side that closes first ends in TIME_WAIT, with no file left. */
    client = tcp_connect(make_address("127.0.0.1", 0x4323), server);
    accepted = tcp_accept(listener);
    Address tw_local = socket_name(client, false), tw_remote = socket_name(client, true);
    close(client);
    usleep(100000);
    close(accepted);
    expect_fileless(tw_local, tw_remote, MIB_TIME_WAIT, "TIME_WAIT (no inode)");

    /* Backlog 0 holds one unaccepted connection (a child with no file yet); the kernel then
     * drops the next SYN, which leaves that client in SYN_SENT. */
    Address full = make_address("127.1.2.3", 0x1235);
    int full_listener = tcp_listen(full, 0);
    expect_fd("IPHLP_TCP", full_listener, MIB_LISTEN, "LISTEN, accept queue full");
    client = tcp_connect(make_address("127.0.0.1", 0x4324), full);
    expect_fd("IPHLP_TCP", client, MIB_ESTAB, "ESTABLISHED");
    expect_fileless(full, socket_name(client, false), MIB_ESTAB, "ESTABLISHED, not accepted (no inode)");
    usleep(100000);
    client = tcp_connect(make_address("127.0.0.1", 0x4325), full, SOCK_NONBLOCK);
    expect_fd("IPHLP_TCP", client, MIB_SYN_SENT, "SYN_SENT", &full);

    /* TCP over IPv6, and an IPv4 client of a dual-stack listener: its peer is ::ffff:127.0.0.1
     * in the IPv6 table. */
    Address server6 = make_address("::1", 0x1234);
    listener = tcp_listen(server6, 16);
    expect_fd("IPHLP_TCP", listener, MIB_LISTEN, "LISTEN");
    client = tcp_connect(make_address("::1", 0x4321), server6);
    expect_fd("IPHLP_TCP", client, MIB_ESTAB, "ESTABLISHED");
    expect_fd("IPHLP_TCP", tcp_accept(listener), MIB_ESTAB, "ESTABLISHED");

    listener = tcp_listen(make_address("::", 0x1236), 16);
    expect_fd("IPHLP_TCP", listener, MIB_LISTEN, "LISTEN, dual-stack");
    client = tcp_connect(make_address("127.0.0.1", 0x4326), make_address("127.0.0.1", 0x1236));
    expect_fd("IPHLP_TCP", client, MIB_ESTAB, "ESTABLISHED, IPv4 client of a dual-stack listener");
    expect_fd("IPHLP_TCP", tcp_accept(listener), MIB_ESTAB, "ESTABLISHED, IPv4-mapped");

    char link_local[INET6_ADDRSTRLEN];
    uint32_t ifindex;
    if (find_link_local(link_local, sizeof(link_local), &ifindex))
    {
        Address ll_server = make_address(link_local, 0x1237, ifindex);
        listener = tcp_listen(ll_server, 16);
        expect_fd("IPHLP_TCP", listener, MIB_LISTEN, "LISTEN, link-local");
        client = tcp_connect(make_address(link_local, 0x4321, ifindex), ll_server);
        expect_fd("IPHLP_TCP", client, MIB_ESTAB, "ESTABLISHED, link-local");
        expect_fd("IPHLP_TCP", tcp_accept(listener), MIB_ESTAB, "ESTABLISHED, link-local");

        expect_fd("IPHLP_UDP", open_socket(make_address(link_local, 0x1237, ifindex), SOCK_DGRAM), 0, "link-local");
    }
    else
        fprintf(stderr, "record_inet_diag: no IPv6 link-local address: the fixtures will lack one\n");

    /* UDP: bound, and connected (which the kernel reports as ESTABLISHED; Windows as a row). */
    Address udp_server = make_address("127.1.2.3", 0x1234);
    expect_fd("IPHLP_UDP", open_socket(udp_server, SOCK_DGRAM), 0, "bound");
    int udp = open_socket(make_address("127.0.0.1", 0x4321), SOCK_DGRAM);
    if (connect(udp, reinterpret_cast<const sockaddr *>(&udp_server.ss), udp_server.len) < 0) die("connect udp");
    expect_fd("IPHLP_UDP", udp, 0, "connected");

    expect_fd("IPHLP_UDP", open_socket(make_address("::1", 0x1234), SOCK_DGRAM), 0, "bound");
    udp = open_socket(make_address("::", 0x1238), SOCK_DGRAM);
    Address mapped = make_address("::ffff:127.1.2.3", 0x1234);
    if (connect(udp, reinterpret_cast<const sockaddr *>(&mapped.ss), mapped.len) < 0) die("connect udp6");
    expect_fd("IPHLP_UDP", udp, 0, "dual-stack, connected to an IPv4-mapped peer");
    usleep(100000);
}

void write_file(const std::string &path, const void *data, size_t len)
{
    FILE *f = fopen(path.c_str(), "wb");
    if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0) die(path.c_str());
}

/* One SOCK_DIAG_BY_FAMILY dump of every state, keeping our sockets' messages and the NLMSG_DONE. */
std::string record_dump(int family, int protocol)
{
    mnl_socket *nl = mnl_socket_open(NETLINK_SOCK_DIAG);
    if (!nl) die("netlink socket");
    alignas(nlmsghdr) char request[MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(inet_diag_req_v2))];
    nlmsghdr *nlh = mnl_nlmsg_put_header(request);
    nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
    nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    auto *req = static_cast<inet_diag_req_v2 *>(mnl_nlmsg_put_extra_header(nlh, sizeof(inet_diag_req_v2)));
    req->sdiag_family = static_cast<uint8_t>(family);
    req->sdiag_protocol = static_cast<uint8_t>(protocol);
    req->idiag_states = 0x1ffe; /* TCP states 1 to 12 */
    if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) die("netlink send");

    std::string kept;
    static char buf[65536];
    for (;;)
    {
        ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
        if (n < 0) die("netlink recv");
        int len = static_cast<int>(n);
        for (auto *msg = reinterpret_cast<const nlmsghdr *>(buf); mnl_nlmsg_ok(msg, len);
             msg = mnl_nlmsg_next(msg, &len))
        {
            if (msg->nlmsg_type == NLMSG_ERROR)
            {
                errno = -static_cast<const nlmsgerr *>(mnl_nlmsg_get_payload(msg))->error;
                die("netlink dump");
            }
            auto *diag = static_cast<const inet_diag_msg *>(mnl_nlmsg_get_payload(msg));
            if (msg->nlmsg_type == NLMSG_DONE || ours(ntohs(diag->id.idiag_sport)) || ours(ntohs(diag->id.idiag_dport)))
                kept.append(reinterpret_cast<const char *>(msg), MNL_ALIGN(msg->nlmsg_len));
            if (msg->nlmsg_type == NLMSG_DONE)
            {
                mnl_socket_close(nl);
                return kept;
            }
        }
    }
}

/* /proc/net/<name>: the header line and the lines of our sockets. */
std::string record_proc(const char *name)
{
    std::string path = std::string("/proc/net/") + name;
    FILE *f = fopen(path.c_str(), "r");
    if (!f) die(path.c_str());
    std::string kept;
    char line[512];
    for (bool header = true; fgets(line, sizeof(line), f); header = false)
    {
        unsigned local_port, remote_port;
        if (header || (sscanf(line, "%*d: %*[0-9A-F]:%x %*[0-9A-F]:%x", &local_port, &remote_port) == 2 &&
                       (ours(static_cast<uint16_t>(local_port)) || ours(static_cast<uint16_t>(remote_port)))))
            kept += line;
    }
    fclose(f);
    return kept;
}

std::string read_text(const char *path)
{
    std::string text;
    FILE *f = fopen(path, "r");
    if (!f) die(path);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) text.append(chunk, n);
    fclose(f);
    return text;
}

void print_address(FILE *f, const Address &a, uint32_t *scope, uint16_t *port)
{
    char text[INET6_ADDRSTRLEN];
    if (a.ss.ss_family == AF_INET6)
    {
        auto *sin6 = reinterpret_cast<const sockaddr_in6 *>(&a.ss);
        inet_ntop(AF_INET6, &sin6->sin6_addr, text, sizeof(text));
        *scope = sin6->sin6_scope_id;
        *port = ntohs(sin6->sin6_port);
    }
    else
    {
        auto *sin = reinterpret_cast<const sockaddr_in *>(&a.ss);
        inet_ntop(AF_INET, &sin->sin_addr, text, sizeof(text));
        *scope = 0;
        *port = ntohs(sin->sin_port);
    }
    fprintf(f, "\"%s\", ", text);
}

void write_expectations(const std::string &path)
{
    FILE *f = fopen(path.c_str(), "w");
    if (!f) die(path.c_str());
    utsname uts;
    uname(&uts);
    fprintf(f,
            "/* Generated by tests/sockets/tools/record_inet_diag.cpp (Linux %s); do not edit. One RecordedSocket\n"
            " * per line: proto, family, local address, port (host order), scope id, remote address, port,\n"
            " * scope id, MIB_TCP_STATE (0 for UDP), inode. */\n",
            uts.release);
    for (const Expected &e : expected)
    {
        uint32_t local_scope, remote_scope;
        uint16_t local_port, remote_port;
        fprintf(f, "{%s, %s, ", e.proto, e.local.ss.ss_family == AF_INET6 ? "IPHLP_INET6" : "IPHLP_INET4");
        print_address(f, e.local, &local_scope, &local_port);
        fprintf(f, "0x%04x, %u, ", local_port, local_scope);
        print_address(f, e.remote, &remote_scope, &remote_port);
        fprintf(f, "0x%04x, %u, %u, %luu}, /* %s */\n", remote_port, remote_scope, e.mib_state, e.inode, e.comment);
    }
    if (fclose(f) != 0) die(path.c_str());
}

} // namespace

int main(int argc, char **argv)
{
    if (argc != 2)
    {
        fprintf(stderr, "usage: %s FIXTURE_DIR\n", argv[0]);
        return 2;
    }
    std::string dir = argv[1];
    open_sockets();

    const struct
    {
        const char *bin;
        int family, protocol;
        const char *proc;
    } tables[] = {
        {"tcp4.bin", AF_INET, IPPROTO_TCP, "tcp"},
        {"tcp6.bin", AF_INET6, IPPROTO_TCP, "tcp6"},
        {"udp4.bin", AF_INET, IPPROTO_UDP, "udp"},
        {"udp6.bin", AF_INET6, IPPROTO_UDP, "udp6"},
    };
    for (const auto &t : tables)
    {
        std::string dump = record_dump(t.family, t.protocol);
        std::string proc = record_proc(t.proc);
        write_file(dir + "/inet_diag/" + t.bin, dump.data(), dump.size());
        write_file(dir + "/proc_net/" + t.proc, proc.data(), proc.size());
    }
    std::string if_inet6 = read_text("/proc/net/if_inet6");
    write_file(dir + "/proc_net/if_inet6", if_inet6.data(), if_inet6.size());
    write_expectations(dir + "/recorded_sockets.inc");
    return 0;
}
