// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Mirroring reservations into the kernel's reserved port list
 * (/proc/sys/net/ipv4/ip_local_reserved_ports): merge on create, remove only our own ports on
 * delete, share ports between TCP and UDP blocks, carry on when the list cannot be written,
 * re-mirror after a reboot. Mostly against a fake file; the tests of the real list run in a
 * private network namespace (main() enters one), never on the host's list.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
extern "C" {
#include <cmocka.h>
}

#include <unistd.h>

#include <sqlite3.h>

#include "kernel_reserved_ports.h"
#include "reservation_test_util.h"

using namespace iphlp;
using restest::Fixture;

namespace {

using restest::KERNEL_LIST_PATH;

std::string kernel(const Fixture &fx) { return restest::read_file(fx.cfg.kernel_reserved_path); }

bool mirrored(const StoreConfig &cfg, uint32_t proto, uint16_t start)
{
    std::vector<Reservation> list;
    assert_int_equal(reservation_list(cfg, proto, list), WIN_NO_ERROR);
    for (const Reservation &r : list)
        if (r.start_port == start) return r.kernel_mirrored;
    fail_msg("no reservation at %u", start);
    return false;
}

void create_ok(const StoreConfig &cfg, uint32_t proto, uint16_t start, uint16_t count)
{
    uint64_t token = 0;
    assert_int_equal(reservation_create(cfg, proto, start, count, &token), WIN_NO_ERROR);
}

void port_lists(void **)
{
    PortSet ports;
    assert_true(parse_port_list("", ports));
    assert_true(ports.none());
    assert_true(parse_port_list("\n", ports));
    assert_true(parse_port_list(" 8080, 9000-9010 ,1\n", ports));
    assert_int_equal(ports.count(), 13);
    assert_string_equal(format_port_list(ports).c_str(), "1,8080,9000-9010");
    assert_true(parse_port_list("0,65535,65534", ports));
    assert_string_equal(format_port_list(ports).c_str(), "0,65534-65535");
    for (const char *bad : {"a", "1-", "-1", "5-3", "65536", "1,,2", "1 2", "1,", "99999999999"})
        assert_false(parse_port_list(bad, ports));
    assert_string_equal(format_port_list(port_block(10, 12) | port_block(14, 14)).c_str(), "10-12,14");
}

void merge_and_restore(void **)
{
    Fixture fx("1000,2000-2005");
    create_ok(fx.cfg, IPHLP_TCP, 2003, 8); /* 2003-2010 */
    assert_string_equal(kernel(fx).c_str(), "1000,2000-2010\n");
    assert_string_equal(restest::owned_ports(fx.cfg).c_str(), "2006-2010");
    assert_true(mirrored(fx.cfg, IPHLP_TCP, 2003));
    assert_int_equal(reservation_delete(fx.cfg, IPHLP_TCP, 2003, 8), WIN_NO_ERROR);
    assert_string_equal(kernel(fx).c_str(), "1000,2000-2005\n");
}

void others_ports_are_left_alone(void **)
{
    Fixture fx("1000");
    create_ok(fx.cfg, IPHLP_UDP, 3000, 5);
    assert_string_equal(kernel(fx).c_str(), "1000,3000-3004\n");
    /* Meanwhile someone else reserves 4000 and 2999, and takes 3001 out. */
    restest::write_file(fx.cfg.kernel_reserved_path, "1000,2999-3000,3002-3004,4000\n");
    assert_int_equal(reservation_delete(fx.cfg, IPHLP_UDP, 3000, 5), WIN_NO_ERROR);
    assert_string_equal(kernel(fx).c_str(), "1000,2999,4000\n");

    /* A block already listed entirely is mirrored without adding anything, and its delete
     * takes nothing away. */
    restest::write_file(fx.cfg.kernel_reserved_path, "5000-5010\n");
    create_ok(fx.cfg, IPHLP_TCP, 5002, 2);
    assert_true(mirrored(fx.cfg, IPHLP_TCP, 5002));
    assert_string_equal(restest::owned_ports(fx.cfg).c_str(), "");
    assert_int_equal(reservation_delete(fx.cfg, IPHLP_TCP, 5002, 2), WIN_NO_ERROR);
    assert_string_equal(kernel(fx).c_str(), "5000-5010\n");
}

/* The list serves TCP and UDP alike: a port goes only when no block of either needs it. */
void tcp_and_udp_share_the_list(void **)
{
    Fixture fx;
    for (bool tcp_first : {true, false})
    {
        create_ok(fx.cfg, IPHLP_TCP, 4000, 5); /* 4000-4004 */
        create_ok(fx.cfg, IPHLP_UDP, 4002, 5); /* 4002-4006 */
        assert_string_equal(kernel(fx).c_str(), "4000-4006\n");
        assert_true(mirrored(fx.cfg, IPHLP_TCP, 4000) && mirrored(fx.cfg, IPHLP_UDP, 4002));
        if (tcp_first)
        {
            assert_int_equal(reservation_delete(fx.cfg, IPHLP_TCP, 4000, 5), WIN_NO_ERROR);
            assert_string_equal(kernel(fx).c_str(), "4002-4006\n");
            assert_int_equal(reservation_delete(fx.cfg, IPHLP_UDP, 4002, 5), WIN_NO_ERROR);
        }
        else
        {
            assert_int_equal(reservation_delete(fx.cfg, IPHLP_UDP, 4002, 5), WIN_NO_ERROR);
            assert_string_equal(kernel(fx).c_str(), "4000-4004\n");
            assert_int_equal(reservation_delete(fx.cfg, IPHLP_TCP, 4000, 5), WIN_NO_ERROR);
        }
        assert_string_equal(kernel(fx).c_str(), "\n");
    }
}

void unwritable_list_still_reserves(void **)
{
    Fixture fx;
    StoreConfig cfg = fx.cfg;
    for (const std::string &path : {fx.dir + "/no-such-dir/reserved_ports", std::string()})
    {
        cfg.kernel_reserved_path = path;
        create_ok(cfg, IPHLP_TCP, 6000, 3);
        assert_false(mirrored(cfg, IPHLP_TCP, 6000));
        assert_int_equal(reservation_delete(cfg, IPHLP_TCP, 6000, 3), WIN_NO_ERROR);
    }
    /* A list we cannot parse is not ours to rewrite. */
    restest::write_file(fx.cfg.kernel_reserved_path, "garbage\n");
    restest::Snapshot before = restest::snapshot(fx.cfg.kernel_reserved_path);
    create_ok(fx.cfg, IPHLP_TCP, 6000, 3);
    assert_false(mirrored(fx.cfg, IPHLP_TCP, 6000));
    assert_true(restest::same(before, restest::snapshot(fx.cfg.kernel_reserved_path)));
}

/* The real list as an unprivileged user: EACCES, reservation made, list untouched. */
void real_list_as_nobody(void **)
{
    RESTEST_REQUIRE_ROOT("writes the real list as user nobody: root alone can change users");
    Fixture fx;
    StoreConfig cfg = fx.cfg;
    cfg.kernel_reserved_path = KERNEL_LIST_PATH;
    assert_int_equal(chown(fx.dir.c_str(), 65534, 65534), 0); /* nobody's own directory */
    std::string before = restest::read_file(KERNEL_LIST_PATH);
    int status = restest::run_in_child([&] {
        if (!restest::become_nobody()) return 10;
        uint64_t token = 0;
        if (reservation_create(cfg, IPHLP_TCP, 61100, 2, &token) != WIN_NO_ERROR) return 11;
        std::vector<Reservation> list;
        if (reservation_list(cfg, IPHLP_TCP, list) != WIN_NO_ERROR || list.size() != 1 || list[0].kernel_mirrored)
            return 12;
        return reservation_delete(cfg, IPHLP_TCP, 61100, 2) == WIN_NO_ERROR ? 0 : 13;
    });
    assert_int_equal(status, 0);
    assert_string_equal(restest::read_file(KERNEL_LIST_PATH).c_str(), before.c_str());
}

/* A reboot empties the kernel list: the first call of the new boot puts the blocks back, and
 * ports recorded in the old boot are no longer treated as ours. */
void reboot_mirrors_again(void **)
{
    Fixture fx("", restest::random_boot_id(1));
    create_ok(fx.cfg, IPHLP_TCP, 6000, 2);
    create_ok(fx.cfg, IPHLP_UDP, 7000, 2);
    assert_string_equal(kernel(fx).c_str(), "6000-6001,7000-7001\n");

    restest::write_file(fx.cfg.boot_id_path, restest::random_boot_id(2) + "\n");
    restest::write_file(fx.cfg.kernel_reserved_path, "7000\n"); /* someone else's, this boot */
    uint64_t token = 0;
    assert_int_equal(reservation_lookup(fx.cfg, IPHLP_TCP, 6000, 2, &token), WIN_NO_ERROR);
    assert_string_equal(kernel(fx).c_str(), "6000-6001,7000-7001\n");
    assert_true(mirrored(fx.cfg, IPHLP_TCP, 6000));
    assert_true(mirrored(fx.cfg, IPHLP_UDP, 7000));
    /* 7000 was listed by someone else: only 7001 is ours (with 6000-6001). */
    assert_string_equal(restest::owned_ports(fx.cfg).c_str(), "6000-6001,7001");
    assert_int_equal(reservation_delete(fx.cfg, IPHLP_UDP, 7000, 2), WIN_NO_ERROR);
    assert_int_equal(reservation_delete(fx.cfg, IPHLP_TCP, 6000, 2), WIN_NO_ERROR);
    assert_string_equal(kernel(fx).c_str(), "7000\n");
}

std::string proc_original;

int save_proc(void **)
{
    proc_original = restest::read_file(KERNEL_LIST_PATH);
    return 0;
}

/* Runs even when the test failed half-way. */
int restore_proc(void **)
{
    if (restest::private_list_available())
        restest::write_file(KERNEL_LIST_PATH, proc_original.empty() ? "\n" : proc_original);
    return 0;
}

void real_kernel_list(void **)
{
    if (!restest::private_list_available())
    {
        restest::note_root_skip("writes the real ip_local_reserved_ports of a private network namespace");
        skip();
    }
    Fixture fx;
    StoreConfig cfg = fx.cfg;
    cfg.kernel_reserved_path = KERNEL_LIST_PATH;
    PortSet original;
    assert_true(parse_port_list(proc_original, original));
    uint16_t start = 61000;
    while ((original & port_block(start, uint16_t(start + 3))).any()) start = uint16_t(start + 4);

    create_ok(cfg, IPHLP_TCP, start, 4);
    PortSet now;
    assert_true(parse_port_list(restest::read_file(KERNEL_LIST_PATH), now));
    assert_true(now == (original | port_block(start, uint16_t(start + 3))));
    assert_true(mirrored(cfg, IPHLP_TCP, start));
    assert_int_equal(reservation_delete(cfg, IPHLP_TCP, start, 4), WIN_NO_ERROR);
    assert_true(parse_port_list(restest::read_file(KERNEL_LIST_PATH), now));
    assert_true(now == original);
}

} // namespace

int main(void)
{
    restest::enter_private_netns();
    if (!restest::private_list_available())
        printf("  cannot enter a private network namespace: the tests of the real list will skip\n");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(port_lists),
        cmocka_unit_test(merge_and_restore),
        cmocka_unit_test(others_ports_are_left_alone),
        cmocka_unit_test(tcp_and_udp_share_the_list),
        cmocka_unit_test(unwritable_list_still_reserves),
        cmocka_unit_test(real_list_as_nobody),
        cmocka_unit_test(reboot_mirrors_again),
        cmocka_unit_test_setup_teardown(real_kernel_list, save_proc, restore_proc),
    };
    return restest::test_exit(cmocka_run_group_tests(tests, nullptr, nullptr));
}
