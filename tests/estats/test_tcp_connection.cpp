// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * One TCP connection (unix/inet_diag.cpp, unix/tcp_connection.cpp): the exact-lookup reply parser
 * on hand-built messages (short, long and missing tcp_info, a listener answering for a gone
 * connection, v4-mapped sockets, errors, truncation, broken attributes), SOCK_DESTROY's result
 * mapping, and live: tcp_info of a real loopback connection, its destruction (the peer sees
 * ECONNRESET), and the kernel's refusal in a child without CAP_NET_ADMIN. Also the ESTATS switches
 * and the first-seen creation times (unix/socket_times.cpp).
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
#include <linux/filter.h>
#include <linux/inet_diag.h>
#include <linux/seccomp.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "unixlib.h" /* WIN_* */
#include "sockets.h"
#include "socket_times.h"
#include "estats_switches.h"
#include "tcp_connection.h"
#include "tcp_lookup.h"

using namespace iphlp;

namespace {

iphlp_tcp_key key4(uint16_t sport, uint16_t dport)
{
    iphlp_tcp_key key = {};
    key.family = IPHLP_INET4;
    key.local_addr[0] = key.remote_addr[0] = 127;
    key.local_addr[3] = key.remote_addr[3] = 1;
    key.local_port = htons(sport);
    key.remote_port = htons(dport);
    return key;
}

/* A reply as the kernel builds it: nlmsghdr, inet_diag_msg, then attributes. */
struct Reply
{
    std::vector<uint32_t> words; /* 4-byte aligned storage */
    size_t len = 0;

    char *bytes() { return reinterpret_cast<char *>(words.data()); }

    static Reply socket(const iphlp_tcp_key &key, uint8_t family, const void *info, size_t info_len)
    {
        Reply r;
        size_t attr_len = info ? NLA_HDRLEN + info_len : 0;
        r.len = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(inet_diag_msg)) + NLA_ALIGN(attr_len);
        r.words.assign((r.len + 3) / 4, 0);
        auto *nlh = reinterpret_cast<nlmsghdr *>(r.bytes());
        nlh->nlmsg_len = static_cast<uint32_t>(r.len);
        nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
        auto *msg = reinterpret_cast<inet_diag_msg *>(r.bytes() + NLMSG_HDRLEN);
        msg->idiag_family = family;
        msg->idiag_state = 1; /* TCP_ESTABLISHED */
        msg->idiag_rqueue = 11;
        msg->idiag_wqueue = 22;
        msg->id.idiag_sport = key.local_port;
        msg->id.idiag_dport = key.remote_port;
        msg->id.idiag_cookie[0] = 0x1234;
        msg->id.idiag_cookie[1] = 0x5678;
        auto *src = reinterpret_cast<uint8_t *>(msg->id.idiag_src),
             *dst = reinterpret_cast<uint8_t *>(msg->id.idiag_dst);
        if (family == AF_INET6 && key.family == IPHLP_INET4)
        {
            src[10] = src[11] = dst[10] = dst[11] = 0xff;
            memcpy(src + 12, key.local_addr, 4);
            memcpy(dst + 12, key.remote_addr, 4);
        }
        else
        {
            memcpy(src, key.local_addr, family == AF_INET6 ? 16 : 4);
            memcpy(dst, key.remote_addr, family == AF_INET6 ? 16 : 4);
        }
        if (info)
        {
            auto *nla = reinterpret_cast<nlattr *>(r.bytes() + NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(inet_diag_msg)));
            nla->nla_len = static_cast<uint16_t>(attr_len);
            nla->nla_type = INET_DIAG_INFO;
            memcpy(reinterpret_cast<char *>(nla) + NLA_HDRLEN, info, info_len);
        }
        return r;
    }

    static Reply error(int err)
    {
        Reply r;
        r.len = NLMSG_HDRLEN + sizeof(nlmsgerr);
        r.words.assign((r.len + 3) / 4, 0);
        auto *nlh = reinterpret_cast<nlmsghdr *>(r.bytes());
        nlh->nlmsg_len = static_cast<uint32_t>(r.len);
        nlh->nlmsg_type = NLMSG_ERROR;
        reinterpret_cast<nlmsgerr *>(r.bytes() + NLMSG_HDRLEN)->error = err;
        return r;
    }

    /* Parse from a heap block of exactly len bytes, so an over-read is an over-read. */
    int parse(const iphlp_tcp_key &key, TcpConnection &out, size_t cut = 0)
    {
        size_t n = len - cut;
        std::unique_ptr<uint32_t[]> copy(new uint32_t[(n + 3) / 4]);
        memcpy(copy.get(), bytes(), n);
        return parse_tcp_connection(copy.get(), n, key, out);
    }
};

