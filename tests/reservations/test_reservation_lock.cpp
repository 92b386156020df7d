// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The kernel list's lock (reservation_lock.h). A 0644 file in /run/lock is what it must not be:
 * any user could flock it (every Create/Delete then blocked forever, holding the SQLite write
 * lock, so other processes got 1359 after 5 s and the blocked process could not even fork), or
 * replace with a symlink (root then created the target) or a directory or FIFO (locking then
 * silently skipped).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
extern "C" {
#include <cmocka.h>
}

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <algorithm>
#include <dirent.h>
#include <thread>
#include <unistd.h>

#include "reservation_lock.h"
#include "reservation_test_util.h"

using namespace iphlp;
using restest::Fixture;

namespace {

double now_s()
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return double(ts.tv_sec) + double(ts.tv_nsec) / 1e9;
}

std::string lock_file(const Fixture &fx) { return fx.cfg.lock_dir + "/ip_local_reserved_ports.lock"; }

void create_ok(const StoreConfig &cfg, uint16_t start)
{
    uint64_t token = 0;
    assert_int_equal(reservation_create(cfg, IPHLP_TCP, start, 1, &token), WIN_NO_ERROR);
}

/* Made by the first call with modes nobody else can use; another user can neither open the
 * file (to flock it) nor put anything in the directory. */
void other_users_cannot_hold_or_replace_it(void **)
{
    RESTEST_REQUIRE_ROOT("checks root-owned lock paths and another user: root alone can change users");
    Fixture fx;
    create_ok(fx.cfg, 5000);
    struct stat dir, file;
    assert_int_equal(lstat(fx.cfg.lock_dir.c_str(), &dir), 0);
    assert_int_equal(lstat(lock_file(fx).c_str(), &file), 0);
    assert_true(S_ISDIR(dir.st_mode) && (dir.st_mode & 07777) == 0755 && dir.st_uid == 0);
    assert_true(S_ISREG(file.st_mode) && (file.st_mode & 07777) == 0600 && file.st_uid == 0);
    assert_int_equal(chmod(fx.dir.c_str(), 0755), 0);
    int status = restest::run_in_child([&] {
        if (!restest::become_nobody()) return 10;
        if (open(lock_file(fx).c_str(), O_RDONLY) >= 0 || errno != EACCES) return 11;
        if (unlink(lock_file(fx).c_str()) == 0 || errno != EACCES) return 12;
        if (symlink("/etc/passwd", (fx.cfg.lock_dir + "/x").c_str()) == 0 || errno != EACCES) return 13;
        return 0;
    });
    assert_int_equal(status, 0);
}

/* What someone could have planted is refused, reported, and never followed or created
 * through; the call still works, leaving the kernel list alone. */
void planted_paths_are_refused(void **)
{
    enum Plant
    {
        symlink_file,
        fifo,
        directory,
        foreign_dir,
        open_dir
    };
    for (Plant plant : {symlink_file, fifo, directory, foreign_dir, open_dir})
    {
        if (plant == foreign_dir && geteuid() != 0)
        {
            /* The rest of this test runs; only this case is left out (and reported). */
            restest::note_root_skip("a lock directory of another user: root alone can give one away");
            continue;
        }
        Fixture fx;
        std::string target = fx.dir + "/target";
        if (plant == foreign_dir || plant == open_dir)
        {
            assert_int_equal(mkdir(fx.cfg.lock_dir.c_str(), plant == open_dir ? 0777 : 0755), 0);
            assert_int_equal(chmod(fx.cfg.lock_dir.c_str(), plant == open_dir ? 0777 : 0755), 0);
            if (plant == foreign_dir) assert_int_equal(chown(fx.cfg.lock_dir.c_str(), 65534, 65534), 0);
        }
        else
        {
            assert_int_equal(mkdir(fx.cfg.lock_dir.c_str(), 0700), 0);
            if (plant == symlink_file)
                assert_int_equal(symlink(target.c_str(), lock_file(fx).c_str()), 0);
            else if (plant == fifo)
                assert_int_equal(mkfifo(lock_file(fx).c_str(), 0600), 0);
            else
                assert_int_equal(mkdir(lock_file(fx).c_str(), 0700), 0);
        }
        restest::Snapshot before = restest::snapshot(fx.cfg.kernel_reserved_path);
        restest::StderrCapture capture;
        double start = now_s();
        uint64_t token = 0;
        assert_int_equal(reservation_create(fx.cfg, IPHLP_TCP, 5000, 1, &token), WIN_NO_ERROR);
        std::string said = capture.text();
        assert_true(now_s() - start < 1.0);
        assert_true(said.find("iphlp: kernel port list lock") != std::string::npos);
        assert_false(restest::file_exists(target));
        assert_true(restest::same(before, restest::snapshot(fx.cfg.kernel_reserved_path)));
    }
}

