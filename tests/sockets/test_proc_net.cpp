// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * parse_proc_net and the /proc/net/if_inet6 scope lookup, against files recorded from a real
 * kernel together with the netlink fixtures (tests/sockets/tools/record_inet_diag.cpp), and against
 * truncated and garbled text.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
extern "C" {
#include <cmocka.h>
}

#include <errno.h>

#include <memory>
#include <string>

#include "ipv6_scope.h"
#include "recorded_sockets.h"
#include "sockets.h"

using iphlp::SocketBuffer;
using iphlp::SocketQuery;

namespace {

/* Deliberately parallel to test_inet_diag.cpp: the same sockets, recorded for the other reader. */
const FixtureFile fixtures[] = {
    {"proc_net/tcp", IPHLP_TCP, IPHLP_INET4},
    {"proc_net/tcp6", IPHLP_TCP, IPHLP_INET6},
    {"proc_net/udp", IPHLP_UDP, IPHLP_INET4},
    {"proc_net/udp6", IPHLP_UDP, IPHLP_INET6},
};

int parse_exact(const char *text, size_t len, const SocketQuery &query, SocketBuffer &out)
{
    return parse_copy(iphlp::parse_proc_net, text, len, query, out);
}

int parse_text(const std::string &text, const SocketQuery &query, SocketBuffer &out)
{
    return parse_exact(text.data(), text.size(), query, out);
}

/* What read_sockets_procfs does after parsing, with the recorded if_inet6. */
void apply_recorded_scopes(SocketBuffer &rows)
{
    std::vector<char> text = read_fixture("proc_net/if_inet6");
    iphlp::InterfaceAddresses interfaces;
    assert_int_equal(iphlp::parse_if_inet6(text.data(), text.size(), interfaces), 0);
    iphlp::apply_link_local_scopes(interfaces, rows.data(), rows.data() + rows.size());
}

/* The same sockets as the netlink fixtures, for every filter. */
void test_recorded_files(void **) { check_recorded_files(fixtures, iphlp::parse_proc_net, apply_recorded_scopes); }

const char TCP_HEADER[] = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  "
                          "timeout inode\n";
const char TCP6_HEADER[] = "  sl  local_address                         remote_address                        "
                           "st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n";

/*
 * The kernel prints each address word as the CPU loaded it: 127.1.2.3 is 0302017F on
 * little-endian. Ports are printed in host order. Rows must hold the wire bytes.
 */
void test_byte_order(void **)
{
    std::string text = std::string(TCP_HEADER) +
                       "   0: 0302017F:1234 0100007F:4321 01 00000000:00000000 00:00000000 00000000  1000"
                       "        0 4294967296 1 0000000000000000 20 4 30 10 -1\n";
    SocketBuffer rows;
    assert_int_equal(parse_text(text, {IPHLP_TCP, IPHLP_INET4, IPHLP_FILTER_ALL}, rows), 0);
    assert_int_equal(rows.size(), 1);
    const iphlp::SocketRecord &rec = rows[0];
    const uint8_t local[16] = {127, 1, 2, 3}, remote[16] = {127, 0, 0, 1};
    const uint8_t local_port[2] = {0x12, 0x34}, remote_port[2] = {0x43, 0x21};
    assert_memory_equal(rec.row.local_addr, local, 16);
    assert_memory_equal(rec.row.remote_addr, remote, 16);
    assert_memory_equal(&rec.row.local_port, local_port, 2);
    assert_memory_equal(&rec.row.remote_port, remote_port, 2);
    assert_int_equal(rec.row.state, IPHLP_MIB_TCP_STATE_ESTAB);
    assert_int_equal(rec.inode, 4294967296ull); /* inodes are unsigned long, wider than inet_diag's */

    /* fe80::1:2:3:4 on little-endian, and lower-case hex */
    text = std::string(TCP6_HEADER) +
           "   0: 000080fe000000000200010004000300:abcd 00000000000000000000000000000000:0000 0A "
           "00000000:00000000 00:00000000 00000000     0        0 5 1 0000000000000000 100 0 0 10 0\n";
    rows.clear();
    assert_int_equal(parse_text(text, {IPHLP_TCP, IPHLP_INET6, IPHLP_FILTER_ALL}, rows), 0);
    assert_int_equal(rows.size(), 1);
    const uint8_t local6[16] = {0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 1, 0, 2, 0, 3, 0, 4};
    const uint8_t port6[2] = {0xab, 0xcd};
    assert_memory_equal(rows[0].row.local_addr, local6, 16);
    assert_memory_equal(&rows[0].row.local_port, port6, 2);
    assert_int_equal(rows[0].row.state, IPHLP_MIB_TCP_STATE_LISTEN);
    assert_int_equal(rows[0].row.local_scope_id, 0); /* the parser alone knows no interfaces */
}

void test_header_only(void **)
{
    std::vector<char> text = read_fixture("proc_net/tcp_header_only");
    SocketBuffer rows;
    assert_int_equal(parse_exact(text.data(), text.size(), {IPHLP_TCP, IPHLP_INET4, IPHLP_FILTER_ALL}, rows), 0);
    assert_int_equal(rows.size(), 0);
    /* empty, or a header cut short: not what the kernel ever writes */
    assert_int_equal(parse_text("", {IPHLP_TCP, IPHLP_INET4, IPHLP_FILTER_ALL}, rows), -EBADMSG);
    assert_int_equal(parse_text("  sl  local", {IPHLP_TCP, IPHLP_INET4, IPHLP_FILTER_ALL}, rows), -EBADMSG);
    assert_int_equal(rows.size(), 0);
}

/*
 * Cut every recorded file at every byte. Right after a newline the text is whole (0) and every
 * line before the cut is a row; anywhere else the last line is truncated: -EBADMSG, with the
 * rows of the complete lines before it kept.
 */
void test_truncated_everywhere(void **)
{
    for (const FixtureFile &f : fixtures)
    {
        std::vector<char> text = read_fixture(f.file);
        SocketQuery query{f.proto, f.family, IPHLP_FILTER_ALL};
        size_t lines = 0; /* complete lines before the cut, header included */
        for (size_t len = 0; len < text.size(); ++len)
        {
            SocketBuffer rows;
            int ret = parse_exact(text.data(), len, query, rows);
            bool whole = len > 0 && text[len - 1] == '\n';
            assert_int_equal(ret, whole ? 0 : -EBADMSG);
            assert_int_equal(rows.size(), lines > 0 ? lines - 1 : 0);
            lines += text[len] == '\n';
        }
    }
}

/* A garbled line stops the scan: the rows before it stay, the ones after are not read. */
void test_garbage_lines(void **)
{
    std::vector<char> text = read_fixture("proc_net/tcp_garbage");
    SocketBuffer rows;
    assert_int_equal(parse_exact(text.data(), text.size(), {IPHLP_TCP, IPHLP_INET4, IPHLP_FILTER_ALL}, rows), -EBADMSG);
    assert_int_equal(rows.size(), 1);

    const char good[] = "   0: 0302017F:1234 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0"
                        "        0 17791 1 0000000000000000 100 0 0 10 0\n";
    const char *bad_lines[] = {
        "\n",                                                                        /* blank */
        "      \n",                                                                  /* spaces only */
        "   0 0302017F:1234 00000000:0000 0A 0:0 0:0 0 0 0 1\n",                     /* no ':' after sl */
        "   0: 0302017F1234 00000000:0000 0A 0:0 0:0 0 0 0 1\n",                     /* no ':' before the port */
        "   0: 302017F:1234 00000000:0000 0A 0:0 0:0 0 0 0 1\n",                     /* 7-digit address */
        "   0: 0302017F:234 00000000:0000 0A 0:0 0:0 0 0 0 1\n",                     /* 3-digit port */
        "   0: 0302017F:12345 00000000:0000 0A 0:0 0:0 0 0 0 1\n",                   /* 5-digit port */
        "   0: 0302017F:1234 00000000:0000 A 0:0 0:0 0 0 0 1\n",                     /* 1-digit state */
        "   0: 0302017F:1234 00000000:0000 0A 0:0 0:0 0 0 0\n",                      /* no inode */
        "   0: 0302017F:1234 00000000:0000 0A 0:0 0:0 0 0 0 12x\n",                  /* inode not a number */
        "   0: 0302017F:1234 00000000:0000 0A 0:0 0:0 0 0 0 -1\n",                   /* negative inode */
        "   0: 0302017F:1234 00000000:0000 0A 0:0 0:0 0 0 0 99999999999999999999\n", /* > 64 bits */
        "   0: 0302017F:1234\n",                                                     /* cut after the local address */
        "   0: 00000000000000000000000001000000:1234 00000000000000000000000000000000:0000 0A 0:0 0:0 0 0 0 1\n",
    };
    for (const char *bad : bad_lines)
    {
        rows.clear();
        std::string t = std::string(TCP_HEADER) + good + bad + good;
        assert_int_equal(parse_text(t, {IPHLP_TCP, IPHLP_INET4, IPHLP_FILTER_ALL}, rows), -EBADMSG);
        assert_int_equal(rows.size(), 1);
    }
    /* and an IPv4 line where an IPv6 one is expected */
    rows.clear();
    assert_int_equal(parse_text(std::string(TCP6_HEADER) + good, {IPHLP_TCP, IPHLP_INET6, IPHLP_FILTER_ALL}, rows),
                     -EBADMSG);
    assert_int_equal(rows.size(), 0);
}

/* Filtering happens while parsing; UDP keeps every line whatever the filter. */
void test_filters(void **)
{
    std::string text = TCP_HEADER;
    for (const char *state : {"01", "02", "03", "04", "05", "06", "07", "08", "09", "0A", "0B", "0C", "0D", "FF"})
        text += std::string("   0: 0302017F:1234 00000000:0000 ") + state +
                " 00000000:00000000 00:00000000 00000000     0        0 1 1\n";
    const struct
    {
        uint32_t proto, filter;
        size_t rows;
    } cases[] = {
        {IPHLP_TCP, IPHLP_FILTER_ALL, 12}, /* 0D (BOUND_INACTIVE) and FF are not table states */
        {IPHLP_TCP, IPHLP_FILTER_LISTENER, 1},
        {IPHLP_TCP, IPHLP_FILTER_CONNECTIONS, 11},
        {IPHLP_UDP, IPHLP_FILTER_LISTENER, 14},
    };
    for (const auto &c : cases)
    {
        SocketBuffer rows;
        assert_int_equal(parse_text(text, {c.proto, IPHLP_INET4, c.filter}, rows), 0);
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

/* The readers append: rows already in the buffer stay. */
void test_appends(void **)
{
    std::vector<char> text = read_fixture("proc_net/udp");
    SocketQuery query{IPHLP_UDP, IPHLP_INET4, IPHLP_FILTER_ALL};
    SocketBuffer rows(1);
    rows[0].inode = 42;
    assert_int_equal(parse_exact(text.data(), text.size(), query, rows), 0);
    assert_int_equal(rows[0].inode, 42);
    rows.erase(rows.begin());
    assert_recorded_rows(query, rows);
}

void test_if_inet6(void **)
{
    std::vector<char> text = read_fixture("proc_net/if_inet6");
    iphlp::InterfaceAddresses table;
    assert_int_equal(iphlp::parse_if_inet6(text.data(), text.size(), table), 0);
    assert_true(table.size() >= 1);
    for (const iphlp::InterfaceAddress &entry : table)
        assert_true(iphlp::is_ipv6_link_local(entry.addr)); /* only link-local entries are kept */

    const std::string two = "fe800000000000000000000000000001 1a2 40 20 80     eth9\n"
                            "20010db8000000000000000000000001 02 40 00 80     eth0\n"
                            "febf0000000000000000000000000002 03 40 20 80     eth1\n";
    table.clear();
    assert_int_equal(iphlp::parse_if_inet6(two.data(), two.size(), table), 0);
    assert_int_equal(table.size(), 2);
    assert_int_equal(table[0].ifindex, 0x1a2);
    assert_int_equal(table[0].addr[15], 1);
    assert_int_equal(table[1].ifindex, 3);

    table.clear();
    assert_int_equal(iphlp::parse_if_inet6("", 0, table), 0);
    const char *bad[] = {
        "fe800000000000000000000000000001 02 40 20 80     eth0",   /* no newline */
        "fe80000000000000000000000000001 02 40 20 80     eth0\n",  /* 31 digits */
        "fe800000000000000000000000000001\n",                      /* no index */
        "fe800000000000000000000000000001 123456789 40 20 80 x\n", /* index > 32 bits */
        "fe80000000000000000000000000000g 02 40 20 80     eth0\n",
    };
    for (const char *line : bad)
    {
        std::unique_ptr<char[]> copy(new char[strlen(line)]);
        memcpy(copy.get(), line, strlen(line));
        assert_int_equal(iphlp::parse_if_inet6(copy.get(), strlen(line), table), -EBADMSG);
    }
}

iphlp::SocketRecord v6_record(const char *local, const char *remote)
{
    iphlp::SocketRecord rec{};
    address_from_text(local, IPHLP_INET6, rec.row.local_addr);
    address_from_text(remote, IPHLP_INET6, rec.row.remote_addr);
    return rec;
}

void test_apply_scopes(void **)
{
    const std::string text = "fe800000000000000000000000000001 05 40 20 80     eth5\n"
                             "fe800000000000000000000000000001 06 40 20 80     eth6\n"
                             "fe800000000000000000000000000002 07 40 20 80     eth7\n";
    iphlp::InterfaceAddresses table;
    assert_int_equal(iphlp::parse_if_inet6(text.data(), text.size(), table), 0);
    SocketBuffer rows = {
        v6_record("fe80::1", "::"),      /* listener: first interface listed wins */
        v6_record("fe80::2", "fe80::9"), /* link-local peer: same interface */
        v6_record("fe80::3", "fe80::9"), /* not configured: stays 0 */
        v6_record("2001:db8::1", "fe80::9"), v6_record("::1", "::1"),
    };
    iphlp::apply_link_local_scopes(table, rows.data(), rows.data() + rows.size());
    const uint32_t local[] = {5, 7, 0, 0, 0}, remote[] = {0, 7, 0, 0, 0};
    for (size_t i = 0; i < rows.size(); ++i)
    {
        assert_int_equal(rows[i].row.local_scope_id, local[i]);
        assert_int_equal(rows[i].row.remote_scope_id, remote[i]);
    }
}

} // namespace

/* Under TIME_WAIT churn the seq_file behind /proc/net/tcp prints some lines
 * twice (it resumes each read() by position). Each socket comes out once, first copy kept, in
 * the kernel's order; distinct sockets that share a 4-tuple (a TIME_WAIT and a new connection,
 * two SO_REUSEPORT listeners) stay distinct. */
void test_duplicate_lines(void **)
{
    const std::string header =
        "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n";
    const std::string listen_a =
        "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 111 1\n";
    const std::string listen_b =
        "   1: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 222 1\n";
    const std::string tw =
        "   2: 0100007F:1F90 0100007F:C350 06 00000000:00000000 03:00001000 00000000     0        0 0 3\n";
    const std::string est =
        "   3: 0100007F:1F90 0100007F:C350 01 00000000:00000000 00:00000000 00000000     0        0 333 1\n";
    SocketBuffer out;
    SocketQuery query = {IPHLP_TCP, IPHLP_INET4, IPHLP_FILTER_ALL};
    assert_int_equal(parse_text(header + listen_a + tw + listen_b + tw + est + listen_a + tw, query, out), 0);
    assert_int_equal(out.size(), 4);
    assert_int_equal(out[0].inode, 111);
    assert_int_equal(out[1].row.state, IPHLP_MIB_TCP_STATE_TIME_WAIT);
    assert_int_equal(out[2].inode, 222);
    assert_int_equal(out[3].inode, 333);
    /* Only within one call's rows: what the buffer held before is left alone. */
    assert_int_equal(parse_text(header + tw, query, out), 0);
    assert_int_equal(out.size(), 5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_recorded_files), cmocka_unit_test(test_byte_order),
        cmocka_unit_test(test_header_only),    cmocka_unit_test(test_truncated_everywhere),
        cmocka_unit_test(test_garbage_lines),  cmocka_unit_test(test_filters),
        cmocka_unit_test(test_appends),        cmocka_unit_test(test_if_inet6),
        cmocka_unit_test(test_apply_scopes),   cmocka_unit_test(test_duplicate_lines),
    };
    return cmocka_run_group_tests(tests, nullptr, nullptr);
}