void test_parse_full_info(void **)
{
    iphlp_tcp_key key = key4(40000, 80);
    uint8_t info[280]; /* Linux 6.18 sends 280 bytes: more than we know */
    for (size_t i = 0; i < sizeof(info); i++) info[i] = static_cast<uint8_t>(i);
    Reply r = Reply::socket(key, AF_INET, info, sizeof(info));
    TcpConnection c;
    assert_int_equal(r.parse(key, c), 0);
    assert_int_equal(c.info_len, sizeof(iphlp_linux_tcp_info));
    assert_int_equal(c.linux_state, 1);
    assert_int_equal(c.rqueue, 11);
    assert_int_equal(c.wqueue, 22);
    assert_true(c.cookie == (0x1234ull | 0x5678ull << 32));
    assert_memory_equal(&c.info, info, sizeof(c.info));
}

void test_parse_short_info(void **)
{
    /* A Linux 6.1 tcp_info (232 bytes): the fields past it read 0. */
    iphlp_tcp_key key = key4(40000, 80);
    uint8_t info[232];
    memset(info, 0xab, sizeof(info));
    Reply r = Reply::socket(key, AF_INET, info, sizeof(info));
    TcpConnection c;
    assert_int_equal(r.parse(key, c), 0);
    assert_int_equal(c.info_len, 232);
    assert_int_equal(c.info.snd_wnd, 0xabababab);
    assert_int_equal(c.info.rcv_wnd, 0);
    assert_int_equal(c.info.total_rto, 0);

    /* No tcp_info at all (a TIME_WAIT socket): found, info_len 0. */
    Reply bare = Reply::socket(key, AF_INET, nullptr, 0);
    assert_int_equal(bare.parse(key, c), 0);
    assert_int_equal(c.info_len, 0);
    assert_int_equal(c.info.rtt, 0);
}

void test_parse_identity(void **)
{
    iphlp_tcp_key key = key4(40000, 80);
    TcpConnection c;
    /* The kernel's lookup fell back to the listener of port 40000: remote port 0 is not 80. */
    iphlp_tcp_key listener = key4(40000, 0);
    memset(listener.remote_addr, 0, sizeof(listener.remote_addr));
    Reply l = Reply::socket(listener, AF_INET, nullptr, 0);
    assert_int_equal(l.parse(key, c), -ENOENT);
    /* Another address, same ports. */
    iphlp_tcp_key other = key;
    other.remote_addr[3] = 2;
    Reply o = Reply::socket(other, AF_INET, nullptr, 0);
    assert_int_equal(o.parse(key, c), -ENOENT);
    /* A dual-stack IPv6 socket carrying the IPv4 connection. */
    Reply mapped = Reply::socket(key, AF_INET6, nullptr, 0);
    assert_int_equal(mapped.parse(key, c), 0);
    /* An IPv6 key never matches an IPv4 socket. */
    iphlp_tcp_key key6 = key;
    key6.family = IPHLP_INET6;
    Reply v4 = Reply::socket(key, AF_INET, nullptr, 0);
    assert_int_equal(v4.parse(key6, c), -ENOENT);
}