/* Held by a process that never lets go: Create and Delete give up after the stated bound with
 * ERROR_TIMEOUT, holding neither the store's write lock meanwhile (another process's Lookup
 * answers at once) nor anything fork() waits for. */
void a_held_lock_is_waited_for_a_bounded_time(void **)
{
    Fixture fx;
    create_ok(fx.cfg, 5000); /* makes the directory and the file */
    int ready[2];
    assert_int_equal(pipe(ready), 0);
    pid_t holder = fork();
    if (holder == 0)
    {
        int fd = open(lock_file(fx).c_str(), O_RDWR);
        if (fd < 0 || flock(fd, LOCK_EX) != 0 || write(ready[1], "x", 1) != 1) _exit(1);
        pause();
        _exit(0);
    }
    char c;
    assert_int_equal(read(ready[0], &c, 1), 1);

    double forked_in = -1, lookup_in = -1;
    std::thread other([&] {
        usleep(500 * 1000); /* while the main thread waits for the lock */
        double start = now_s();
        pid_t pid = fork(); /* what Wine's CreateProcess does */
        if (pid == 0) _exit(0);
        forked_in = now_s() - start;
        waitpid(pid, nullptr, 0);
        start = now_s();
        int status = restest::run_in_child([&] {
            uint64_t token = 0;
            return reservation_lookup(fx.cfg, IPHLP_TCP, 5000, 1, &token) == WIN_NO_ERROR ? 0 : 1;
        });
        lookup_in = status == 0 ? now_s() - start : 99;
    });
    restest::StderrCapture capture;
    double start = now_s();
    uint64_t token = 0;
    uint32_t created = reservation_create(fx.cfg, IPHLP_TCP, 6000, 1, &token);
    double create_took = now_s() - start;
    start = now_s();
    uint32_t deleted = reservation_delete(fx.cfg, IPHLP_TCP, 5000, 1);
    double delete_took = now_s() - start;
    other.join();
    std::string said = capture.text();
    kill(holder, SIGKILL);
    waitpid(holder, nullptr, 0);

    printf("  Create %.2f s, Delete %.2f s (bound %d ms); fork %.4f s and Lookup %.4f s meanwhile\n", create_took,
           delete_took, LIST_LOCK_TIMEOUT_MS, forked_in, lookup_in);
    assert_int_equal(created, WIN_ERROR_TIMEOUT);
    assert_int_equal(deleted, WIN_ERROR_TIMEOUT);
    const double bound = LIST_LOCK_TIMEOUT_MS / 1000.0;
    assert_true(create_took >= bound * 0.9 && create_took < bound + 0.5);
    assert_true(delete_took < bound + 0.5);
    assert_true(said.find("still held by another process") != std::string::npos);
    assert_true(forked_in >= 0 && forked_in < 0.2);
    assert_true(lookup_in >= 0 && lookup_in < 0.5);
    /* Nothing changed, and once the holder is gone everything works. */
    assert_int_equal(reservation_lookup(fx.cfg, IPHLP_TCP, 6000, 1, &token), WIN_ERROR_NOT_FOUND);
    assert_int_equal(reservation_delete(fx.cfg, IPHLP_TCP, 5000, 1), WIN_NO_ERROR);
}

size_t entries(const char *dir)
{
    size_t n = 0;
    DIR *d = opendir(dir);
    assert_non_null(d);
    while (const struct dirent *entry = readdir(d)) n += entry->d_name[0] != '.';
    closedir(d);
    return n;
}

/* A timed-out wait leaves no thread and no descriptor behind while the holder keeps the lock:
 * before, each such call left its waiting thread and the lock file's descriptor until the
 * holder let go. Held by a process of this version (ListLock) and by one of an older version
 * (a bare flock), three calls each. */
