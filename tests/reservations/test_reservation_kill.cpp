// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * A process killed at any point of a write leaves store and kernel list in step after the next
 * call: the list holds exactly the administrator's ports plus every block of the store, and the
 * store records as its own exactly the ports of its blocks the administrator had not listed.
 * Runs against the real sysctl in a private network namespace, with an administrator's list
 * long enough (9,000 bytes) that a removal is a replace in three pieces.
 *
 * What goes wrong without the journal: a Create killed between the kernel write and COMMIT
 * leaves ports listed with no row (never removed afterwards), and a Delete killed there leaves a
 * row whose ports are gone.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
extern "C" {
#include <cmocka.h>
}

#include <csignal>
#include <cstdio>
#include <ctime>
#include <new>
#include <random>
#include <sys/wait.h>
#include <unistd.h>

#include "kernel_reserved_ports.h"
#include "reservation_test_util.h"

using namespace iphlp;
using restest::Fixture;

namespace {

using restest::KERNEL_LIST_PATH;

PortSet rows_of(const StoreConfig &cfg)
{
    PortSet rows;
    for (uint32_t proto : {IPHLP_TCP, IPHLP_UDP})
    {
        std::vector<Reservation> list;
        assert_int_equal(reservation_list(cfg, proto, list), WIN_NO_ERROR);
        for (const Reservation &r : list) rows |= port_block(r.start_port, uint16_t(r.start_port + r.num_ports - 1));
    }
    return rows;
}

/* The next call (a Lookup, the cheapest), then the invariant. */
void assert_in_step_after_next_call(const StoreConfig &cfg, const PortSet &admin)
{
    uint64_t token = 0;
    uint32_t code = reservation_lookup(cfg, IPHLP_TCP, 1, 1, &token);
    assert_true(code == WIN_ERROR_NOT_FOUND || code == WIN_NO_ERROR);
    PortSet rows = rows_of(cfg), listed;
    assert_true(kernel_read(KERNEL_LIST_PATH, listed));
    if (listed != (admin | rows))
        fail_msg("list %s, expected admin plus %s", format_port_list(listed & ~admin).c_str(),
                 format_port_list(rows).c_str());
    assert_string_equal(restest::owned_ports(cfg).c_str(), format_port_list(rows & ~admin).c_str());
}

/* Runs op in a child that SIGKILLs itself on reaching step; true when it was killed there. */
bool killed_at(const StoreConfig &base, const std::string &step, const std::function<void(const StoreConfig &)> &op)
{
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid == 0)
    {
        StoreConfig cfg = base;
        cfg.step_hook = [&](const std::string &at) {
            if (at == step) raise(SIGKILL);
        };
        op(cfg);
        _exit(0);
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    return WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
}

const char *const STEPS[] = {"locked",  "begun",   "body",    "intent",  "committed",
                             "write-0", "write-1", "write-2", "written", "settled"};

void create(const StoreConfig &cfg, uint32_t proto, uint16_t start, uint16_t count)
{
    uint64_t token = 0;
    assert_int_equal(reservation_create(cfg, proto, start, count, &token), WIN_NO_ERROR);
}

/* Every step of Create and of Delete, one kill each, with a block that overlaps the
 * administrator's ports and one of the other protocol sharing ports with it. */
void kill_at_each_step(void **)
{
    RESTEST_REQUIRE_PRIVATE_LIST();
    const PortSet admin = restest::admin_ports();
    int kills = 0;
    for (const char *step : STEPS)
        for (bool kill_delete : {false, true})
        {
            Fixture fx;
            StoreConfig cfg = fx.cfg;
            cfg.kernel_reserved_path = KERNEL_LIST_PATH;
            assert_true(restest::set_kernel_list(admin));
            create(cfg, IPHLP_UDP, 12995, 20); /* 12995-13014: half the administrator's */
            auto op = [&](const StoreConfig &c) {
                uint64_t token;
                if (kill_delete)
                    reservation_delete(c, IPHLP_UDP, 12995, 20);
                else
                    reservation_create(c, IPHLP_TCP, 13005, 20, &token); /* shares 13005-13014 */
            };
            bool killed = killed_at(cfg, step, op);
            kills += killed;
            assert_in_step_after_next_call(cfg, admin);
            /* And it stays so: remove whatever is left, the list is the administrator's. */
            reservation_delete(cfg, IPHLP_TCP, 13005, 20);
            reservation_delete(cfg, IPHLP_UDP, 12995, 20);
            PortSet listed;
            assert_true(kernel_read(KERNEL_LIST_PATH, listed));
            assert_true(listed == admin);
            printf("  %s %s: %s\n", kill_delete ? "delete" : "create", step, killed ? "killed" : "not reached");
        }
    /* write-1 and write-2 exist only for the replace of Delete. */
    assert_true(kills >= 17);
}

/* A call killed while it finishes the update of a call killed before it: first the journal
 * beside the lock (reservation_lock.h) completes the cut list, then the store's own. */
void kill_during_recovery(void **)
{
    RESTEST_REQUIRE_PRIVATE_LIST();
    const PortSet admin = restest::admin_ports();
    for (const char *second : {"journal-write-0", "journal-write-1", "locked", "recovered", "body"})
    {
        Fixture fx;
        StoreConfig cfg = fx.cfg;
        cfg.kernel_reserved_path = KERNEL_LIST_PATH;
        assert_true(restest::set_kernel_list(admin));
        create(cfg, IPHLP_TCP, 30000, 10);
        assert_true(
            killed_at(cfg, "write-1", [](const StoreConfig &c) { reservation_delete(c, IPHLP_TCP, 30000, 10); }));
        /* The list now lacks some of the administrator's ports: the replace was cut. */
        PortSet listed;
        assert_true(kernel_read(KERNEL_LIST_PATH, listed));
        assert_true((admin & ~listed).any());
        assert_true(killed_at(cfg, second, [](const StoreConfig &c) {
            uint64_t token;
            reservation_create(c, IPHLP_UDP, 31000, 5, &token);
        }));
        assert_in_step_after_next_call(cfg, admin);
        reservation_delete(cfg, IPHLP_UDP, 31000, 5);
        assert_true(kernel_read(KERNEL_LIST_PATH, listed));
        assert_true(listed == admin);
    }
}

/* A replace cut by a kill, then the lock goes to a process of another prefix (another store):
 * it must find the list whole, not take the cut list for the real one (and then claim the
 * administrator's missing ports as its own additions). */
void another_store_after_a_cut_replace(void **)
{
    RESTEST_REQUIRE_PRIVATE_LIST();
    const PortSet admin = restest::admin_ports();
    Fixture fx;
    StoreConfig a = fx.cfg, b = fx.cfg;
    a.kernel_reserved_path = b.kernel_reserved_path = KERNEL_LIST_PATH;
    b.db_path = fx.dir + "/other-prefix.sqlite3";
    assert_true(restest::set_kernel_list(admin));
    create(a, IPHLP_TCP, 30000, 10);
    assert_true(killed_at(a, "write-1", [](const StoreConfig &c) { reservation_delete(c, IPHLP_TCP, 30000, 10); }));
    PortSet listed;
    assert_true(kernel_read(KERNEL_LIST_PATH, listed));
    assert_true((admin & ~listed).any()); /* cut */

    restest::StderrCapture capture;
    create(b, IPHLP_UDP, 10001, 10); /* over the administrator's 10001-10009 odd ports */
    assert_true(capture.text().find("finished an update a killed process had left half done") != std::string::npos);
    assert_true(kernel_read(KERNEL_LIST_PATH, listed));
    assert_true(listed == (admin | port_block(10001, 10010)));
    assert_string_equal(restest::owned_ports(b).c_str(), "10002,10004,10006,10008,10010");
    assert_int_equal(reservation_delete(b, IPHLP_UDP, 10001, 10), WIN_NO_ERROR);
    assert_true(kernel_read(KERNEL_LIST_PATH, listed));
    assert_true(listed == admin);
    /* And store a, at its next call, is in step too. */
    assert_in_step_after_next_call(a, admin);
}

/* 200 rounds of kill -9 at a random moment of a process doing random writes. */
void random_kills(void **)
{
    RESTEST_REQUIRE_PRIVATE_LIST();
    const PortSet admin = restest::admin_ports();
    Fixture fx;
    StoreConfig cfg = fx.cfg;
    cfg.kernel_reserved_path = KERNEL_LIST_PATH;
    assert_true(restest::set_kernel_list(admin));
    std::mt19937 rng(80);
    int rounds = 0;
    for (; rounds < 200; rounds++)
    {
        unsigned seed = unsigned(rng());
        fflush(stdout);
        fflush(stderr);
        pid_t pid = fork();
        if (pid == 0)
        {
            std::mt19937 r(seed);
            /* Random operations until killed, as test_reservation_crash.cpp's children do; here
             * on the real kernel list, with an administrator's ports to keep. */
            for (;;)
            {
                uint32_t proto = r() % 2 ? IPHLP_TCP : IPHLP_UDP;
                uint16_t start = uint16_t(12950 + r() % 100), count = uint16_t(1 + r() % 8);
                uint64_t token;
                if (r() % 2)
                    reservation_create(cfg, proto, start, count, &token);
                else
                    reservation_delete(cfg, proto, start, count);
            }
        }
        assert_true(pid > 0);
        usleep(useconds_t(rng() % 30000));
        kill(pid, SIGKILL);
        int status = 0;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFSIGNALED(status));
        assert_in_step_after_next_call(cfg, admin);
    }
    PortSet rows = rows_of(cfg);
    printf("  %d kills; %zu ports reserved at the end\n", rounds, rows.count());
    for (uint32_t proto : {IPHLP_TCP, IPHLP_UDP})
    {
        std::vector<Reservation> list;
        assert_int_equal(reservation_list(cfg, proto, list), WIN_NO_ERROR);
        for (const Reservation &r : list)
            assert_int_equal(reservation_delete(cfg, proto, r.start_port, r.num_ports), WIN_NO_ERROR);
    }
    PortSet listed;
    assert_true(kernel_read(KERNEL_LIST_PATH, listed));
    assert_true(listed == admin);
}

