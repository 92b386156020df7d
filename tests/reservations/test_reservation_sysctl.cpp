// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The real sysctl, in a private network namespace (main() unshares one; the host's list is never
 * touched): lists far longer than the 4 KiB the sysctl handles per read or write, an
 * administrator's list mixed with ours, and thousands of separate entries.
 *
 * What a naive reader and writer of the list get wrong (measured): a Create against an
 * administrator's 1,500-port list (9,000 bytes) returned 0, removed 819 of the administrator's
 * ports and reserved a truncated number; past about 680 separate entries of our own, new blocks
 * were silently not mirrored.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
extern "C" {
#include <cmocka.h>
}

#include <arpa/inet.h>
#include <cstdio>
#include <cstring>
#include <net/if.h>
#include <netinet/in.h>
#include <random>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "kernel_reserved_ports.h"
#include "reservation_test_util.h"

using namespace iphlp;
using restest::Fixture;

namespace {

using restest::KERNEL_LIST_PATH;

PortSet read_list()
{
    PortSet ports;
    std::string why;
    if (!kernel_read(KERNEL_LIST_PATH, ports, &why)) fail_msg("cannot read the list: %s", why.c_str());
    return ports;
}

StoreConfig real_cfg(const Fixture &fx)
{
    StoreConfig cfg = fx.cfg;
    cfg.kernel_reserved_path = KERNEL_LIST_PATH;
    return cfg;
}

void union_of_rows(const StoreConfig &cfg, PortSet &rows)
{
    rows.reset();
    for (uint32_t proto : {IPHLP_TCP, IPHLP_UDP})
    {
        std::vector<Reservation> list;
        assert_int_equal(reservation_list(cfg, proto, list), WIN_NO_ERROR);
        for (const Reservation &r : list) rows |= port_block(r.start_port, uint16_t(r.start_port + r.num_ports - 1));
    }
}

/* The reader and writer alone: replace, add, remove and empty with long lists, exactly. */
void long_lists_round_trip(void **)
{
    RESTEST_REQUIRE_PRIVATE_LIST();
    /* The text of the longest possible list: every other port, ~190 KB. */
    PortSet odd;
    for (unsigned p = 1; p < 65536; p += 2) odd.set(p);
    PortSet admin = restest::admin_ports();
    std::string admin_text = format_port_list(admin) + "\n";
    assert_true(admin_text.size() > 2 * SYSCTL_WRITE_MAX);

    assert_true(restest::set_kernel_list(PortSet()));
    assert_true(restest::set_kernel_list(admin));
    assert_string_equal(restest::read_file(KERNEL_LIST_PATH).c_str(), admin_text.c_str());
    assert_true(read_list() == admin);
    assert_true(restest::set_kernel_list(odd));
    assert_true(read_list() == odd);
    assert_true(restest::set_kernel_list(admin | port_block(40000, 40100))); /* a long replace */
    assert_true(read_list() == (admin | port_block(40000, 40100)));
    assert_true(restest::set_kernel_list(admin)); /* a removal from a long list */
    assert_string_equal(restest::read_file(KERNEL_LIST_PATH).c_str(), admin_text.c_str());
    assert_true(restest::set_kernel_list(PortSet()));
    assert_string_equal(restest::read_file(KERNEL_LIST_PATH).c_str(), "\n");

    /* Pieces are cut only at commas and each fits one write. */
    for (const std::string &piece : split_port_list(format_port_list(odd), SYSCTL_WRITE_MAX))
    {
        assert_true(piece.size() <= SYSCTL_WRITE_MAX);
        assert_true(piece.back() == '\n');
        PortSet part;
        assert_true(parse_port_list(piece, part));
    }
}

/* 1,000 random Create/Delete over an administrator's 1,500-port list,
 * in step after every call, and the list byte-for-byte as it was once ours are gone. */
void admin_list_survives_random_operations(void **)
{
    RESTEST_REQUIRE_PRIVATE_LIST();
    Fixture fx;
    StoreConfig cfg = real_cfg(fx);
    const PortSet admin = restest::admin_ports();
    assert_true(restest::set_kernel_list(admin));
    const std::string original = restest::read_file(KERNEL_LIST_PATH);

    std::mt19937 rng(8);
    int creates = 0, deletes = 0, refused = 0;
    struct Block
    {
        uint32_t proto;
        uint16_t start, count;
    };
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
    for (const Block &b : live) assert_int_equal(reservation_delete(cfg, b.proto, b.start, b.count), WIN_NO_ERROR);
    printf("  %d creates, %d deletes, %d overlapping creates refused, %zu deleted at the end\n", creates, deletes,
           refused, live.size());
    assert_string_equal(restest::read_file(KERNEL_LIST_PATH).c_str(), original.c_str());
}

/* Thousands of separate entries of our own (a list cut at 4 KiB stops mirroring past ~680). */
void thousands_of_separate_blocks(void **)
{
    RESTEST_REQUIRE_PRIVATE_LIST();
    Fixture fx;
    StoreConfig cfg = real_cfg(fx);
    assert_true(restest::set_kernel_list(PortSet()));
    const unsigned blocks = 3000;
    PortSet expected;
    for (unsigned i = 0; i < blocks; i++)
    {
        uint64_t token = 0;
        uint16_t port = uint16_t(20000 + 3 * i);
        assert_int_equal(reservation_create(cfg, i % 2 ? IPHLP_TCP : IPHLP_UDP, port, 1, &token), WIN_NO_ERROR);
        expected.set(port);
    }
    assert_true(format_port_list(expected).size() > 4 * SYSCTL_WRITE_MAX);
    assert_true(read_list() == expected);
    for (uint32_t proto : {IPHLP_TCP, IPHLP_UDP})
    {
        std::vector<Reservation> list;
        assert_int_equal(reservation_list(cfg, proto, list), WIN_NO_ERROR);
        assert_int_equal(list.size(), blocks / 2);
        for (const Reservation &r : list) assert_true(r.kernel_mirrored);
    }
    /* Removing from the middle of a long list, then everything. */
    for (unsigned i = 0; i < blocks; i++)
        assert_int_equal(reservation_delete(cfg, i % 2 ? IPHLP_TCP : IPHLP_UDP, uint16_t(20000 + 3 * i), 1),
                         WIN_NO_ERROR);
    assert_string_equal(restest::read_file(KERNEL_LIST_PATH).c_str(), "\n");
}

/* Brings up lo in this (new, empty) namespace, for connections to 127.0.0.1. */
void loopback_up()
{
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    assert_true(s >= 0);
    struct ifreq ifr;
    memset(&ifr, 0, sizeof(ifr));
    strcpy(ifr.ifr_name, "lo");
    assert_int_equal(ioctl(s, SIOCGIFFLAGS, &ifr), 0);
    ifr.ifr_flags = short(ifr.ifr_flags | IFF_UP);
    assert_int_equal(ioctl(s, SIOCSIFFLAGS, &ifr), 0);
    close(s);
}

/* A TCP listener on 127.0.0.1:port; addr is its address. */
int loopback_listener(uint16_t port, struct sockaddr_in &addr)
{
    int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    memset(&addr, 0, sizeof(addr));
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(port);
    assert_int_equal(bind(listener, reinterpret_cast<sockaddr *>(&addr), sizeof(addr)), 0);
    assert_int_equal(listen(listener, 64), 0);
    return listener;
}

/* Without the cap, a UDP reservation of the whole ephemeral range (32768-60999) by an ordinary
 * Wine program made 20 of 20 TCP connect()s of Linux programs fail with EADDRNOTAVAIL. Blocks
 * are admitted in creation order while they cover at most a quarter of the range. */
void ephemeral_range_stays_available(void **)
{
    RESTEST_REQUIRE_PRIVATE_LIST();
    Fixture fx;
    StoreConfig cfg = real_cfg(fx);
    cfg.port_range_path = "/proc/sys/net/ipv4/ip_local_port_range";
    assert_string_equal(restest::read_file(cfg.port_range_path).c_str(), "32768\t60999\n");
    assert_true(restest::set_kernel_list(PortSet()));
    uint64_t token = 0;
    assert_int_equal(reservation_create(cfg, IPHLP_TCP, 40000, 1000, &token), WIN_NO_ERROR); /* 1,000: admitted */
    restest::StderrCapture capture;
    assert_int_equal(reservation_create(cfg, IPHLP_UDP, 32768, 60999 - 32768 + 1, &token), WIN_NO_ERROR);
    assert_true(capture.text().find("at most a quarter of ip_local_port_range") != std::string::npos);
    assert_int_equal(reservation_create(cfg, IPHLP_UDP, 50000, 6000, &token), WIN_ERROR_SHARING_VIOLATION);
    assert_int_equal(reservation_create(cfg, IPHLP_TCP, 50000, 6058, &token), WIN_NO_ERROR); /* 7,058: exactly full */
    assert_int_equal(reservation_create(cfg, IPHLP_TCP, 61000, 10, &token), WIN_NO_ERROR);   /* outside: admitted */
    assert_true(read_list() == (port_block(40000, 40999) | port_block(50000, 56057) | port_block(61000, 61009)));
    std::vector<Reservation> udp;
    assert_int_equal(reservation_list(cfg, IPHLP_UDP, udp), WIN_NO_ERROR);
    assert_int_equal(udp.size(), 1);
    assert_false(udp[0].kernel_mirrored);
    assert_int_equal(reservation_lookup(cfg, IPHLP_UDP, 32768, 60999 - 32768 + 1, &token), WIN_NO_ERROR);

    /* Linux programs still get ephemeral ports: 20 connections to a listener. */
    loopback_up();
    struct sockaddr_in addr;
    int listener = loopback_listener(20001, addr);
    int connected = 0;
    std::vector<int> clients;
    for (int i = 0; i < 20; i++)
    {
        int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        connected += connect(c, reinterpret_cast<sockaddr *>(&addr), sizeof(addr)) == 0;
        clients.push_back(c);
    }
    for (int c : clients) close(c);
    close(listener);
    printf("  %d of 20 connect()s succeeded with the whole range reserved for UDP\n", connected);
    assert_int_equal(connected, 20);

    /* Deleting the big block admits nothing new, and takes nothing out it did not add. */
    assert_int_equal(reservation_delete(cfg, IPHLP_UDP, 32768, 60999 - 32768 + 1), WIN_NO_ERROR);
    assert_true(read_list() == (port_block(40000, 40999) | port_block(50000, 56057) | port_block(61000, 61009)));
    for (auto [start, count] : {std::pair<uint16_t, uint16_t>{40000, 1000}, {50000, 6058}, {61000, 10}})
        assert_int_equal(reservation_delete(cfg, IPHLP_TCP, start, count), WIN_NO_ERROR);
    assert_string_equal(restest::read_file(KERNEL_LIST_PATH).c_str(), "\n");
}

/* Binds n sockets to port 0 and connects n sockets to a loopback listener; how many worked. */
int ephemeral_ports_work(int n)
{
    struct sockaddr_in addr;
    int listener = loopback_listener(20002, addr);
    int worked = 0;
    std::vector<int> fds;
    for (int i = 0; i < n; i++)
    {
        int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        worked += connect(c, reinterpret_cast<sockaddr *>(&addr), sizeof(addr)) == 0;
        fds.push_back(c);
        int b = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        struct sockaddr_in any;
        memset(&any, 0, sizeof(any));
        any.sin_family = AF_INET;
        worked += bind(b, reinterpret_cast<sockaddr *>(&any), sizeof(any)) == 0;
        fds.push_back(b);
    }
    for (int fd : fds) close(fd);
    close(listener);
    return worked;
}

/* The list belongs to the namespace, so the cap counts all of it: four prefixes (four stores)
 * each reserving a quarter of the range put the whole range into the list before, and every
 * Linux connect() and bind(0) failed. Now the first quarter is admitted, the stores after it
 * keep their reservations out of the list and say why, and the administrator's ports count
 * too. */
void the_cap_counts_every_store_and_the_administrator(void **)
{
    RESTEST_REQUIRE_PRIVATE_LIST();
    loopback_up();
    const std::string range_path = "/proc/sys/net/ipv4/ip_local_port_range";
    assert_string_equal(restest::read_file(range_path).c_str(), "32768\t60999\n");
    const unsigned quarter = (60999 - 32768 + 1) / 4; /* 7,058 */
    assert_true(restest::set_kernel_list(PortSet()));
    Fixture prefixes[4];
    PortSet range = port_block(32768, 60999);
    int refused_said_why = 0;
    for (unsigned i = 0; i < 4; i++)
    {
        StoreConfig cfg = real_cfg(prefixes[i]);
        cfg.port_range_path = range_path;
        uint64_t token = 0;
        restest::StderrCapture capture;
        assert_int_equal(reservation_create(cfg, IPHLP_UDP, uint16_t(32768 + i * quarter), uint16_t(quarter), &token),
                         WIN_NO_ERROR);
        const std::string said = capture.text();
        if (i > 0 && said.find("from every store and the administrator together") != std::string::npos &&
            said.find(std::to_string(quarter) + " of it are reserved already") != std::string::npos)
            refused_said_why++;
        if (i > 0) printf("  prefix %u: %s", i + 1, said.c_str());
        std::vector<Reservation> list;
        assert_int_equal(reservation_list(cfg, IPHLP_UDP, list), WIN_NO_ERROR);
        assert_int_equal(list.size(), 1);
        assert_int_equal(list[0].kernel_mirrored, i == 0);
    }
    printf("  %zu of %u ports of the range listed\n", (read_list() & range).count(), unsigned(range.count()));
    assert_true((read_list() & range) == port_block(32768, uint16_t(32768 + quarter - 1)));
    assert_int_equal(refused_said_why, 3);
    assert_int_equal(ephemeral_ports_work(20), 40);

    /* A write of the first store keeps its quarter: the others' blocks are not in the list. */
    StoreConfig first = real_cfg(prefixes[0]);
    first.port_range_path = range_path;
    uint64_t token = 0;
    assert_int_equal(reservation_create(first, IPHLP_TCP, 61000, 1, &token), WIN_NO_ERROR);
    assert_true((read_list() & range) == port_block(32768, uint16_t(32768 + quarter - 1)));
    for (unsigned i = 0; i < 4; i++)
    {
        StoreConfig cfg = real_cfg(prefixes[i]);
        cfg.port_range_path = range_path;
        assert_int_equal(reservation_delete(cfg, IPHLP_UDP, uint16_t(32768 + i * quarter), uint16_t(quarter)),
                         WIN_NO_ERROR);
    }
    assert_int_equal(reservation_delete(first, IPHLP_TCP, 61000, 1), WIN_NO_ERROR);
    assert_string_equal(restest::read_file(KERNEL_LIST_PATH).c_str(), "\n");

    /* The administrator's 6,294 ports in the range leave 764 for every store together. */
    const PortSet admin = port_block(40000, 46293);
    assert_true(restest::set_kernel_list(admin));
    StoreConfig cfg = real_cfg(prefixes[1]);
    cfg.port_range_path = range_path;
    assert_int_equal(reservation_create(cfg, IPHLP_TCP, 50000, 765, &token), WIN_NO_ERROR);
    assert_true(read_list() == admin);
    assert_int_equal(reservation_delete(cfg, IPHLP_TCP, 50000, 765), WIN_NO_ERROR);
    assert_int_equal(reservation_create(cfg, IPHLP_TCP, 50000, 764, &token), WIN_NO_ERROR);
    assert_true(read_list() == (admin | port_block(50000, 50763)));
    assert_int_equal(reservation_delete(cfg, IPHLP_TCP, 50000, 764), WIN_NO_ERROR);
    assert_true(read_list() == admin);
    assert_true(restest::set_kernel_list(PortSet()));
}

/* One store used from two network namespaces. Each namespace's list gets the
 * blocks, and each takes out only what was added there: namespace B's administrator's port
 * survives a Delete made from B, and A's list loses our ports at A's next write. */
void two_namespaces_share_a_store(void **)
{
    RESTEST_REQUIRE_PRIVATE_LIST();
    Fixture fx;
    StoreConfig cfg = real_cfg(fx);
    assert_true(restest::set_kernel_list(PortSet()));
    uint64_t token = 0;
    assert_int_equal(reservation_create(cfg, IPHLP_TCP, 50000, 5, &token), WIN_NO_ERROR);
    assert_true(read_list() == port_block(50000, 50004));
    assert_string_equal(restest::owned_ports(cfg).c_str(), "50000-50004");

    int status = restest::run_in_child([&] {
        if (!restest::enter_private_netns()) return 10;
        PortSet admin, current, after, listed;
        admin.set(50002);
        if (!kernel_read(KERNEL_LIST_PATH, current) || !kernel_write(KERNEL_LIST_PATH, current, admin, after))
            return 11;
        uint64_t t = 0;
        if (reservation_lookup(cfg, IPHLP_TCP, 50000, 5, &t) != WIN_NO_ERROR || t != token) return 12;
        /* The first call in this namespace mirrored the block here too, claiming only 4 ports. */
        if (!kernel_read(KERNEL_LIST_PATH, listed) || listed != port_block(50000, 50004)) return 13;
        if (restest::owned_ports(cfg) != "50000-50001,50003-50004") return 14;
        if (reservation_delete(cfg, IPHLP_TCP, 50000, 5) != WIN_NO_ERROR) return 15;
        if (!kernel_read(KERNEL_LIST_PATH, listed) || listed != admin) return 16; /* the administrator's 50002 stays */
        return 0;
    });
    assert_int_equal(status, 0);
    /* A still lists them until its next write, which takes them out (and only them). */
    assert_true(read_list() == port_block(50000, 50004));
    assert_int_equal(reservation_create(cfg, IPHLP_UDP, 51000, 1, &token), WIN_NO_ERROR);
    assert_true(read_list() == port_block(51000, 51000));
    assert_int_equal(reservation_delete(cfg, IPHLP_UDP, 51000, 1), WIN_NO_ERROR);
    assert_string_equal(restest::read_file(KERNEL_LIST_PATH).c_str(), "\n");
}

} // namespace

int main(void)
{
    restest::enter_private_netns();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(long_lists_round_trip),
        cmocka_unit_test(admin_list_survives_random_operations),
        cmocka_unit_test(thousands_of_separate_blocks),
        cmocka_unit_test(ephemeral_range_stays_available),
        cmocka_unit_test(two_namespaces_share_a_store),
        cmocka_unit_test(the_cap_counts_every_store_and_the_administrator),
    };
    return restest::test_exit(cmocka_run_group_tests(tests, nullptr, nullptr));
}
