// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Runtime blocks (runtime_blocks.h) and the reserved-port view (port_view.h): acquire, release,
 * overlap and the system's choice; a block whose owner was killed (and not yet reaped: a zombie)
 * is reclaimed by the next reader; the mapped view follows every change without a new mapping.
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
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "port_view.h"
#include "reservation_test_util.h"
#include "runtime_blocks.h"

using namespace iphlp;
using restest::Fixture;

namespace {

bool listed(const StoreConfig &cfg, uint64_t token)
{
    std::vector<PortBlock> blocks;
    assert_int_equal(runtime_list(cfg, blocks), WIN_NO_ERROR);
    for (const PortBlock &b : blocks)
        if (b.token == token) return true;
    return false;
}

bool bit(const volatile uint8_t *view, uint32_t proto, uint32_t port)
{
    const uint32_t n = proto * 65536u + port;
    return view[n / 8] & (1u << (n % 8));
}

void test_acquire_release(void **)
{
    Fixture f;
    uint64_t token = 0;
    uint16_t start = 0;
    assert_int_equal(runtime_acquire(f.cfg, IPHLP_TCP, 40000, 4, &token, &start), WIN_NO_ERROR);
    assert_int_equal(start, 40000);
    assert_true(token >> 63);
    assert_true(listed(f.cfg, token));
    assert_true(restest::read_file(f.cfg.kernel_reserved_path).find("40000-40003") != std::string::npos);
    /* Overlapping the block, same protocol: refused; the other protocol: allowed. */
    uint64_t other = 0;
    assert_int_equal(runtime_acquire(f.cfg, IPHLP_TCP, 40003, 2, &other, &start), WIN_ERROR_SHARING_VIOLATION);
    assert_int_equal(runtime_acquire(f.cfg, IPHLP_UDP, 40003, 2, &other, &start), WIN_NO_ERROR);
    assert_int_equal(runtime_release(f.cfg, token), WIN_NO_ERROR);
    assert_false(listed(f.cfg, token));
    assert_int_equal(runtime_release(f.cfg, token), WIN_ERROR_NOT_FOUND);
    assert_int_equal(runtime_release(f.cfg, other), WIN_NO_ERROR);
    assert_true(restest::read_file(f.cfg.kernel_reserved_path).find("40000") == std::string::npos);
    assert_int_equal(runtime_acquire(f.cfg, IPHLP_TCP, 1, 0, &token, &start), WIN_ERROR_INVALID_PARAMETER);
    assert_int_equal(runtime_acquire(f.cfg, IPHLP_TCP, 65535, 2, &token, &start), WIN_ERROR_INVALID_PARAMETER);
}

/* An administrator's excluded port inside an asked-for block: refused, so that no release can
 * take the administrator's port out of the kernel list. */
void test_someone_elses_exclusion(void **)
{
    Fixture f("42100");
    uint64_t token = 0;
    uint16_t start = 0;
    assert_int_equal(runtime_acquire(f.cfg, IPHLP_TCP, 42098, 4, &token, &start), WIN_ERROR_SHARING_VIOLATION);
    assert_int_equal(runtime_acquire(f.cfg, IPHLP_TCP, 42101, 4, &token, &start), WIN_NO_ERROR);
    assert_int_equal(runtime_release(f.cfg, token), WIN_NO_ERROR);
    assert_string_equal(restest::read_file(f.cfg.kernel_reserved_path).c_str(), "42100\n");
}

void test_system_choice(void **)
{
    /* 49152 is someone else's exclusion, and a persistent block covers 49153-49154. */
    Fixture f("49152");
    uint64_t token = 0, persistent = 0;
    uint16_t start = 0;
    assert_int_equal(reservation_create(f.cfg, IPHLP_TCP, 49153, 2, &persistent), WIN_NO_ERROR);
    assert_int_equal(runtime_acquire(f.cfg, IPHLP_TCP, 0, 3, &token, &start), WIN_NO_ERROR);
    assert_int_equal(start, 49155);
    /* A runtime block inside a persistent one is refused. */
    uint64_t inside = 0;
    assert_int_equal(runtime_acquire(f.cfg, IPHLP_TCP, 49154, 1, &inside, &start), WIN_ERROR_SHARING_VIOLATION);
}

void test_killed_owner(void **)
{
    Fixture f;
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0)
    {
        uint64_t token = 0;
        uint16_t start = 0;
        if (runtime_acquire(f.cfg, IPHLP_TCP, 41000, 2, &token, &start)) _exit(1);
        if (write(fds[1], &token, sizeof(token)) != sizeof(token)) _exit(1);
        pause();
        _exit(0);
    }
    uint64_t token = 0;
    assert_int_equal(read(fds[0], &token, sizeof(token)), (int)sizeof(token));
    assert_true(listed(f.cfg, token));
    /* Not its process: another process may not release it. */
    assert_int_equal(runtime_release(f.cfg, token), WIN_ERROR_ACCESS_DENIED);
    kill(child, SIGKILL);
    /* Until reaped the child is a zombie, its /proc entry still there: the block goes anyway. */
    for (int i = 0; i < 100; i++)
    {
        char state = 0;
        FILE *stat = fopen(("/proc/" + std::to_string(child) + "/stat").c_str(), "r");
        if (stat && fscanf(stat, "%*d %*s %c", &state) == 1 && state == 'Z')
        {
            fclose(stat);
            break;
        }
        if (stat) fclose(stat);
        usleep(10000);
    }
    assert_false(listed(f.cfg, token));
    assert_true(restest::read_file(f.cfg.kernel_reserved_path).find("41000") == std::string::npos);
    waitpid(child, nullptr, 0);
    close(fds[0]);
    close(fds[1]);
}

