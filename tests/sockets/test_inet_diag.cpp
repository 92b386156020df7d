// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * parse_inet_diag against dumps recorded from a real kernel (tests/sockets/fixtures/inet_diag, see
 * tests/sockets/tools/record_inet_diag.cpp) and against hand-built broken messages; the TCP state table
 * and the kernel state masks.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
extern "C" {
#include <cmocka.h>
}

#include <errno.h>
#include <limits.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>

#include <algorithm>
#include <memory>

#include "recorded_sockets.h"
#include "sockets.h"

using iphlp::SocketBuffer;
using iphlp::SocketQuery;

namespace {

/* Deliberately parallel to test_proc_net.cpp: the same sockets, recorded for the other reader. */
const FixtureFile fixtures[] = {
    {"inet_diag/tcp4.bin", IPHLP_TCP, IPHLP_INET4},
    {"inet_diag/tcp6.bin", IPHLP_TCP, IPHLP_INET6},
    {"inet_diag/udp4.bin", IPHLP_UDP, IPHLP_INET4},
    {"inet_diag/udp6.bin", IPHLP_UDP, IPHLP_INET6},
};

int parse_exact(const char *data, size_t len, const SocketQuery &query, SocketBuffer &out)
{
    return parse_copy(iphlp::parse_inet_diag, data, len, query, out);
}

void test_recorded_dumps(void **)
{
    check_recorded_files(fixtures, iphlp::parse_inet_diag, [](SocketBuffer &) {});
}

/* 127.1.2.3:0x1234 must come out as the bytes 7f 01 02 03 and 12 34, as on the wire. */
void test_byte_order(void **)
{
    std::vector<char> dump = read_fixture("inet_diag/tcp4.bin");
    SocketBuffer rows;
    SocketQuery query{IPHLP_TCP, IPHLP_INET4, IPHLP_FILTER_LISTENER};
    assert_int_equal(iphlp::parse_inet_diag(dump.data(), dump.size(), query, rows), 0);
    const uint8_t addr[16] = {127, 1, 2, 3};
    const uint8_t port[2] = {0x12, 0x34};
    bool found = false;
    for (const iphlp::SocketRecord &rec : rows)
        found |= memcmp(rec.row.local_addr, addr, 16) == 0 && memcmp(&rec.row.local_port, port, 2) == 0;
    assert_true(found);
}

/* Every socket of a dump carries the kernel's cookie (owner lookups tell a reused inode number
 * apart by it): nonzero, and no two sockets share one. */
void test_cookies(void **)
{
    for (const FixtureFile &f : fixtures)
    {
        std::vector<char> dump = read_fixture(f.file);
        SocketQuery query{f.proto, f.family, IPHLP_FILTER_ALL};
        SocketBuffer rows;
        assert_int_equal(iphlp::parse_inet_diag(dump.data(), dump.size(), query, rows), 0);
        assert_true(!rows.empty());
        std::vector<uint64_t> cookies;
        for (const iphlp::SocketRecord &rec : rows)
        {
            assert_true(rec.cookie != 0);
            cookies.push_back(rec.cookie);
        }
        std::sort(cookies.begin(), cookies.end());
        assert_true(std::adjacent_find(cookies.begin(), cookies.end()) == cookies.end());
    }
}

/* The dump answers one family; messages of the other are not ours to report. */
void test_other_family_skipped(void **)
{
    std::vector<char> dump = read_fixture("inet_diag/tcp4.bin");
    SocketBuffer rows;
    SocketQuery query{IPHLP_TCP, IPHLP_INET6, IPHLP_FILTER_ALL};
    assert_int_equal(iphlp::parse_inet_diag(dump.data(), dump.size(), query, rows), 0);
    assert_int_equal(rows.size(), 0);
}

/* The readers append: rows already in the buffer stay. */
void test_appends(void **)
{
    std::vector<char> dump = read_fixture("inet_diag/udp4.bin");
    SocketQuery query{IPHLP_UDP, IPHLP_INET4, IPHLP_FILTER_ALL};
    SocketBuffer rows(1);
    rows[0].inode = 42;
    assert_int_equal(iphlp::parse_inet_diag(dump.data(), dump.size(), query, rows), 0);
    assert_int_equal(rows[0].inode, 42);
    rows.erase(rows.begin());
    assert_recorded_rows(query, rows);
}

/* Offsets where whole messages end, and how many socket messages lie before each. */
struct Boundary
{
    size_t offset, sockets;
};
std::vector<Boundary> message_boundaries(const std::vector<char> &dump)
{
    std::vector<Boundary> bounds{{0, 0}};
    size_t offset = 0, sockets = 0;
    while (offset + sizeof(nlmsghdr) <= dump.size())
    {
        nlmsghdr hdr;
        memcpy(&hdr, dump.data() + offset, sizeof(hdr));
        sockets += hdr.nlmsg_type == SOCK_DIAG_BY_FAMILY;
        offset += NLMSG_ALIGN(hdr.nlmsg_len);
        bounds.push_back({offset, sockets});
    }
    assert_int_equal(offset, dump.size());
    return bounds;
}

/*
 * Cut the dump at every byte. At a message boundary the parser wants more (1) and has every
 * socket before the cut; anywhere else the last message is incomplete: -EBADMSG, and nothing is
 * appended because framing is checked before any message is parsed.
 */
void test_truncated_everywhere(void **)
{
    for (const FixtureFile &f : fixtures)
    {
        std::vector<char> dump = read_fixture(f.file);
        std::vector<Boundary> bounds = message_boundaries(dump);
        SocketQuery query{f.proto, f.family, IPHLP_FILTER_ALL};
        size_t next = 0;
        for (size_t len = 0; len < dump.size(); ++len)
        {
            SocketBuffer rows;
            int ret = parse_exact(dump.data(), len, query, rows);
            if (len == bounds[next].offset)
            {
                assert_int_equal(ret, 1);
                assert_int_equal(rows.size(), bounds[next].sockets);
                ++next;
            }
            else
            {
                assert_int_equal(ret, -EBADMSG);
                assert_int_equal(rows.size(), 0);
            }
        }
    }
}

/* A dump arrives in several datagrams; parsing them one by one gives the same rows. */
void test_split_datagrams(void **)
{
    std::vector<char> dump = read_fixture("inet_diag/tcp4.bin");
    std::vector<Boundary> bounds = message_boundaries(dump);
    SocketQuery query{IPHLP_TCP, IPHLP_INET4, IPHLP_FILTER_ALL};
    for (const Boundary &cut : bounds)
    {
        if (cut.offset == 0 || cut.offset == dump.size()) continue;
        SocketBuffer rows;
        assert_int_equal(parse_exact(dump.data(), cut.offset, query, rows), 1);
        assert_int_equal(parse_exact(dump.data() + cut.offset, dump.size() - cut.offset, query, rows), 0);
        assert_recorded_rows(query, rows);
    }
}

/* Hand-built messages, 4-byte aligned. */
struct Builder
{
    std::vector<char> bytes;