double now_s()
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return double(ts.tv_sec) + double(ts.tv_nsec) / 1e9;
}

/* An exception inside the transaction (here std::bad_alloc from the step hook, as an
 * allocation of a std::string or PortSet copy would throw) rolls it back, so another process's
 * next write goes through at once instead of waiting out the 5 s busy timeout and failing. */
void exception_inside_transaction(void **)
{
    Fixture fx; /* the stand-in list file: no namespace needed */
    for (const char *where : {"begun", "body", "intent"})
    {
        StoreConfig cfg = fx.cfg;
        cfg.step_hook = [&](const std::string &at) {
            if (at == where) throw std::bad_alloc();
        };
        uint64_t token = 0;
        restest::StderrCapture capture;
        assert_int_equal(reservation_create(cfg, IPHLP_TCP, 40000, 1, &token), WIN_ERROR_NOT_ENOUGH_MEMORY);
        assert_true(capture.text().find("out of memory") != std::string::npos);
        double start = now_s();
        int status = restest::run_in_child([&] {
            uint64_t t = 0;
            if (reservation_create(fx.cfg, IPHLP_TCP, 40001, 1, &t) != WIN_NO_ERROR) return 1;
            return reservation_delete(fx.cfg, IPHLP_TCP, 40001, 1) == WIN_NO_ERROR ? 0 : 2;
        });
        double took = now_s() - start;
        printf("  exception at %s: the other process's write took %.3f s\n", where, took);
        assert_int_equal(status, 0);
        assert_true(took < 1.0);
        /* And this process's own connection works too; the block was not created. */
        assert_int_equal(reservation_lookup(fx.cfg, IPHLP_TCP, 40000, 1, &token), WIN_ERROR_NOT_FOUND);
    }
}

} // namespace

int main(void)
{
    restest::enter_private_netns();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(kill_at_each_step),
        cmocka_unit_test(kill_during_recovery),
        cmocka_unit_test(another_store_after_a_cut_replace),
        cmocka_unit_test(random_kills),
        cmocka_unit_test(exception_inside_transaction),
    };
    return restest::test_exit(cmocka_run_group_tests(tests, nullptr, nullptr));
}
