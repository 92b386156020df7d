// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Tokens follow the host's boot id: the same in every process during one boot, different after
 * a "reboot" (the fake boot id file changes), unique and non-zero throughout.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
extern "C" {
#include <cmocka.h>
}

#include <algorithm>
#include <set>
#include <unistd.h>

#include "boot_token.h"
#include "reservation_test_util.h"

using namespace iphlp;
using restest::Fixture;

namespace {

/* Runs fn in a child process and returns the token it produced (0 if it failed). */
uint64_t token_from_child(const std::function<uint64_t()> &fn)
{
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    int status = restest::run_in_child([&] {
        uint64_t token = fn();
        return write(fds[1], &token, sizeof(token)) == sizeof(token) ? 0 : 1;
    });
    close(fds[1]);
    assert_int_equal(status, 0);
    uint64_t token = 0;
    assert_int_equal(read(fds[0], &token, sizeof(token)), sizeof(token));
    close(fds[0]);
    return token;
}

uint64_t lookup(const StoreConfig &cfg, uint32_t proto, uint16_t start, uint16_t count)
{
    uint64_t token = 0;
    return reservation_lookup(cfg, proto, start, count, &token) == WIN_NO_ERROR ? token : 0;
}

void token_function_is_a_nonzero_bijection(void **)
{
    const BootKey a = boot_key(restest::random_boot_id(1)), b = boot_key(restest::random_boot_id(2));
    std::vector<uint64_t> tokens;
    for (int64_t serial = 1; serial <= 200000; serial++)
    {
        uint64_t t = token_for_serial(a, serial);
        assert_true(t & (1ull << 63));
        assert_int_not_equal(token_for_serial(b, serial), t);
        tokens.push_back(t);
    }
    std::sort(tokens.begin(), tokens.end());
    assert_true(std::adjacent_find(tokens.begin(), tokens.end()) == tokens.end());
    /* A pure function of (boot id, serial). */
    assert_int_equal(token_for_serial(boot_key(restest::random_boot_id(1)), 77), token_for_serial(a, 77));
}

void boot_id_is_read_trimmed(void **)
{
    Fixture fx("", "c735f722-726f-409e-98ac-b05ee5834ac7");
    assert_string_equal(read_boot_id(fx.cfg.boot_id_path).c_str(), "c735f722-726f-409e-98ac-b05ee5834ac7");
    assert_string_equal(read_boot_id(fx.dir + "/missing").c_str(), "");
    /* The real one, as the default configuration reads it. */
    assert_int_equal(read_boot_id(default_store_config().boot_id_path).size(), 36);
}

void same_boot_same_token_in_every_process(void **)
{
    Fixture fx;
    uint64_t created = token_from_child([&] {
        uint64_t token = 0;
        return reservation_create(fx.cfg, IPHLP_TCP, 700, 4, &token) == WIN_NO_ERROR ? token : 0;
    });
    assert_int_not_equal(created, 0);
    assert_int_equal(token_from_child([&] { return lookup(fx.cfg, IPHLP_TCP, 700, 4); }), created);
    assert_int_equal(lookup(fx.cfg, IPHLP_TCP, 700, 4), created);
    assert_int_equal(lookup(fx.cfg, IPHLP_TCP, 700, 4), created);
    assert_int_equal(token_from_child([&] { return lookup(fx.cfg, IPHLP_TCP, 700, 4); }), created);
}

void new_boot_new_tokens(void **)
{
    Fixture fx("", restest::random_boot_id(10));
    const uint16_t starts[] = {100, 200, 300};
    std::vector<uint64_t> first_boot;
    for (uint16_t s : starts)
    {
        uint64_t token = 0;
        assert_int_equal(reservation_create(fx.cfg, IPHLP_UDP, s, 10, &token), WIN_NO_ERROR);
        first_boot.push_back(token);
    }

    restest::write_file(fx.cfg.boot_id_path, restest::random_boot_id(11) + "\n"); /* "reboot" */
    std::set<uint64_t> second_boot;
    for (size_t i = 0; i < 3; i++)
    {
        uint64_t token = lookup(fx.cfg, IPHLP_UDP, starts[i], 10);
        assert_int_not_equal(token, 0);
        assert_int_not_equal(token, first_boot[i]);
        assert_int_equal(lookup(fx.cfg, IPHLP_UDP, starts[i], 10), token); /* stable again */
        assert_int_equal(token_from_child([&] { return lookup(fx.cfg, IPHLP_UDP, starts[i], 10); }), token);
        assert_true(second_boot.insert(token).second);
    }
    uint64_t added = 0;
    assert_int_equal(reservation_create(fx.cfg, IPHLP_UDP, 400, 1, &added), WIN_NO_ERROR);
    assert_true(second_boot.insert(added).second); /* still unique */
    std::vector<Reservation> list;
    assert_int_equal(reservation_list(fx.cfg, IPHLP_UDP, list), WIN_NO_ERROR);
    assert_int_equal(list.size(), 4);
    for (const Reservation &r : list) assert_true(second_boot.count(r.token));

    /* The token is a function of the boot id: the first boot's id gives its tokens back. */
    restest::write_file(fx.cfg.boot_id_path, restest::random_boot_id(10) + "\n");
    for (size_t i = 0; i < 3; i++) assert_int_equal(lookup(fx.cfg, IPHLP_UDP, starts[i], 10), first_boot[i]);
}

/* Without a readable boot id, tokens just stop changing across reboots. */
void unreadable_boot_id_still_gives_tokens(void **)
{
    Fixture fx;
    StoreConfig cfg = fx.cfg;
    cfg.boot_id_path = fx.dir + "/missing";
    uint64_t token = 0;
    assert_int_equal(reservation_create(cfg, IPHLP_TCP, 900, 1, &token), WIN_NO_ERROR);
    assert_int_not_equal(token, 0);
    assert_int_equal(lookup(cfg, IPHLP_TCP, 900, 1), token);
}

} // namespace

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(token_function_is_a_nonzero_bijection), cmocka_unit_test(boot_id_is_read_trimmed),
        cmocka_unit_test(same_boot_same_token_in_every_process), cmocka_unit_test(new_boot_new_tokens),
        cmocka_unit_test(unreadable_boot_id_still_gives_tokens),
    };
    return cmocka_run_group_tests(tests, nullptr, nullptr);
}