void a_timed_out_wait_leaves_nothing_behind(void **)
{
    Fixture fx;
    create_ok(fx.cfg, 5000);
    for (bool bare_flock : {false, true})
    {
        int ready[2];
        assert_int_equal(pipe(ready), 0);
        pid_t holder = fork();
        if (holder == 0)
        {
            ListLock lock;
            int fd = open(lock_file(fx).c_str(), O_RDWR);
            bool held = bare_flock ? fd >= 0 && flock(fd, LOCK_EX) == 0 : lock.acquire(fx.cfg.lock_dir) == WIN_NO_ERROR;
            if (!held || write(ready[1], "x", 1) != 1) _exit(1);
            pause();
            _exit(0);
        }
        char c;
        assert_int_equal(read(ready[0], &c, 1), 1);
        close(ready[0]);
        close(ready[1]);
        restest::StderrCapture capture; /* its own two descriptors are open from here on */
        const size_t threads = entries("/proc/self/task"), fds = entries("/proc/self/fd");
        uint32_t codes[3];
        double took = 0;
        for (uint32_t &code : codes)
        {
            double start = now_s();
            uint64_t token = 0;
            code = reservation_create(fx.cfg, IPHLP_TCP, 6000, 1, &token);
            took = std::max(took, now_s() - start);
        }
        const size_t threads_after = entries("/proc/self/task"), fds_after = entries("/proc/self/fd");
        capture.text();
        kill(holder, SIGKILL);
        waitpid(holder, nullptr, 0);
        printf("  %s holder: threads %zu -> %zu, descriptors %zu -> %zu, longest call %.2f s\n",
               bare_flock ? "flock" : "ListLock", threads, threads_after, fds, fds_after, took);
        for (uint32_t code : codes) assert_int_equal(code, WIN_ERROR_TIMEOUT);
        assert_true(took < LIST_LOCK_TIMEOUT_MS / 1000.0 + 0.5);
        assert_int_equal(threads_after, threads);
        assert_int_equal(fds_after, fds);
    }
    /* And the lock works again at once. */
    create_ok(fx.cfg, 6000);
}

/* The socket scan (59 ms at 54k sockets) must not run inside the write transaction, where it
 * would stall every other writer of the prefix. It runs before any lock: while it runs, another
 * process creates a block at once. */
const StoreConfig *scan_cfg;
double scan_other_took = -1;
int scan_other_status = -1;

PortUse scan_while_another_process_writes(uint32_t, uint16_t, uint16_t)
{
    double start = now_s();
    scan_other_status = restest::run_in_child([] {
        uint64_t token = 0;
        return reservation_create(*scan_cfg, IPHLP_UDP, 9000, 1, &token) == WIN_NO_ERROR ? 0 : 1;
    });
    scan_other_took = now_s() - start;
    return PortUse::free;
}

void socket_scan_holds_no_lock(void **)
{
    Fixture fx;
    scan_cfg = &fx.cfg;
    StoreConfig cfg = fx.cfg;
    cfg.port_in_use = scan_while_another_process_writes;
    create_ok(fx.cfg, 5000); /* the store exists and this process has its connection open */
    uint64_t token = 0;
    assert_int_equal(reservation_create(cfg, IPHLP_TCP, 8000, 1, &token), WIN_NO_ERROR);
    printf("  another process's Create during the scan took %.3f s\n", scan_other_took);
    assert_int_equal(scan_other_status, 0);
    assert_true(scan_other_took >= 0 && scan_other_took < 0.5);
}

void default_directories(void **)
{
    RESTEST_REQUIRE_ROOT("checks root-owned lock paths and another user: root alone can change users");
    assert_string_equal(default_lock_dir().c_str(), "/run/iphlp");
    int status = restest::run_in_child([] {
        if (!restest::become_nobody()) return 10;
        unsetenv("XDG_RUNTIME_DIR");
        return default_lock_dir() == "/tmp/iphlp-65534" ? 0 : 11;
    });
    assert_int_equal(status, 0);
}

} // namespace

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(other_users_cannot_hold_or_replace_it),
        cmocka_unit_test(planted_paths_are_refused),
        cmocka_unit_test(a_held_lock_is_waited_for_a_bounded_time),
        cmocka_unit_test(a_timed_out_wait_leaves_nothing_behind),
        cmocka_unit_test(socket_scan_holds_no_lock),
        cmocka_unit_test(default_directories),
    };
    return restest::test_exit(cmocka_run_group_tests(tests, nullptr, nullptr));
}
