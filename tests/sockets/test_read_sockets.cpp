// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Live test against the running kernel: open real loopback TCP and UDP sockets (IPv4, IPv6,
 * IPv4-mapped, and IPv6 link-local when the host has such an address), then check that the
 * netlink reader, the procfs reader and read_sockets() all report them with the right addresses,
 * ports (network order), states, scope ids and inodes; that the state filters hold; and that the
 * procfs fallback is taken when forced or when netlink is refused.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
extern "C" {
#include <cmocka.h>
}

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <vector>

#include "link_local.h"

#include "print_record.h"
#include "sockets.h"

using iphlp::SocketBuffer;
using iphlp::SocketQuery;
using iphlp::SocketRecord;

namespace {

/* A socket we opened and the record the readers must produce for it. */
struct Live
{
    uint32_t proto, family;
    SocketRecord expected;
};

std::vector<Live> live;
std::vector<int> fds;
bool have_link_local;

typedef int (*Reader)(const SocketQuery &, SocketBuffer &);
const Reader readers[] = {iphlp::read_sockets_netlink, iphlp::read_sockets_procfs};
const char *const reader_names[] = {"netlink", "procfs"};

const struct
{
    uint32_t proto, family;
} tables[] = {{IPHLP_TCP, IPHLP_INET4}, {IPHLP_TCP, IPHLP_INET6}, {IPHLP_UDP, IPHLP_INET4}, {IPHLP_UDP, IPHLP_INET6}};

int keep(int fd)
{
    assert_true(fd >= 0);
    fds.push_back(fd);
    return fd;
}

sockaddr_storage make_address(int af, const char *text, uint32_t scope = 0)
{
    sockaddr_storage ss{};
    if (af == AF_INET6)
    {
        auto *sin6 = reinterpret_cast<sockaddr_in6 *>(&ss);
        sin6->sin6_family = AF_INET6;
        sin6->sin6_scope_id = scope;
        assert_int_equal(inet_pton(AF_INET6, text, &sin6->sin6_addr), 1);
    }
    else
    {
        auto *sin = reinterpret_cast<sockaddr_in *>(&ss);
        sin->sin_family = AF_INET;
        assert_int_equal(inet_pton(AF_INET, text, &sin->sin_addr), 1);
    }
    return ss;
}

socklen_t length(const sockaddr_storage &ss)
{
    return ss.ss_family == AF_INET6 ? sizeof(sockaddr_in6) : sizeof(sockaddr_in);
}

/* Bound to `at` (port 0: the kernel picks), dual-stack when IPv6. */
int bound_socket(const sockaddr_storage &at, int type)
{
    int fd = keep(socket(at.ss_family, type, 0));
    int zero = 0;
    if (at.ss_family == AF_INET6) assert_int_equal(setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero)), 0);
    assert_int_equal(bind(fd, reinterpret_cast<const sockaddr *>(&at), length(at)), 0);
    return fd;
}

sockaddr_storage name_of(int fd, bool peer)
{
    sockaddr_storage ss{};
    socklen_t len = sizeof(ss);
    int ret = peer ? getpeername(fd, reinterpret_cast<sockaddr *>(&ss), &len)
                   : getsockname(fd, reinterpret_cast<sockaddr *>(&ss), &len);
    if (ret < 0) /* no peer: the zero address of the socket's family */
    {
        assert_int_equal(errno, ENOTCONN);
        ss = sockaddr_storage{};
        ss.ss_family = name_of(fd, false).ss_family;
    }
    return ss;
}

/* The row as the kernel must report it, from the socket API's point of view. */
void fill_endpoint(const sockaddr_storage &ss, uint8_t *addr, uint16_t &port, uint32_t &scope)
{
    if (ss.ss_family == AF_INET6)
    {
        auto *sin6 = reinterpret_cast<const sockaddr_in6 *>(&ss);
        memcpy(addr, &sin6->sin6_addr, 16);
        port = sin6->sin6_port;
        scope = IN6_IS_ADDR_LINKLOCAL(&sin6->sin6_addr) ? sin6->sin6_scope_id : 0;
    }
    else
    {
        auto *sin = reinterpret_cast<const sockaddr_in *>(&ss);
        memcpy(addr, &sin->sin_addr, 4);
        port = sin->sin_port;
    }
}