void test_parse_errors(void **)
{
    iphlp_tcp_key key = key4(40000, 80);
    TcpConnection c;
    assert_int_equal(Reply::error(-ENOENT).parse(key, c), -ENOENT);
    assert_int_equal(Reply::error(-EPERM).parse(key, c), -EPERM);
    assert_int_equal(Reply::error(INT32_MIN).parse(key, c), -EBADMSG);
    assert_int_equal(Reply::error(0).parse(key, c), -EBADMSG); /* an ack carries no socket */

    uint8_t info[232] = {};
    Reply r = Reply::socket(key, AF_INET, info, sizeof(info));
    for (size_t cut = 1; cut < r.len; cut++) assert_int_equal(r.parse(key, c, cut), -EBADMSG);

    /* An attribute running past its message. */
    auto *nla = reinterpret_cast<nlattr *>(r.bytes() + NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(inet_diag_msg)));
    nla->nla_len = static_cast<uint16_t>(nla->nla_len + 8);
    assert_int_equal(r.parse(key, c), -EBADMSG);
    /* An attribute shorter than its header. */
    nla->nla_len = 2;
    assert_int_equal(r.parse(key, c), -EBADMSG);
    /* Not a sock_diag message. */
    Reply t = Reply::socket(key, AF_INET, nullptr, 0);
    reinterpret_cast<nlmsghdr *>(t.bytes())->nlmsg_type = NLMSG_DONE;
    assert_int_equal(t.parse(key, c), -EBADMSG);
}

void test_ack(void **)
{
    Reply ok = Reply::error(0), refused = Reply::error(-EPERM);
    assert_int_equal(parse_netlink_ack(ok.bytes(), ok.len), 0);
    assert_int_equal(parse_netlink_ack(refused.bytes(), refused.len), -EPERM);
    assert_int_equal(parse_netlink_ack(ok.bytes(), ok.len - 1), -EBADMSG);
    Reply sock = Reply::socket(key4(1, 2), AF_INET, nullptr, 0);
    assert_int_equal(parse_netlink_ack(sock.bytes(), sock.len), -EBADMSG);
}

/* Each refusal is one line on the log; a clean result prints nothing. */
void test_destroy_result(void **)
{
    struct
    {
        int err;
        uint32_t result;
        int lines;
    } cases[] = {
        {0, WIN_NO_ERROR, 0},
        {-ENOENT, WIN_ERROR_NOT_FOUND, 0},
        {-ESTALE, WIN_ERROR_NOT_FOUND, 0},
        {-EPERM, WIN_ERROR_ACCESS_DENIED, 1},
        {-EACCES, WIN_ERROR_ACCESS_DENIED, 1},
        {-EOPNOTSUPP, WIN_ERROR_NOT_SUPPORTED, 1},
        {-EIO, WIN_ERROR_INTERNAL_ERROR, 1},
    };
    for (const auto &c : cases)
    {
        FILE *log = tmpfile();
        assert_int_equal(destroy_result(c.err, log), c.result);
        rewind(log);
        int lines = 0, ch;
        while ((ch = fgetc(log)) != EOF) lines += ch == '\n';
        assert_int_equal(lines, c.lines);
        fclose(log);
    }
}

void test_switches(void **)
{
    set_estats_switch_dir(""); /* in this process */
    const uint64_t a = 0xaaaa0001, b = 0xbbbb0002;
    assert_int_equal(estats_switches(a, 0, 0), 0);
    assert_int_equal(estats_switches(a, 1u << 1, 1u << 1), 1u << 1);
    assert_int_equal(estats_switches(a, 1u << 3, 1u << 3), (1u << 1) | (1u << 3));
    assert_int_equal(estats_switches(b, 0, 0), 0); /* per socket */
    assert_int_equal(estats_switches(a, 1u << 1, 0), 1u << 3);
    assert_int_equal(estats_switches(a, 0, 0), 1u << 3);
    assert_int_equal(estats_switches(a, ~0u, 0), 0);
}

/* ---- live ---- */