/* The twin case: a TCP persistent block deleted while a live UDP runtime block covers some of its
 * ports. The persistent mirror gives back only the ports no live block covers; the runtime
 * block's release then gives back the rest. */
void test_persistent_delete_keeps_runtime_ports(void **)
{
    Fixture f;
    f.cfg.runtime_ports = runtime_live_ports; /* as unixlib.cpp's configuration has it */
    uint64_t persistent = 0, udp = 0;
    uint16_t start = 0;
    assert_int_equal(reservation_create(f.cfg, IPHLP_TCP, 44000, 10, &persistent), WIN_NO_ERROR);
    assert_int_equal(runtime_acquire(f.cfg, IPHLP_UDP, 44005, 10, &udp, &start), WIN_NO_ERROR);
    assert_string_equal(restest::read_file(f.cfg.kernel_reserved_path).c_str(), "44000-44014\n");
    assert_int_equal(reservation_delete(f.cfg, IPHLP_TCP, 44000, 10), WIN_NO_ERROR);
    assert_string_equal(restest::read_file(f.cfg.kernel_reserved_path).c_str(), "44005-44014\n");
    assert_int_equal(runtime_release(f.cfg, udp), WIN_NO_ERROR);
    assert_true(restest::read_file(f.cfg.kernel_reserved_path).find("440") == std::string::npos);

    /* Runtime blocks that cannot be read: nothing is given back on a guess. */
    Fixture g;
    g.cfg.runtime_ports = runtime_live_ports;
    assert_int_equal(reservation_create(g.cfg, IPHLP_TCP, 45000, 10, &persistent), WIN_NO_ERROR);
    restest::write_file(g.cfg.db_path + "-runtime", std::string(4096, 'x'));
    assert_int_equal(reservation_delete(g.cfg, IPHLP_TCP, 45000, 10), WIN_NO_ERROR);
    assert_string_equal(restest::read_file(g.cfg.kernel_reserved_path).c_str(), "45000-45009\n");
}

/* A TCP and a UDP runtime block may share ports, and the kernel's list has no protocols: a block
 * that ends, released or reclaimed after its owner was killed, leaves the ports the other block
 * still covers in the list. */
void test_shared_ports_stay_reserved(void **)
{
    Fixture f;
    uint64_t tcp = 0, udp = 0;
    uint16_t start = 0;
    assert_int_equal(runtime_acquire(f.cfg, IPHLP_TCP, 43000, 4, &tcp, &start), WIN_NO_ERROR);
    assert_int_equal(runtime_acquire(f.cfg, IPHLP_UDP, 43002, 4, &udp, &start), WIN_NO_ERROR);
    assert_string_equal(restest::read_file(f.cfg.kernel_reserved_path).c_str(), "43000-43005\n");
    assert_int_equal(runtime_release(f.cfg, udp), WIN_NO_ERROR);
    assert_string_equal(restest::read_file(f.cfg.kernel_reserved_path).c_str(), "43000-43003\n");

    /* The same when the UDP block's owner is killed and another process reclaims it. */
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0)
    {
        if (runtime_acquire(f.cfg, IPHLP_UDP, 43002, 4, &udp, &start)) _exit(1);
        if (write(fds[1], &udp, sizeof(udp)) != sizeof(udp)) _exit(1);
        pause();
        _exit(0);
    }
    assert_int_equal(read(fds[0], &udp, sizeof(udp)), (int)sizeof(udp));
    assert_string_equal(restest::read_file(f.cfg.kernel_reserved_path).c_str(), "43000-43005\n");
    kill(child, SIGKILL);
    waitpid(child, nullptr, 0);
    assert_false(listed(f.cfg, udp));
    assert_string_equal(restest::read_file(f.cfg.kernel_reserved_path).c_str(), "43000-43003\n");
    assert_int_equal(runtime_release(f.cfg, tcp), WIN_NO_ERROR);
    assert_true(restest::read_file(f.cfg.kernel_reserved_path).find("4300") == std::string::npos);
    close(fds[0]);
    close(fds[1]);
}