void expect(uint32_t proto, int fd, uint32_t state)
{
    Live l{proto, 0, {}};
    sockaddr_storage local = name_of(fd, false), remote = name_of(fd, true);
    l.family = local.ss_family == AF_INET6 ? IPHLP_INET6 : IPHLP_INET4;
    fill_endpoint(local, l.expected.row.local_addr, l.expected.row.local_port, l.expected.row.local_scope_id);
    fill_endpoint(remote, l.expected.row.remote_addr, l.expected.row.remote_port, l.expected.row.remote_scope_id);
    l.expected.row.state = state;
    struct stat st;
    assert_int_equal(fstat(fd, &st), 0);
    l.expected.inode = st.st_ino;
    live.push_back(l);
}

/* A listener and one accepted connection on `address`; records all three sockets. Returns the
 * accepted socket. */
int tcp_pair(int af, const char *address, uint32_t scope, int client_af = 0, const char *client_address = nullptr)
{
    int listener = bound_socket(make_address(af, address, scope), SOCK_STREAM);
    assert_int_equal(listen(listener, 8), 0);
    expect(IPHLP_TCP, listener, IPHLP_MIB_TCP_STATE_LISTEN);

    sockaddr_storage target = name_of(listener, false);
    if (client_af) /* an IPv4 client of a dual-stack listener */
    {
        uint16_t port = reinterpret_cast<sockaddr_in6 *>(&target)->sin6_port;
        target = make_address(client_af, client_address);
        reinterpret_cast<sockaddr_in *>(&target)->sin_port = port;
    }
    int client = keep(socket(target.ss_family, SOCK_STREAM, 0));
    assert_int_equal(connect(client, reinterpret_cast<const sockaddr *>(&target), length(target)), 0);
    int accepted = keep(accept(listener, nullptr, nullptr));
    expect(IPHLP_TCP, client, IPHLP_MIB_TCP_STATE_ESTAB);
    expect(IPHLP_TCP, accepted, IPHLP_MIB_TCP_STATE_ESTAB);
    return accepted;
}

void udp_sockets(int af, const char *address, uint32_t scope)
{
    int bound = bound_socket(make_address(af, address, scope), SOCK_DGRAM);
    expect(IPHLP_UDP, bound, 0);
    sockaddr_storage target = name_of(bound, false);
    int connected = bound_socket(make_address(af, address, scope), SOCK_DGRAM);
    assert_int_equal(connect(connected, reinterpret_cast<const sockaddr *>(&target), length(target)), 0);
    expect(IPHLP_UDP, connected, 0);
}

uint64_t mapped_inode;

int open_sockets(void **)
{
    tcp_pair(AF_INET, "127.0.0.1", 0);
    tcp_pair(AF_INET6, "::1", 0);
    /* An IPv4 client of a dual-stack listener: the accepted socket is ::ffff:127.0.0.1 and must
     * stay in the IPv6 table, as dual-stack sockets do on Windows. */
    int mapped = tcp_pair(AF_INET6, "::", 0, AF_INET, "127.0.0.1");
    struct stat st;
    fstat(mapped, &st);
    mapped_inode = st.st_ino;
    udp_sockets(AF_INET, "127.0.0.1", 0);
    udp_sockets(AF_INET6, "::1", 0);

    char link_local[INET6_ADDRSTRLEN];
    uint32_t ifindex;
    have_link_local = find_link_local(link_local, sizeof(link_local), &ifindex);
    if (have_link_local)
    {
        tcp_pair(AF_INET6, link_local, ifindex);
        udp_sockets(AF_INET6, link_local, ifindex);
    }
    else
        print_message("no IPv6 link-local address on this host: scope ids are not checked live\n");
    return 0;
}

int close_sockets(void **)
{
    for (int fd : fds) close(fd);
    return 0;
}