struct Pair
{
    int listener = -1, client = -1, server = -1;
    uint16_t client_port = 0, server_port = 0;
    Pair()
    {
        sockaddr_in sin = {};
        sin.sin_family = AF_INET;
        sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof(sin);
        listener = ::socket(AF_INET, SOCK_STREAM, 0);
        assert_int_equal(bind(listener, reinterpret_cast<sockaddr *>(&sin), sizeof(sin)), 0);
        assert_int_equal(listen(listener, 4), 0);
        getsockname(listener, reinterpret_cast<sockaddr *>(&sin), &len);
        server_port = ntohs(sin.sin_port);
        client = ::socket(AF_INET, SOCK_STREAM, 0);
        assert_int_equal(connect(client, reinterpret_cast<sockaddr *>(&sin), sizeof(sin)), 0);
        server = accept(listener, nullptr, nullptr);
        assert_true(server >= 0);
        getsockname(client, reinterpret_cast<sockaddr *>(&sin), &len);
        client_port = ntohs(sin.sin_port);
    }
    ~Pair()
    {
        close(client);
        close(server);
        close(listener);
    }
};

void test_live_query(void **)
{
    Pair p;
    char buf[5000] = {};
    assert_int_equal(send(p.client, buf, sizeof(buf), 0), (ssize_t)sizeof(buf));
    TcpConnection c;
    assert_int_equal(query_tcp_connection(key4(p.client_port, p.server_port), c), 0);
    assert_true(c.info_len >= offsetof(iphlp_linux_tcp_info, snd_wnd));
    assert_int_equal(c.linux_state, 1);
    assert_true(c.info.bytes_sent >= sizeof(buf));
    assert_true(c.info.snd_mss > 0);
    TcpConnection s;
    assert_int_equal(query_tcp_connection(key4(p.server_port, p.client_port), s), 0);
    assert_true(s.cookie != c.cookie);
    assert_int_equal(s.rqueue, sizeof(buf)); /* received, not read yet */
    /* A connection nobody has on the listener's port: not the listener. */
    assert_int_equal(query_tcp_connection(key4(p.server_port, 1), s), -ENOENT);
}

void test_live_destroy(void **)
{
    Pair p;
    iphlp_tcp_key key = key4(p.client_port, p.server_port);
    TcpConnection c;
    assert_int_equal(query_tcp_connection(key, c), 0);

    /* Without CAP_NET_ADMIN the kernel refuses: a child that gave up root. */
    pid_t child = fork();
    if (child == 0)
    {
        if (getuid() == 0 && setresuid(65534, 65534, 65534)) _exit(2);
        _exit(destroy_tcp_connection(key, c.cookie) == -EPERM ? 0 : 1);
    }
    int status = 0;
    waitpid(child, &status, 0);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    char byte = 'x';
    assert_int_equal(send(p.client, &byte, 1, 0), 1); /* still alive */
    assert_int_equal(recv(p.server, &byte, 1, 0), 1);

    if (getuid() != 0)
    {
        skip();
        return;
    }
    /* A cookie of another socket is refused, and the connection survives (Linux 6.18 answers
     * ENOENT; older kernels answered ESTALE: destroy_result takes both as "not found"). */
    int stale = destroy_tcp_connection(key, c.cookie ^ 1);
    assert_true(stale == -ENOENT || stale == -ESTALE);
    assert_int_equal(query_tcp_connection(key, c), 0);
    assert_int_equal(destroy_tcp_connection(key, c.cookie), 0);
    assert_int_equal(recv(p.server, &byte, 1, 0), -1);
    assert_int_equal(errno, ECONNRESET);
    assert_int_equal(query_tcp_connection(key, c), -ENOENT);
}

/* SetTcpEntry closes active connections only: a listener's row (remote 0.0.0.0:0) and a
 * TIME_WAIT row answer ERROR_NOT_FOUND and stay. Before, SOCK_DESTROY closed the listener and
 * removed the TIME_WAIT entry. */