void test_view(void **)
{
    Fixture f;
    const uint8_t *mapped = nullptr;
    assert_int_equal(port_view_map(f.cfg, &mapped), WIN_NO_ERROR);
    const volatile uint8_t *view = mapped;
    assert_false(bit(view, IPHLP_TCP, 42000));
    uint64_t persistent = 0, token = 0;
    uint16_t start = 0;
    assert_int_equal(reservation_create(f.cfg, IPHLP_UDP, 42000, 3, &persistent), WIN_NO_ERROR);
    assert_int_equal(runtime_acquire(f.cfg, IPHLP_TCP, 42010, 2, &token, &start), WIN_NO_ERROR);
    assert_int_equal(port_view_refresh(f.cfg), WIN_NO_ERROR);
    /* The mapping made before sees the rewrite. */
    assert_true(bit(view, IPHLP_UDP, 42000) && bit(view, IPHLP_UDP, 42002));
    assert_false(bit(view, IPHLP_UDP, 42003) || bit(view, IPHLP_TCP, 42000));
    assert_true(bit(view, IPHLP_TCP, 42010) && bit(view, IPHLP_TCP, 42011));
    assert_int_equal(runtime_release(f.cfg, token), WIN_NO_ERROR);
    assert_int_equal(reservation_delete(f.cfg, IPHLP_UDP, 42000, 3), WIN_NO_ERROR);
    assert_int_equal(port_view_refresh(f.cfg), WIN_NO_ERROR);
    assert_false(bit(view, IPHLP_TCP, 42010) || bit(view, IPHLP_UDP, 42000));
}

time_t view_mtime(const StoreConfig &cfg)
{
    struct stat st;
    assert_int_equal(stat(port_view_path(cfg).c_str(), &st), 0);
    return st.st_mtime;
}

void set_view_mtime(const StoreConfig &cfg, time_t when)
{
    const struct timeval times[2] = {{when, 0}, {when, 0}};
    assert_int_equal(utimes(port_view_path(cfg).c_str(), times), 0);
}

/* A current view is not rewritten (a process's first mapping, a check that finds nothing to
 * clear); a stale one is, from the blocks read under its lock, which the sync hands back. */
void test_view_written_only_when_stale(void **)
{
    Fixture f;
    uint64_t token = 0;
    uint16_t start = 0;
    assert_int_equal(runtime_acquire(f.cfg, IPHLP_TCP, 44000, 2, &token, &start), WIN_NO_ERROR);
    const uint8_t *mapped = nullptr;
    assert_int_equal(port_view_map(f.cfg, &mapped), WIN_NO_ERROR);
    const volatile uint8_t *view = mapped;
    assert_true(bit(view, IPHLP_TCP, 44000));
    set_view_mtime(f.cfg, 1000);
    PortViewSync sync = port_view_sync(f.cfg);
    assert_int_equal(sync.blocks_result, WIN_NO_ERROR);
    assert_int_equal(sync.view_result, WIN_NO_ERROR);
    assert_int_equal(sync.blocks.size(), 1);
    assert_true(sync.blocks[0].token == token && sync.blocks[0].runtime);
    assert_int_equal(view_mtime(f.cfg), 1000);
    /* A bit the blocks do not back (as a killed owner's block leaves it): cleared. */
    {
        FILE *file = fopen(port_view_path(f.cfg).c_str(), "r+b");
        assert_non_null(file);
        assert_int_equal(fseek(file, (IPHLP_UDP * 65536 + 44100) / 8, SEEK_SET), 0);
        assert_int_equal(fputc(0xff, file), 0xff);
        fclose(file);
    }
    set_view_mtime(f.cfg, 1000);
    assert_true(bit(view, IPHLP_UDP, 44100));
    assert_int_equal(port_view_refresh(f.cfg), WIN_NO_ERROR);
    assert_false(bit(view, IPHLP_UDP, 44100));
    assert_true(bit(view, IPHLP_TCP, 44000));
    assert_true(view_mtime(f.cfg) != 1000);
    assert_int_equal(runtime_release(f.cfg, token), WIN_NO_ERROR);
}

} // namespace

int main()
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_acquire_release),
        cmocka_unit_test(test_someone_elses_exclusion),
        cmocka_unit_test(test_system_choice),
        cmocka_unit_test(test_killed_owner),
        cmocka_unit_test(test_shared_ports_stay_reserved),
        cmocka_unit_test(test_persistent_delete_keeps_runtime_ports),
        cmocka_unit_test(test_view),
        cmocka_unit_test(test_view_written_only_when_stale),
    };
    return cmocka_run_group_tests(tests, nullptr, nullptr);
}
