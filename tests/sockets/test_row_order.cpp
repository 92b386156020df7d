// SPDX-License-Identifier: LGPL-2.1-or-later
/* Sorting and copying rows (unix/sockets/row_order.cpp). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
extern "C" {
#include <cmocka.h>
}

#include <arpa/inet.h>
#include <cstring>

#include "row_order.h"

using namespace iphlp;

static SocketRecord v4(const char *local, uint16_t lport, const char *remote, uint16_t rport)
{
    SocketRecord r = {};
    inet_pton(AF_INET, local, r.row.local_addr);
    inet_pton(AF_INET, remote, r.row.remote_addr);
    r.row.local_port = htons(lport);
    r.row.remote_port = htons(rport);
    return r;
}

/* Wine 8.0 compares only the first two octets; all four must count, as numbers. */
static void test_sorts_all_octets_numerically(void **)
{
    SocketBuffer records = {v4("127.0.1.1", 100, "0.0.0.0", 0), v4("127.0.0.2", 900, "0.0.0.0", 0),
                            v4("127.1.0.1", 50, "0.0.0.0", 0), v4("127.0.0.10", 10, "0.0.0.0", 0),
                            v4("10.0.0.1", 65535, "0.0.0.0", 0)};
    iphlp_socket_row out[5];
    copy_rows(records, true, out);
    const char *expected[] = {"10.0.0.1", "127.0.0.2", "127.0.0.10", "127.0.1.1", "127.1.0.1"};
    for (int i = 0; i < 5; i++)
    {
        char text[INET_ADDRSTRLEN];
        inet_ntop(AF_INET, out[i].local_addr, text, sizeof(text));
        assert_string_equal(text, expected[i]);
    }
}

/* Ports compare as numbers (after ntohs), not as their network-order bytes. */
static void test_sorts_ports_in_host_order(void **)
{
    SocketBuffer records = {v4("127.0.0.1", 256, "0.0.0.0", 0), v4("127.0.0.1", 1, "0.0.0.0", 0),
                            v4("127.0.0.1", 80, "127.0.0.1", 2), v4("127.0.0.1", 80, "127.0.0.1", 1)};
    iphlp_socket_row out[4];
    copy_rows(records, true, out);
    assert_int_equal(ntohs(out[0].local_port), 1);
    assert_int_equal(ntohs(out[1].local_port), 80);
    assert_int_equal(ntohs(out[1].remote_port), 1);
    assert_int_equal(ntohs(out[2].remote_port), 2);
    assert_int_equal(ntohs(out[3].local_port), 256);
}

static void test_scope_id_before_port(void **)
{
    SocketRecord a = {}, b = {};
    inet_pton(AF_INET6, "fe80::1", a.row.local_addr);
    memcpy(b.row.local_addr, a.row.local_addr, 16);
    a.row.local_scope_id = 3;
    a.row.local_port = htons(1);
    b.row.local_scope_id = 2;
    b.row.local_port = htons(9);
    assert_true(row_before(b.row, a.row));
    assert_false(row_before(a.row, b.row));
}

/* IPv6 rows (not IPv4-shaped) take the full key: all 16 address bytes, then scope, then port. */
static void test_sorts_ipv6_rows(void **)
{
    auto v6 = [](const char *addr, uint32_t scope, uint16_t port) {
        SocketRecord r = {};
        inet_pton(AF_INET6, addr, r.row.local_addr);
        r.row.local_scope_id = scope;
        r.row.local_port = htons(port);
        return r;
    };
    SocketBuffer records = {v6("fe80::1", 3, 1), v6("2001:db8::2", 0, 1), v6("fe80::1", 2, 9),
                            v6("::1", 0, 5),     v6("2001:db8::1", 0, 7), v6("fe80::1", 2, 8)};
    iphlp_socket_row out[6];
    copy_rows(records, true, out);
    const struct
    {
        const char *addr;
        uint32_t scope;
        uint16_t port;
    } expected[] = {{"::1", 0, 5},     {"2001:db8::1", 0, 7}, {"2001:db8::2", 0, 1},
                    {"fe80::1", 2, 8}, {"fe80::1", 2, 9},     {"fe80::1", 3, 1}};
    for (int i = 0; i < 6; i++)
    {
        char text[INET6_ADDRSTRLEN];
        inet_ntop(AF_INET6, out[i].local_addr, text, sizeof(text));
        assert_string_equal(text, expected[i].addr);
        assert_int_equal(out[i].local_scope_id, expected[i].scope);
        assert_int_equal(ntohs(out[i].local_port), expected[i].port);
    }
}

static void test_unsorted_keeps_kernel_order(void **)
{
    SocketBuffer records = {v4("127.0.0.3", 1, "0.0.0.0", 0), v4("127.0.0.1", 1, "0.0.0.0", 0)};
    iphlp_socket_row out[2];
    copy_rows(records, false, out);
    assert_memory_equal(&out[0], &records[0].row, sizeof(out[0]));
    assert_memory_equal(&out[1], &records[1].row, sizeof(out[1]));
}

int main()
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sorts_all_octets_numerically), cmocka_unit_test(test_sorts_ports_in_host_order),
        cmocka_unit_test(test_scope_id_before_port),         cmocka_unit_test(test_sorts_ipv6_rows),
        cmocka_unit_test(test_unsorted_keeps_kernel_order),
    };
    return cmocka_run_group_tests(tests, nullptr, nullptr);
}