void test_destroy_spares_listeners_and_time_wait(void **)
{
    if (getuid() != 0)
    {
        skip(); /* SOCK_DESTROY needs CAP_NET_ADMIN: without it nothing could be closed anyway */
        return;
    }
    Pair p;
    iphlp_tcp_connection_params params = {};
    params.key = key4(p.server_port, 0);
    params.key.remote_addr[0] = params.key.remote_addr[3] = 0;
    tcp_connection_destroy_call(params);
    assert_int_equal(params.result, WIN_ERROR_NOT_FOUND);
    TcpConnection c;
    assert_int_equal(query_tcp_connection(params.key, c), 0);
    assert_int_equal(c.linux_state, 10); /* still listening */

    /* The client closes first: its end waits in TIME_WAIT. */
    const uint16_t waiting = p.client_port;
    shutdown(p.client, SHUT_WR);
    char byte;
    assert_int_equal(recv(p.server, &byte, 1, 0), 0);
    close(p.server);
    p.server = ::socket(AF_INET, SOCK_STREAM, 0);
    assert_int_equal(recv(p.client, &byte, 1, 0), 0);
    close(p.client);
    p.client = ::socket(AF_INET, SOCK_STREAM, 0);
    params = {};
    params.key = key4(waiting, p.server_port);
    for (int i = 0; i < 50 && !(query_tcp_connection(params.key, c) == 0 && c.linux_state == 6); i++) usleep(20000);
    assert_int_equal(c.linux_state, 6);
    tcp_connection_destroy_call(params);
    assert_int_equal(params.result, WIN_ERROR_NOT_FOUND);
    assert_int_equal(query_tcp_connection(params.key, c), 0);
    assert_int_equal(c.linux_state, 6);
}

/* Switches of sockets that are gone are forgotten when the table doubles; a live one stays. */
void test_switches_pruned(void **)
{
    set_estats_switch_dir("");
    Pair p;
    iphlp_tcp_key live = key4(p.client_port, p.server_port);
    TcpConnection c;
    assert_int_equal(query_tcp_connection(live, c), 0);
    size_t before = estats_switches_size();
    assert_int_equal(estats_switches(c.cookie, 1u << 1, 1u << 1, &live), 1u << 1);
    for (uint64_t i = 0; i < 300; i++)
    {
        iphlp_tcp_key gone = key4(static_cast<uint16_t>(1 + i), 9); /* nobody connects to port 9 */
        estats_switches(0x100000000ull + i, 1u << 1, 1u << 1, &gone);
    }
    assert_true(estats_switches_size() < before + 300);
    assert_int_equal(estats_switches(c.cookie, 0, 0), 1u << 1);
    estats_switches(c.cookie, ~0u, 0);
}

/* The shared directory: what one process enables, another reads; closed sockets' files go. */
void test_switches_shared(void **)
{
    char dir[] = "/tmp/iphlp-estats-XXXXXX";
    assert_non_null(mkdtemp(dir));
    set_estats_switch_dir(dir);
    Pair p;
    iphlp_tcp_key live = key4(p.client_port, p.server_port);
    TcpConnection c;
    assert_int_equal(query_tcp_connection(live, c), 0);
    pid_t child = fork();
    if (child == 0) _exit(estats_switches(c.cookie, 1u << 3, 1u << 3, &live) == 1u << 3 ? 0 : 1);
    int status = 0;
    waitpid(child, &status, 0);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    assert_int_equal(estats_switches(c.cookie, 0, 0), 1u << 3);
    assert_int_equal(estats_switches(c.cookie, 1u << 1, 1u << 1, &live), (1u << 1) | (1u << 3));
    assert_int_equal(estats_switches_size(), 1);

    for (uint64_t i = 0; i < 300; i++)
    {
        iphlp_tcp_key gone = key4(static_cast<uint16_t>(1 + i), 9);
        estats_switches(0x200000000ull + i, 1u << 1, 1u << 1, &gone);
    }
    assert_true(estats_switches_size() < 300);
    assert_int_equal(estats_switches(c.cookie, 0, 0), (1u << 1) | (1u << 3));
    /* A file of an earlier boot is dropped by the next pruning; it is not ours to keep. */
    std::string stale = std::string(dir) + "/estats/0123-4-00000000000000ff";
    FILE *f = fopen(stale.c_str(), "w");
    assert_non_null(f);
    fclose(f);
    for (uint64_t i = 0; i < 600; i++)
    {
        iphlp_tcp_key gone = key4(static_cast<uint16_t>(1 + i), 9);
        estats_switches(0x300000000ull + i, 1u << 1, 1u << 1, &gone);
    }
    assert_int_equal(access(stale.c_str(), F_OK), -1);
    assert_int_equal(estats_switches(c.cookie, ~0u, 0), 0);

    /* A directory others can write to is not used: the switches stay in this process. */
    std::string open_dir = std::string(dir) + "/estats";
    chmod(open_dir.c_str(), 0777);
    assert_int_equal(estats_switches(c.cookie, 1u << 2, 1u << 2, &live), 1u << 2);
    assert_int_equal(estats_switches_size(), 1); /* the in-memory one */
    set_estats_switch_dir(nullptr);
    std::string cmd = std::string("rm -rf ") + dir;
    assert_int_equal(system(cmd.c_str()), 0);
}

