/*
 * The real sysctl, in a private network namespace (main() unshares one; the host's list is never
 * touched): lists far longer than the 4 KiB the sysctl handles per read or write, an
 * administrator's list mixed with ours, and thousands of separate entries.
 *
 * Before issue 8 a Create against an administrator's 1,500-port list (9,000 bytes) returned 0,
 * removed 819 of the administrator's ports and reserved a truncated number; past about 680
 * separate entries of our own, new blocks were silently not mirrored.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
extern "C" {
#include <cmocka.h>
}

#include <cstdio>
#include <random>
#include <unistd.h>

#include "kernel_reserved_ports.h"
#include "reservation_test_util.h"

using namespace iphlp;
using restest::Fixture;

namespace {

const char kProcPath[] = "/proc/sys/net/ipv4/ip_local_reserved_ports";
bool private_netns = false;

void require_private_list()
{
    if (!private_netns || access(kProcPath, W_OK) != 0)
    {
        printf("  no private, writable %s here (not root?): skipped\n", kProcPath);
        skip();
    }
}

/* 1,500 separate ports, every other one from 10001: 9,000 bytes of text, as in the report. */
PortSet admin_ports()
{
    PortSet admin;
    for (unsigned i = 0; i < 1500; i++)
        admin.set(10001 + 2 * i);
    return admin;
}

void set_list(const PortSet &ports)
{
    PortSet after;
    PortSet current;
    assert_true(kernel_read(kProcPath, current));
    assert_true(kernel_write(kProcPath, current, ports, after));
}

PortSet read_list()
{
    PortSet ports;
    std::string why;
    if (!kernel_read(kProcPath, ports, &why))
        fail_msg("cannot read the list: %s", why.c_str());
    return ports;
}

StoreConfig real_cfg(const Fixture &fx)
{
    StoreConfig cfg = fx.cfg;
    cfg.kernel_reserved_path = kProcPath;
    return cfg;
}

void union_of_rows(const StoreConfig &cfg, PortSet &rows)
{
    rows.reset();
    for (uint32_t proto : {IPHLP_TCP, IPHLP_UDP})
    {
        std::vector<Reservation> list;
        assert_int_equal(reservation_list(cfg, proto, list), WIN_NO_ERROR);
        for (const Reservation &r : list)
            rows |= port_block(r.start_port, uint16_t(r.start_port + r.num_ports - 1));
    }
}

/* The reader and writer alone: replace, add, remove and empty with long lists, exactly. */
void long_lists_round_trip(void **)
{
    require_private_list();
    /* The text of the longest possible list: every other port, ~190 KB. */
    PortSet odd;
    for (unsigned p = 1; p < 65536; p += 2)
        odd.set(p);
    PortSet admin = admin_ports();
    std::string admin_text = format_port_list(admin) + "\n";
    assert_true(admin_text.size() > 2 * kSysctlWriteMax);

    set_list(PortSet());
    set_list(admin);
    assert_string_equal(restest::read_file(kProcPath).c_str(), admin_text.c_str());
    assert_true(read_list() == admin);
    set_list(odd);
    assert_true(read_list() == odd);
    set_list(admin | port_block(40000, 40100)); /* a long replace */
    assert_true(read_list() == (admin | port_block(40000, 40100)));
    set_list(admin); /* a removal from a long list */
    assert_string_equal(restest::read_file(kProcPath).c_str(), admin_text.c_str());
    set_list(PortSet());
    assert_string_equal(restest::read_file(kProcPath).c_str(), "\n");

    /* Pieces are cut only at commas and each fits one write. */
    for (const std::string &piece : split_port_list(format_port_list(odd), kSysctlWriteMax))
    {
        assert_true(piece.size() <= kSysctlWriteMax);
        assert_true(piece.back() == '\n');
        PortSet part;
        assert_true(parse_port_list(piece, part));
    }
}

/* Done-when of issue 8: 1,000 random Create/Delete over an administrator's 1,500-port list,
 * in step after every call, and the list byte-for-byte as it was once ours are gone. */