    nlmsghdr *add(uint16_t type, size_t payload_len)
    {
        size_t offset = bytes.size();
        bytes.resize(offset + NLMSG_ALIGN(NLMSG_HDRLEN + payload_len));
        auto *nlh = reinterpret_cast<nlmsghdr *>(bytes.data() + offset);
        nlh->nlmsg_len = static_cast<uint32_t>(NLMSG_HDRLEN + payload_len);
        nlh->nlmsg_type = type;
        return nlh;
    }
    void add_error(int32_t error)
    {
        nlmsgerr err{};
        err.error = error;
        memcpy(NLMSG_DATA(add(NLMSG_ERROR, sizeof(err))), &err, sizeof(err));
    }
    void add_done(int32_t status) { memcpy(NLMSG_DATA(add(NLMSG_DONE, sizeof(status))), &status, sizeof(status)); }
    /* A TCP socket message with one 8-byte attribute (a u32, as INET_DIAG_SHUTDOWN-like
     * attributes are) whose length field is `attr_len`. */
    nlmsghdr *add_socket(uint8_t state, uint16_t attr_len = 8)
    {
        nlmsghdr *nlh = add(SOCK_DIAG_BY_FAMILY, sizeof(inet_diag_msg) + 8);
        auto *msg = static_cast<inet_diag_msg *>(NLMSG_DATA(nlh));
        msg->idiag_family = AF_INET;
        msg->idiag_state = state;
        msg->id.idiag_sport = htons(0x1234);
        msg->idiag_inode = 7;
        auto *attr = reinterpret_cast<nlattr *>(reinterpret_cast<char *>(msg) + sizeof(inet_diag_msg));
        attr->nla_len = attr_len;
        attr->nla_type = INET_DIAG_SHUTDOWN;
        return nlh;
    }
    int parse(SocketBuffer &rows, uint32_t proto = IPHLP_TCP) const
    {
        return parse_exact(bytes.data(), bytes.size(), SocketQuery{proto, IPHLP_INET4, IPHLP_FILTER_ALL}, rows);
    }
};

void test_attribute_lengths(void **)
{
    const struct
    {
        uint16_t attr_len;
        int ret;
    } cases[] = {
        {8, 1},        /* fills the message */
        {5, 1},        /* unpadded last attribute: still inside */
        {9, -EBADMSG}, /* one byte past the message */
        {3, -EBADMSG}, /* shorter than its own header */
        {0, -EBADMSG}, {0xffff, -EBADMSG},
    };
    for (const auto &c : cases)
    {
        Builder b;
        b.add_socket(1, c.attr_len);
        SocketBuffer rows;
        assert_int_equal(b.parse(rows), c.ret);
        assert_int_equal(rows.size(), c.ret == 1 ? 1 : 0);
    }
}

/* A bad message after good ones: the good rows stay (documented), the result is -EBADMSG. */
void test_bad_message_keeps_earlier_rows(void **)
{
    Builder b;
    b.add_socket(1);
    b.add_socket(1, 9);
    b.add_socket(1);
    SocketBuffer rows;
    assert_int_equal(b.parse(rows), -EBADMSG);
    assert_int_equal(rows.size(), 1);
}

void test_malformed_messages(void **)
{
    {
        Builder b; /* socket message too short to hold an inet_diag_msg */
        b.add(SOCK_DIAG_BY_FAMILY, sizeof(inet_diag_msg) - 4);
        SocketBuffer rows;
        assert_int_equal(b.parse(rows), -EBADMSG);
    }
    {
        Builder b; /* a data message that is not a socket */
        b.add(SOCK_DIAG_BY_FAMILY + 1, sizeof(inet_diag_msg));
        SocketBuffer rows;
        assert_int_equal(b.parse(rows), -EBADMSG);
    }
    {
        Builder b; /* nlmsg_len shorter than the header */
        b.add_socket(1)->nlmsg_len = 8;
        SocketBuffer rows;
        assert_int_equal(b.parse(rows), -EBADMSG);
    }
    {
        /* nlmsg_len >= 2 GiB: libmnl's int comparison would let this through and step off the
         * buffer; the parser must not. */
        Builder b;
        b.add_socket(1)->nlmsg_len = 0x80000010u;
        SocketBuffer rows;
        assert_int_equal(b.parse(rows), -EBADMSG);
        b.bytes.resize(NLMSG_HDRLEN);
        reinterpret_cast<nlmsghdr *>(b.bytes.data())->nlmsg_len = 0xfffffff0u;
        assert_int_equal(b.parse(rows), -EBADMSG);
        assert_int_equal(rows.size(), 0);
    }
    {
        Builder b; /* an error message too short for its nlmsgerr */
        b.add(NLMSG_ERROR, 2);
        SocketBuffer rows;
        assert_int_equal(b.parse(rows), -EBADMSG);
    }
}

void test_error_messages(void **)
{
    const struct
    {
        int32_t error;
        int ret;
    } cases[] = {
        {-EACCES, -EACCES},
        {-ENOENT, -ENOENT},
        {EPERM, -EPERM},     /* positive, as some subsystems send it */
        {0, 0},              /* an ACK ends the exchange */
        {INT_MIN, -EBADMSG}, /* not an errno: must not be negated */
        {-100000, -EBADMSG},
    };
    for (const auto &c : cases)
    {
        Builder b;
        b.add_socket(1);
        b.add_error(c.error);
        b.add_socket(1); /* after the error: never parsed */
        SocketBuffer rows;
        assert_int_equal(b.parse(rows), c.ret);
        assert_int_equal(rows.size(), 1);
    }
}

void test_done_messages(void **)
{
    {
        Builder b;
        b.add_done(0);
        b.add_socket(1); /* after DONE: ignored */
        SocketBuffer rows;
        assert_int_equal(b.parse(rows), 0);
        assert_int_equal(rows.size(), 0);
    }
    {
        Builder b; /* DONE without the status word */
        b.add(NLMSG_DONE, 0);
        SocketBuffer rows;
        assert_int_equal(b.parse(rows), 0);
    }
    {
        Builder b; /* the dump failed midway */
        b.add_socket(1);
        b.add_done(-EINTR);
        SocketBuffer rows;
        assert_int_equal(b.parse(rows), -EINTR);
        assert_int_equal(rows.size(), 1);
    }
    {
        Builder b; /* NOOP and OVERRUN carry nothing and do not end the dump */
        b.add(NLMSG_NOOP, 0);
        b.add(NLMSG_OVERRUN, 0);
        b.add_socket(1);
        SocketBuffer rows;
        assert_int_equal(b.parse(rows), 1);
        assert_int_equal(rows.size(), 1);
    }
    {
        SocketBuffer rows; /* an empty buffer is not the end */
        assert_int_equal(iphlp::parse_inet_diag(nullptr, 0, SocketQuery{IPHLP_TCP, IPHLP_INET4, 0}, rows), 1);
    }
}

/* The parser re-applies the state mask: rows of unwanted or impossible states are dropped, and
 * UDP ignores the filter. */
void test_state_filter_in_parser(void **)
{
    Builder b;
    for (uint8_t state : {1, 6, 10, 12, 13, 31, 32, 255}) b.add_socket(state);
    const struct
    {
        uint32_t proto, filter;
        size_t rows;
    } cases[] = {
        {IPHLP_TCP, IPHLP_FILTER_ALL, 4},
        {IPHLP_TCP, IPHLP_FILTER_LISTENER, 1},
        {IPHLP_TCP, IPHLP_FILTER_CONNECTIONS, 3},
        {IPHLP_UDP, IPHLP_FILTER_LISTENER, 8},
    };
    for (const auto &c : cases)
    {
        SocketBuffer rows;
        assert_int_equal(parse_exact(b.bytes.data(), b.bytes.size(), SocketQuery{c.proto, IPHLP_INET4, c.filter}, rows),
                         1);
        assert_int_equal(rows.size(), c.rows);
        for (const iphlp::SocketRecord &rec : rows)
        {
            if (c.proto == IPHLP_UDP)
                assert_int_equal(rec.row.state, 0);
            else if (c.filter == IPHLP_FILTER_LISTENER)
                assert_int_equal(rec.row.state, IPHLP_MIB_TCP_STATE_LISTEN);
            else if (c.filter == IPHLP_FILTER_CONNECTIONS)
                assert_int_not_equal(rec.row.state, IPHLP_MIB_TCP_STATE_LISTEN);
        }
    }
}

void test_state_mapping(void **)
{
    const uint32_t expected[] = {
        IPHLP_MIB_TCP_STATE_CLOSED,     /* 0 */
        IPHLP_MIB_TCP_STATE_ESTAB,      /* 1 ESTABLISHED */
        IPHLP_MIB_TCP_STATE_SYN_SENT,   /* 2 SYN_SENT */
        IPHLP_MIB_TCP_STATE_SYN_RCVD,   /* 3 SYN_RECV */
        IPHLP_MIB_TCP_STATE_FIN_WAIT1,  /* 4 FIN_WAIT1 */
        IPHLP_MIB_TCP_STATE_FIN_WAIT2,  /* 5 FIN_WAIT2 */
        IPHLP_MIB_TCP_STATE_TIME_WAIT,  /* 6 TIME_WAIT */
        IPHLP_MIB_TCP_STATE_CLOSED,     /* 7 CLOSE */
        IPHLP_MIB_TCP_STATE_CLOSE_WAIT, /* 8 CLOSE_WAIT */
        IPHLP_MIB_TCP_STATE_LAST_ACK,   /* 9 LAST_ACK */
        IPHLP_MIB_TCP_STATE_LISTEN,     /* 10 LISTEN */
        IPHLP_MIB_TCP_STATE_CLOSING,    /* 11 CLOSING */
        IPHLP_MIB_TCP_STATE_SYN_RCVD,   /* 12 NEW_SYN_RECV */
        IPHLP_MIB_TCP_STATE_CLOSED,     /* 13 BOUND_INACTIVE */
    };
    for (unsigned state = 0; state < sizeof(expected) / sizeof(expected[0]); ++state)
        assert_int_equal(iphlp::mib_tcp_state_from_linux(state), expected[state]);
    assert_int_equal(iphlp::mib_tcp_state_from_linux(255), IPHLP_MIB_TCP_STATE_CLOSED);
    assert_int_equal(iphlp::mib_tcp_state_from_linux(UINT_MAX), IPHLP_MIB_TCP_STATE_CLOSED);
}

void test_state_masks(void **)
{
    const uint32_t all = 0x1ffe; /* 1 << 1 (ESTABLISHED) ... 1 << 12 (NEW_SYN_RECV) */
    const uint32_t listen = 1u << 10;
    assert_int_equal(iphlp::linux_state_mask({IPHLP_TCP, IPHLP_INET4, IPHLP_FILTER_ALL}), all);
    assert_int_equal(iphlp::linux_state_mask({IPHLP_TCP, IPHLP_INET6, IPHLP_FILTER_LISTENER}), listen);
    uint32_t connections = iphlp::linux_state_mask({IPHLP_TCP, IPHLP_INET4, IPHLP_FILTER_CONNECTIONS});
    assert_int_equal(connections, all & ~listen);
    assert_true(connections & 1u << 6);  /* TIME_WAIT */
    assert_true(connections & 1u << 3);  /* SYN_RECV */
    assert_true(connections & 1u << 12); /* NEW_SYN_RECV */
    assert_int_equal(iphlp::linux_state_mask({IPHLP_TCP, IPHLP_INET4, 99}), all);
    for (uint32_t filter : FIXTURE_FILTERS) /* UDP: no filter */
        assert_int_equal(iphlp::linux_state_mask({IPHLP_UDP, IPHLP_INET4, filter}), all);
}

} // namespace

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_recorded_dumps),
        cmocka_unit_test(test_byte_order),
        cmocka_unit_test(test_cookies),
        cmocka_unit_test(test_other_family_skipped),
        cmocka_unit_test(test_appends),
        cmocka_unit_test(test_truncated_everywhere),
        cmocka_unit_test(test_split_datagrams),
        cmocka_unit_test(test_attribute_lengths),
        cmocka_unit_test(test_bad_message_keeps_earlier_rows),
        cmocka_unit_test(test_malformed_messages),
        cmocka_unit_test(test_error_messages),
        cmocka_unit_test(test_done_messages),
        cmocka_unit_test(test_state_filter_in_parser),
        cmocka_unit_test(test_state_mapping),
        cmocka_unit_test(test_state_masks),
    };
    return cmocka_run_group_tests(tests, nullptr, nullptr);
}