/* A sandbox that refuses netlink: the calls answer ERROR_NOT_SUPPORTED (with a line on stderr),
 * never a made-up "not found". The refusal is a seccomp filter in a child. */
bool refuse_netlink()
{
    sock_filter code[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_socket, 0, 3),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, args[0])),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AF_NETLINK, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EACCES),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    sock_fprog prog{static_cast<unsigned short>(sizeof(code) / sizeof(code[0])), code};
    return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 && prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) == 0;
}

void test_netlink_refused(void **)
{
    Pair p;
    pid_t child = fork();
    if (child == 0)
    {
        if (!refuse_netlink()) _exit(10);
        iphlp_tcp_connection_params params = {};
        params.key = key4(p.client_port, p.server_port);
        tcp_connection_call(params);
        if (params.result != WIN_ERROR_NOT_SUPPORTED) _exit(1);
        params.result = 0;
        tcp_connection_destroy_call(params);
        _exit(params.result == WIN_ERROR_NOT_SUPPORTED ? 0 : 2);
    }
    int status = 0;
    waitpid(child, &status, 0);
    assert_true(WIFEXITED(status));
    if (WEXITSTATUS(status) == 10)
    {
        skip(); /* no seccomp here */
        return;
    }
    assert_int_equal(WEXITSTATUS(status), 0);
    char byte = 'x'; /* the destroy did not happen */
    assert_int_equal(send(p.client, &byte, 1, 0), 1);
    assert_int_equal(recv(p.server, &byte, 1, 0), 1);
}

/* ---- first-seen creation times ---- */

SocketRecord record(uint64_t inode, uint32_t pid)
{
    SocketRecord r = {};
    r.inode = inode;
    r.row.owner_pid = pid;
    return r;
}

void test_first_seen(void **)
{
    SocketFirstSeen seen;
    SocketBuffer rows = {record(10, 4), record(11, 0), record(0, 4)};
    seen.fill(rows, 0, 1000, true);
    assert_int_equal(rows[0].row.create_time, 1000);
    assert_int_equal(rows[1].row.create_time, 0); /* no owner: 0, as before */
    assert_int_equal(rows[2].row.create_time, 0); /* no inode (TIME_WAIT) */

    rows = {record(10, 4), record(12, 4)};
    seen.fill(rows, 0, 2000, false);
    assert_int_equal(rows[0].row.create_time, 1000); /* stable */
    assert_int_equal(rows[1].row.create_time, 2000);

    /* Noted without being reported (an OWNER_PID call), then reported by the next call. */
    rows = {record(13, 4)};
    seen.fill(rows, 0, 2500, false, false);
    assert_int_equal(rows[0].row.create_time, 0);
    seen.fill(rows, 0, 2600, false, true);
    assert_int_equal(rows[0].row.create_time, 2500);

    /* Another slot (protocol/family) keeps its own table. */
    SocketBuffer udp = {record(10, 4)};
    seen.fill(udp, 2, 3000, true);
    assert_int_equal(udp[0].row.create_time, 3000);

    /* A complete enumeration without inode 10 forgets it: a reused inode number starts afresh. */
    rows = {record(12, 4)};
    seen.fill(rows, 0, 4000, true);
    assert_int_equal(seen.size(0), 1);
    assert_int_equal(rows[0].row.create_time, 2000);
    rows = {record(10, 4), record(12, 4)};
    seen.fill(rows, 0, 5000, false);
    assert_int_equal(rows[0].row.create_time, 5000);
    assert_int_equal(rows[1].row.create_time, 2000);
    /* A partial one (a state filter) forgets nothing. */
    rows = {};
    seen.fill(rows, 0, 6000, false);
    assert_int_equal(seen.size(0), 2);
    seen.fill(rows, 9, 6000, true); /* an unknown slot is ignored */
}