size_t count(const SocketBuffer &rows, const SocketRecord &expected)
{
    size_t n = 0;
    for (const SocketRecord &rec : rows)
    {
        SocketRecord e = expected;
        e.cookie = rec.cookie; /* netlink's cookie (0 from /proc/net): test_inet_diag checks it */
        n += memcmp(&rec, &e, sizeof(rec)) == 0;
    }
    return n;
}

bool has_inode(const SocketBuffer &rows, uint64_t inode)
{
    for (const SocketRecord &rec : rows)
        if (rec.inode == inode) return true;
    return false;
}

/* Every socket of ours that the filter selects is there exactly once, the others not at all. */
void check_table(int reader, uint32_t proto, uint32_t family, uint32_t filter)
{
    SocketQuery query{proto, family, filter};
    SocketBuffer rows;
    assert_int_equal(readers[reader](query, rows), 0);
    for (const Live &l : live)
    {
        if (l.proto != proto || l.family != family) continue;
        bool listener = l.expected.row.state == IPHLP_MIB_TCP_STATE_LISTEN;
        bool wanted = proto == IPHLP_UDP || filter == IPHLP_FILTER_ALL || (filter == IPHLP_FILTER_LISTENER) == listener;
        size_t n = count(rows, l.expected);
        if (n != (wanted ? 1 : 0) || (!wanted && has_inode(rows, l.expected.inode)))
        {
            print_message("%s, filter %u:\n", reader_names[reader], filter);
            print_record("expected", l.expected, family);
            for (const SocketRecord &rec : rows)
                if (rec.inode == l.expected.inode) print_record("     got", rec, family);
            fail_msg("socket found %zu times", n);
        }
    }
    for (const SocketRecord &rec : rows)
    {
        if (proto == IPHLP_UDP)
            assert_int_equal(rec.row.state, 0);
        else if (filter == IPHLP_FILTER_LISTENER)
            assert_int_equal(rec.row.state, IPHLP_MIB_TCP_STATE_LISTEN);
        else if (filter == IPHLP_FILTER_CONNECTIONS)
            assert_int_not_equal(rec.row.state, IPHLP_MIB_TCP_STATE_LISTEN);
    }
}

void check_all_tables(int reader)
{
    for (const auto &t : tables)
        for (uint32_t filter : {IPHLP_FILTER_ALL, IPHLP_FILTER_LISTENER, IPHLP_FILTER_CONNECTIONS})
            check_table(reader, t.proto, t.family, filter);
}

void test_netlink(void **) { check_all_tables(0); }

void test_procfs(void **) { check_all_tables(1); }

void test_mapped_stays_in_ipv6_table(void **)
{
    for (Reader reader : readers)
    {
        SocketBuffer v4, v6;
        assert_int_equal(reader({IPHLP_TCP, IPHLP_INET4, IPHLP_FILTER_ALL}, v4), 0);
        assert_int_equal(reader({IPHLP_TCP, IPHLP_INET6, IPHLP_FILTER_ALL}, v6), 0);
        assert_false(has_inode(v4, mapped_inode));
        assert_true(has_inode(v6, mapped_inode));
    }
}

/* Our TCP/IPv4 listener, found through read_sockets(). */
bool finds_listener(const SocketBuffer &rows) { return count(rows, live[0].expected) == 1; }

/* Rows left in the buffer by an earlier call; read_sockets() must not keep them. */
const uint64_t STALE_INODE = 0xdeadbeef;
void add_stale_rows(SocketBuffer &rows)
{
    rows.resize(rows.size() + 3);
    rows.back().inode = STALE_INODE;
}