void admin_list_survives_random_operations(void **)
{
    require_private_list();
    Fixture fx;
    StoreConfig cfg = real_cfg(fx);
    const PortSet admin = admin_ports();
    set_list(admin);
    const std::string original = restest::read_file(kProcPath);

    std::mt19937 rng(8);
    int creates = 0, deletes = 0, refused = 0;
    struct Block { uint32_t proto; uint16_t start, count; };
    std::vector<Block> live;
    for (int op = 0; op < 1000; op++)
    {
        uint64_t token = 0;
        if (live.empty() || rng() % 5 < 3)
        {
            /* Over the administrator's ports (10001-12999) and around them, many of one port. */
            Block b{rng() % 2 ? IPHLP_TCP : IPHLP_UDP, uint16_t(9000 + rng() % 6000),
                    uint16_t(rng() % 3 ? 1 : 1 + rng() % 40)};
            uint32_t code = reservation_create(cfg, b.proto, b.start, b.count, &token);
            if (code == WIN_NO_ERROR)
            {
                live.push_back(b);
                creates++;
            }
            else
            {
                assert_int_equal(code, WIN_ERROR_SHARING_VIOLATION);
                refused++;
            }
        }
        else
        {
            size_t i = rng() % live.size();
            assert_int_equal(reservation_delete(cfg, live[i].proto, live[i].start, live[i].count), WIN_NO_ERROR);
            live.erase(live.begin() + long(i));
            deletes++;
        }
        PortSet rows;
        union_of_rows(cfg, rows);
        assert_true(read_list() == (admin | rows));
        assert_true(restest::owned_ports(cfg) == format_port_list(rows & ~admin));
    }
    for (const Block &b : live)
        assert_int_equal(reservation_delete(cfg, b.proto, b.start, b.count), WIN_NO_ERROR);
    printf("  %d creates, %d deletes, %d overlapping creates refused, %zu deleted at the end\n", creates, deletes,
           refused, live.size());
    assert_string_equal(restest::read_file(kProcPath).c_str(), original.c_str());
}

/* Thousands of separate entries of our own (the old code stopped mirroring past ~680). */
void thousands_of_separate_blocks(void **)
{
    require_private_list();
    Fixture fx;
    StoreConfig cfg = real_cfg(fx);
    set_list(PortSet());
    const unsigned blocks = 3000;
    PortSet expected;
    for (unsigned i = 0; i < blocks; i++)
    {
        uint64_t token = 0;
        uint16_t port = uint16_t(20000 + 3 * i);
        assert_int_equal(reservation_create(cfg, i % 2 ? IPHLP_TCP : IPHLP_UDP, port, 1, &token), WIN_NO_ERROR);
        expected.set(port);
    }
    assert_true(format_port_list(expected).size() > 4 * kSysctlWriteMax);
    assert_true(read_list() == expected);
    for (uint32_t proto : {IPHLP_TCP, IPHLP_UDP})
    {
        std::vector<Reservation> list;
        assert_int_equal(reservation_list(cfg, proto, list), WIN_NO_ERROR);
        assert_int_equal(list.size(), blocks / 2);
        for (const Reservation &r : list)
            assert_true(r.kernel_mirrored);
    }
    /* Removing from the middle of a long list, then everything. */
    for (unsigned i = 0; i < blocks; i++)
        assert_int_equal(reservation_delete(cfg, i % 2 ? IPHLP_TCP : IPHLP_UDP, uint16_t(20000 + 3 * i), 1),
                         WIN_NO_ERROR);
    assert_string_equal(restest::read_file(kProcPath).c_str(), "\n");
}

} // namespace

int main(void)
{
    private_netns = restest::enter_private_netns();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(long_lists_round_trip),
        cmocka_unit_test(admin_list_survives_random_operations),
        cmocka_unit_test(thousands_of_separate_blocks),
    };
    return cmocka_run_group_tests(tests, nullptr, nullptr);
}