/* The table behind it, at a size where it grows and rehashes: what is noted stays, a second note
 * keeps the first time, and reset() empties it whatever size it had. */
void test_inode_times(void **)
{
    InodeTimes times;
    for (uint64_t i = 1; i <= 50000; i++) assert_int_equal(times.note(i * 7919, i), i);
    assert_int_equal(times.size(), 50000);
    for (uint64_t i = 1; i <= 50000; i++) assert_int_equal(times.find(i * 7919), i);
    assert_int_equal(times.note(7919, 99), 1);
    assert_int_equal(times.find(5), 0);
    assert_int_equal(times.find(0), 0);
    times.reset(10);
    assert_int_equal(times.size(), 0);
    assert_int_equal(times.find(7919), 0);
    assert_int_equal(times.note(7919, 3), 3);
    InodeTimes empty;
    assert_int_equal(empty.find(7919), 0);
    /* Swapped, as a complete enumeration's pruning does, then grown from the swapped-in table. */
    empty.swap(times);
    assert_int_equal(times.size(), 0);
    assert_int_equal(empty.find(7919), 3);
    for (uint64_t i = 2; i <= 5000; i++) assert_int_equal(empty.note(i * 7919, i), i);
    assert_int_equal(empty.size(), 5000);
    assert_int_equal(empty.find(7919), 3);
    assert_int_equal(empty.find(4999 * 7919ull), 4999);
}

/* Against CLOCK_REALTIME itself, the clock it is documented to read, to the 100 ns. It was
 * checked against time(), the kernel's coarse copy of the seconds, within one second; once on the
 * CI machine (a VM whose clock the host adjusts) the two disagreed by more than that. */
void test_filetime_now(void **)
{
    uint64_t a = filetime_now();
    timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t b = filetime_now();
    assert_true(a <= b);
    /* 100 ns units since 1601: Unix time s + ns is 116444736000000000 + s * 10^7 + ns / 100. */
    uint64_t expect = 116444736000000000ull + static_cast<uint64_t>(ts.tv_sec) * 10000000ull +
                      static_cast<uint64_t>(ts.tv_nsec) / 100u;
    assert_true(a <= expect && expect <= b);
}

} // namespace

int main()
{
    const CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_full_info),
        cmocka_unit_test(test_parse_short_info),
        cmocka_unit_test(test_parse_identity),
        cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_ack),
        cmocka_unit_test(test_destroy_result),
        cmocka_unit_test(test_switches),
        cmocka_unit_test(test_live_query),
        cmocka_unit_test(test_live_destroy),
        cmocka_unit_test(test_destroy_spares_listeners_and_time_wait),
        cmocka_unit_test(test_switches_pruned),
        cmocka_unit_test(test_switches_shared),
        cmocka_unit_test(test_netlink_refused),
        cmocka_unit_test(test_first_seen),
        cmocka_unit_test(test_inode_times),
        cmocka_unit_test(test_filetime_now),
    };
    return cmocka_run_group_tests(tests, nullptr, nullptr);
}