void test_read_sockets_switches(void **)
{
    SocketQuery query{IPHLP_TCP, IPHLP_INET4, IPHLP_FILTER_ALL};
    SocketBuffer rows;
    uint32_t source = 0;
    const struct
    {
        bool force;
        const char *env; /* IPHLP_FORCE_PROCFS, or unset */
        uint32_t source;
    } cases[] = {
        {false, nullptr, iphlp::IPHLP_SOURCE_NETLINK}, {true, nullptr, iphlp::IPHLP_SOURCE_PROCFS},
        {false, "1", iphlp::IPHLP_SOURCE_PROCFS},      {false, "0", iphlp::IPHLP_SOURCE_NETLINK},
        {true, "0", iphlp::IPHLP_SOURCE_PROCFS},
    };
    for (const auto &c : cases)
    {
        if (c.env)
            setenv("IPHLP_FORCE_PROCFS", c.env, 1);
        else
            unsetenv("IPHLP_FORCE_PROCFS");
        add_stale_rows(rows);
        assert_int_equal(iphlp::read_sockets(query, c.force, rows, &source), 0);
        assert_int_equal(source, c.source);
        assert_true(finds_listener(rows));
        assert_false(has_inode(rows, STALE_INODE));
    }
    unsetenv("IPHLP_FORCE_PROCFS");
}

/* The readers append to what the buffer holds. */
void test_readers_append(void **)
{
    for (Reader reader : readers)
    {
        SocketBuffer rows(1);
        rows[0].inode = 42;
        assert_int_equal(reader({IPHLP_TCP, IPHLP_INET4, IPHLP_FILTER_ALL}, rows), 0);
        assert_int_equal(rows[0].inode, 42);
        assert_true(finds_listener(rows));
    }
}

void test_invalid_query(void **)
{
    for (Reader reader : readers)
    {
        SocketBuffer rows;
        assert_int_equal(reader({7, IPHLP_INET4, IPHLP_FILTER_ALL}, rows), -EINVAL);
        assert_int_equal(reader({IPHLP_TCP, 5, IPHLP_FILTER_ALL}, rows), -EINVAL);
    }
}

/* In the child: make socket(AF_NETLINK, ...) fail with EACCES, as a sandbox would. */
bool refuse_netlink()
{
    const unsigned arg0_low = offsetof(seccomp_data, args[0]) + (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__ ? 4 : 0);
    sock_filter code[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_socket, 0, 3),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, arg0_low),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AF_NETLINK, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EACCES),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    sock_fprog prog{static_cast<unsigned short>(sizeof(code) / sizeof(code[0])), code};
    return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 && prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) == 0;
}

/* Exit codes of the child, so the parent can say what went wrong. */
enum
{
    CHILD_OK = 0,
    CHILD_NO_SECCOMP = 10,
    CHILD_NETLINK_NOT_REFUSED,
    CHILD_NO_FALLBACK,
    CHILD_LISTENER_MISSING
};

void test_netlink_refused_falls_back(void **)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0)
    {
        if (!refuse_netlink()) _exit(CHILD_NO_SECCOMP);
        SocketQuery query{IPHLP_TCP, IPHLP_INET4, IPHLP_FILTER_ALL};
        SocketBuffer rows;
        if (iphlp::read_sockets_netlink(query, rows) != -EACCES) _exit(CHILD_NETLINK_NOT_REFUSED);
        uint32_t source = 0;
        if (iphlp::read_sockets(query, false, rows, &source) != 0 || source != iphlp::IPHLP_SOURCE_PROCFS)
            _exit(CHILD_NO_FALLBACK);
        _exit(finds_listener(rows) ? CHILD_OK : CHILD_LISTENER_MISSING);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    if (WEXITSTATUS(status) == CHILD_NO_SECCOMP)
        skip(); /* seccomp unavailable here (already confined?): nothing to learn */
    assert_int_equal(WEXITSTATUS(status), CHILD_OK);
}

} // namespace

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_netlink),
        cmocka_unit_test(test_procfs),
        cmocka_unit_test(test_mapped_stays_in_ipv6_table),
        cmocka_unit_test(test_read_sockets_switches),
        cmocka_unit_test(test_readers_append),
        cmocka_unit_test(test_invalid_query),
        cmocka_unit_test(test_netlink_refused_falls_back),
    };
    return cmocka_run_group_tests(tests, open_sockets, close_sockets);
}
