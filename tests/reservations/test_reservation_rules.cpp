// SPDX-License-Identifier: LGPL-2.1-or-later
/* The Windows rules of persistent reservations: parameters, overlap, exact match, return codes,
 * TCP/UDP separation, tokens, the port-in-use check, listing and default paths. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
extern "C" {
#include <cmocka.h>
}

#include <cstdlib>
#include <set>

#include "reservation_test_util.h"

using namespace iphlp;
using restest::Fixture;

static const uint32_t PROTOS[] = {IPHLP_TCP, IPHLP_UDP};

static int setup(void **state)
{
    *state = new Fixture();
    return 0;
}

static int teardown(void **state)
{
    delete static_cast<Fixture *>(*state);
    return 0;
}

static const StoreConfig &cfg(void **state) { return static_cast<Fixture *>(*state)->cfg; }

static void invalid_parameters(void **state)
{
    const StoreConfig &c = cfg(state);
    uint64_t token = 0;
    for (uint32_t p : PROTOS)
    {
        assert_int_equal(reservation_create(c, p, 0, 1, &token), WIN_ERROR_INVALID_PARAMETER);
        assert_int_equal(reservation_create(c, p, 100, 0, &token), WIN_ERROR_INVALID_PARAMETER);
        assert_int_equal(reservation_create(c, p, 65535, 2, &token), WIN_ERROR_INVALID_PARAMETER);
        assert_int_equal(reservation_create(c, p, 2, 65535, &token), WIN_ERROR_INVALID_PARAMETER);
        assert_int_equal(reservation_create(c, p, 100, 1, nullptr), WIN_ERROR_INVALID_PARAMETER);
        assert_int_equal(reservation_lookup(c, p, 0, 1, &token), WIN_ERROR_INVALID_PARAMETER);
        assert_int_equal(reservation_lookup(c, p, 100, 0, &token), WIN_ERROR_INVALID_PARAMETER);
        assert_int_equal(reservation_lookup(c, p, 65535, 2, &token), WIN_ERROR_INVALID_PARAMETER);
        assert_int_equal(reservation_lookup(c, p, 100, 1, nullptr), WIN_ERROR_INVALID_PARAMETER);
        assert_int_equal(reservation_delete(c, p, 0, 1), WIN_ERROR_INVALID_PARAMETER);
        assert_int_equal(reservation_delete(c, p, 100, 0), WIN_ERROR_INVALID_PARAMETER);
        assert_int_equal(reservation_delete(c, p, 65535, 2), WIN_ERROR_INVALID_PARAMETER);
    }
    std::vector<Reservation> list;
    assert_int_equal(reservation_create(c, 2, 100, 1, &token), WIN_ERROR_INVALID_PARAMETER);
    assert_int_equal(reservation_lookup(c, 7, 100, 1, &token), WIN_ERROR_INVALID_PARAMETER);
    assert_int_equal(reservation_delete(c, 0xffffffffu, 100, 1), WIN_ERROR_INVALID_PARAMETER);
    assert_int_equal(reservation_list(c, 2, list), WIN_ERROR_INVALID_PARAMETER);
    /* Bad input is refused before the store is touched. */
    assert_false(restest::file_exists(c.db_path));
}

static void blocks_that_exactly_fit(void **state)
{
    const StoreConfig &c = cfg(state);
    uint64_t token = 0;
    /* The whole port space in TCP, and the last single port in UDP. */
    assert_int_equal(reservation_create(c, IPHLP_TCP, 1, 65535, &token), WIN_NO_ERROR);
    assert_int_not_equal(token, 0);
    assert_int_equal(reservation_create(c, IPHLP_TCP, 65535, 1, &token), WIN_ERROR_SHARING_VIOLATION);
    assert_int_equal(reservation_create(c, IPHLP_UDP, 65535, 1, &token), WIN_NO_ERROR);
    assert_int_equal(reservation_lookup(c, IPHLP_TCP, 1, 65535, &token), WIN_NO_ERROR);
    assert_int_equal(reservation_lookup(c, IPHLP_UDP, 65535, 1, &token), WIN_NO_ERROR);
    assert_int_equal(reservation_delete(c, IPHLP_TCP, 1, 65535), WIN_NO_ERROR);
    assert_int_equal(reservation_delete(c, IPHLP_UDP, 65535, 1), WIN_NO_ERROR);
}

static void overlap_at_the_edges(void **state)
{
    const StoreConfig &c = cfg(state);
    uint64_t token = 0;
    for (uint32_t p : PROTOS)
    {
        assert_int_equal(reservation_create(c, p, 100, 10, &token), WIN_NO_ERROR); /* 100-109 */
        assert_int_equal(reservation_create(c, p, 110, 10, &token), WIN_NO_ERROR); /* 110-119: adjacent */
        assert_int_equal(reservation_create(c, p, 109, 2, &token), WIN_ERROR_SHARING_VIOLATION);
        assert_int_equal(reservation_create(c, p, 95, 6, &token), WIN_ERROR_SHARING_VIOLATION);   /* ends at 100 */
        assert_int_equal(reservation_create(c, p, 119, 7, &token), WIN_ERROR_SHARING_VIOLATION);  /* starts at 119 */
        assert_int_equal(reservation_create(c, p, 90, 40, &token), WIN_ERROR_SHARING_VIOLATION);  /* covers both */
        assert_int_equal(reservation_create(c, p, 102, 2, &token), WIN_ERROR_SHARING_VIOLATION);  /* inside */
        assert_int_equal(reservation_create(c, p, 100, 10, &token), WIN_ERROR_SHARING_VIOLATION); /* identical */
        assert_int_equal(reservation_create(c, p, 95, 5, &token), WIN_NO_ERROR);                  /* 95-99 */
        assert_int_equal(reservation_create(c, p, 120, 1, &token), WIN_NO_ERROR);                 /* 120 */
        assert_int_equal(reservation_create(c, p, 65530, 6, &token), WIN_NO_ERROR);               /* ends at 65535 */
        assert_int_equal(reservation_create(c, p, 65535, 1, &token), WIN_ERROR_SHARING_VIOLATION);
        assert_int_equal(reservation_create(c, p, 65529, 2, &token), WIN_ERROR_SHARING_VIOLATION);
        assert_int_equal(reservation_create(c, p, 65529, 1, &token), WIN_NO_ERROR);

        std::vector<Reservation> list;
        assert_int_equal(reservation_list(c, p, list), WIN_NO_ERROR);
        assert_int_equal(list.size(), 6);
        const uint16_t starts[] = {95, 100, 110, 120, 65529, 65530};
        const uint16_t counts[] = {5, 10, 10, 1, 1, 6};
        for (size_t i = 0; i < list.size(); i++)
        {
            assert_int_equal(list[i].start_port, starts[i]);
            assert_int_equal(list[i].num_ports, counts[i]);
        }
    }
}

static void exact_match_lookup_and_delete(void **state)
{
    const StoreConfig &c = cfg(state);
    for (uint32_t p : PROTOS)
    {
        uint64_t created = 0, found = 0;
        assert_int_equal(reservation_create(c, p, 200, 10, &created), WIN_NO_ERROR);
        assert_int_equal(reservation_lookup(c, p, 200, 10, &found), WIN_NO_ERROR);
        assert_int_equal(found, created);
        assert_int_equal(reservation_lookup(c, p, 200, 9, &found), WIN_ERROR_NOT_FOUND);
        assert_int_equal(reservation_lookup(c, p, 200, 11, &found), WIN_ERROR_NOT_FOUND);
        assert_int_equal(reservation_lookup(c, p, 201, 9, &found), WIN_ERROR_NOT_FOUND);
        assert_int_equal(reservation_lookup(c, p, 199, 10, &found), WIN_ERROR_NOT_FOUND);
        assert_int_equal(reservation_delete(c, p, 200, 9), WIN_ERROR_NOT_FOUND);
        assert_int_equal(reservation_delete(c, p, 201, 9), WIN_ERROR_NOT_FOUND);
        assert_int_equal(reservation_delete(c, p, 200, 11), WIN_ERROR_NOT_FOUND);
        assert_int_equal(reservation_delete(c, p, 200, 10), WIN_NO_ERROR);
        assert_int_equal(reservation_delete(c, p, 200, 10), WIN_ERROR_NOT_FOUND);
        assert_int_equal(reservation_lookup(c, p, 200, 10, &found), WIN_ERROR_NOT_FOUND);
        /* Lookup and Delete of what never existed. */
        assert_int_equal(reservation_lookup(c, p, 5000, 1, &found), WIN_ERROR_NOT_FOUND);
        assert_int_equal(reservation_delete(c, p, 5000, 1), WIN_ERROR_NOT_FOUND);
    }
}

static void tcp_and_udp_are_separate(void **state)
{
    const StoreConfig &c = cfg(state);
    uint64_t tcp = 0, udp = 0, found = 0;
    assert_int_equal(reservation_create(c, IPHLP_TCP, 300, 5, &tcp), WIN_NO_ERROR);
    assert_int_equal(reservation_lookup(c, IPHLP_UDP, 300, 5, &found), WIN_ERROR_NOT_FOUND);
    assert_int_equal(reservation_delete(c, IPHLP_UDP, 300, 5), WIN_ERROR_NOT_FOUND);
    assert_int_equal(reservation_create(c, IPHLP_UDP, 300, 5, &udp), WIN_NO_ERROR);
    assert_int_not_equal(tcp, udp); /* unique within the store */
    assert_int_equal(reservation_delete(c, IPHLP_TCP, 300, 5), WIN_NO_ERROR);
    assert_int_equal(reservation_lookup(c, IPHLP_UDP, 300, 5, &found), WIN_NO_ERROR);
    assert_int_equal(found, udp);
    std::vector<Reservation> list;
    assert_int_equal(reservation_list(c, IPHLP_TCP, list), WIN_NO_ERROR);
    assert_true(list.empty());
    assert_int_equal(reservation_list(c, IPHLP_UDP, list), WIN_NO_ERROR);
    assert_int_equal(list.size(), 1);
    assert_int_equal(list[0].token, udp);
}

static void tokens_are_nonzero_unique_and_stable(void **state)
{
    const StoreConfig &c = cfg(state);
    std::set<uint64_t> tokens;
    for (uint32_t p : PROTOS)
        for (uint16_t start = 1000; start < 1100; start += 2)
        {
            uint64_t token = 0, again = 0;
            assert_int_equal(reservation_create(c, p, start, 2, &token), WIN_NO_ERROR);
            assert_int_not_equal(token, 0);
            assert_true(tokens.insert(token).second);
            assert_int_equal(reservation_lookup(c, p, start, 2, &again), WIN_NO_ERROR);
            assert_int_equal(again, token);
        }
    /* A re-created reservation gets a new token: a stale token never names the new block. */
    uint64_t before = 0, after = 0;
    assert_int_equal(reservation_lookup(c, IPHLP_TCP, 1000, 2, &before), WIN_NO_ERROR);
    assert_int_equal(reservation_delete(c, IPHLP_TCP, 1000, 2), WIN_NO_ERROR);
    assert_int_equal(reservation_create(c, IPHLP_TCP, 1000, 2, &after), WIN_NO_ERROR);
    assert_int_not_equal(before, after);
    assert_true(tokens.insert(after).second);
    /* The list reports the same tokens as Lookup. */
    std::vector<Reservation> list;
    assert_int_equal(reservation_list(c, IPHLP_UDP, list), WIN_NO_ERROR);
    assert_int_equal(list.size(), 50);
    for (const Reservation &r : list)
    {
        uint64_t token = 0;
        assert_int_equal(reservation_lookup(c, IPHLP_UDP, r.start_port, r.num_ports, &token), WIN_NO_ERROR);
        assert_int_equal(r.token, token);
    }
}

static uint32_t in_use_calls;
static uint32_t in_use_proto;
static uint16_t in_use_first, in_use_last;

/* Port 500 of either protocol is "in use". */
static PortUse fake_port_in_use(uint32_t proto, uint16_t first, uint16_t last)
{
    in_use_calls++;
    in_use_proto = proto;
    in_use_first = first;
    in_use_last = last;
    if (first <= 600 && 600 <= last) return PortUse::unknown; /* as if the sockets were unreadable */
    return first <= 500 && 500 <= last ? PortUse::in_use : PortUse::free;
}

static void port_in_use_is_a_sharing_violation(void **state)
{
    StoreConfig c = cfg(state);
    c.port_in_use = fake_port_in_use;
    for (uint32_t p : PROTOS)
    {
        uint64_t token = 0;
        in_use_calls = 0;
        assert_int_equal(reservation_create(c, p, 498, 5, &token), WIN_ERROR_SHARING_VIOLATION);
        assert_int_equal(in_use_calls, 1);
        assert_int_equal(in_use_proto, p);
        assert_int_equal(in_use_first, 498);
        assert_int_equal(in_use_last, 502);
        assert_int_equal(reservation_lookup(c, p, 498, 5, &token), WIN_ERROR_NOT_FOUND);
        assert_int_equal(reservation_create(c, p, 510, 3, &token), WIN_NO_ERROR);
        assert_int_equal(in_use_calls, 2);
        assert_int_equal(in_use_first, 510);
        assert_int_equal(in_use_last, 512);
        /* The refused block left no trace: not in the list, not in the kernel list. */
        std::vector<Reservation> list;
        assert_int_equal(reservation_list(c, p, list), WIN_NO_ERROR);
        assert_int_equal(list.size(), 1);
        assert_int_equal(list[0].start_port, 510);
        /* Sockets that cannot be read are an error, not a guess either way. */
        assert_int_equal(reservation_create(c, p, 599, 2, &token), WIN_ERROR_INTERNAL_ERROR);
        assert_int_equal(reservation_lookup(c, p, 599, 2, &token), WIN_ERROR_NOT_FOUND);
    }
    assert_string_equal(restest::read_file(c.kernel_reserved_path).c_str(), "510-512\n");
}

static void list_is_sorted_and_per_protocol(void **state)
{
    const StoreConfig &c = cfg(state);
    uint64_t token = 0;
    const uint16_t starts[] = {9000, 10, 700, 65000, 30};
    for (uint16_t s : starts) assert_int_equal(reservation_create(c, IPHLP_UDP, s, 3, &token), WIN_NO_ERROR);
    assert_int_equal(reservation_create(c, IPHLP_TCP, 5, 1, &token), WIN_NO_ERROR);
    std::vector<Reservation> list = {Reservation{1, 1, true, 1}}; /* must be replaced, not appended to */
    assert_int_equal(reservation_list(c, IPHLP_UDP, list), WIN_NO_ERROR);
    assert_int_equal(list.size(), 5);
    const uint16_t sorted[] = {10, 30, 700, 9000, 65000};
    for (size_t i = 0; i < 5; i++)
    {
        assert_int_equal(list[i].start_port, sorted[i]);
        assert_int_equal(list[i].num_ports, 3);
        assert_true(list[i].kernel_mirrored);
    }
    assert_int_equal(reservation_list(c, IPHLP_TCP, list), WIN_NO_ERROR);
    assert_int_equal(list.size(), 1);
    assert_int_equal(list[0].start_port, 5);
}

static void default_paths(void **state)
{
    setenv("IPHLP_RESERVATION_DB", "/x/explicit.db", 1);
    setenv("WINEPREFIX", "/p/prefix", 1);
    setenv("HOME", "/h/home", 1);
    StoreConfig c = default_store_config();
    assert_string_equal(c.db_path.c_str(), "/x/explicit.db");
    assert_string_equal(c.boot_id_path.c_str(), "/proc/sys/kernel/random/boot_id");
    assert_string_equal(c.kernel_reserved_path.c_str(), "/proc/sys/net/ipv4/ip_local_reserved_ports");
    assert_null(c.port_in_use);
    unsetenv("IPHLP_RESERVATION_DB");
    assert_string_equal(default_store_config().db_path.c_str(), "/p/prefix/iphlp-reservations.sqlite3");
    setenv("WINEPREFIX", "", 1);
    assert_string_equal(default_store_config().db_path.c_str(), "/h/home/.wine/iphlp-reservations.sqlite3");
    unsetenv("WINEPREFIX");
    assert_string_equal(default_store_config().db_path.c_str(), "/h/home/.wine/iphlp-reservations.sqlite3");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(invalid_parameters, setup, teardown),
        cmocka_unit_test_setup_teardown(blocks_that_exactly_fit, setup, teardown),
        cmocka_unit_test_setup_teardown(overlap_at_the_edges, setup, teardown),
        cmocka_unit_test_setup_teardown(exact_match_lookup_and_delete, setup, teardown),
        cmocka_unit_test_setup_teardown(tcp_and_udp_are_separate, setup, teardown),
        cmocka_unit_test_setup_teardown(tokens_are_nonzero_unique_and_stable, setup, teardown),
        cmocka_unit_test_setup_teardown(port_in_use_is_a_sharing_violation, setup, teardown),
        cmocka_unit_test_setup_teardown(list_is_sorted_and_per_protocol, setup, teardown),
        cmocka_unit_test(default_paths),
    };
    return cmocka_run_group_tests(tests, nullptr, nullptr);
}
