// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The store and what SQLite keeps beside it are private to their user (reservation_file.cpp):
 * created 0600, tightened when an older 0644 store is opened, and used only in a directory no
 * other user can write. Before, the store and its -shm file were 0644: user nobody could open
 * the -shm and hold a read lock on its byte 120, and every Create and Delete then failed with
 * 1359 after the 5 s busy timeout.
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
#include <unistd.h>

#include "reservation_test_util.h"

using namespace iphlp;
using restest::Fixture;

namespace {

const char *const SIDECARS[] = {"", "-wal", "-shm", "-journal", ".init"};

double now_s()
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return double(ts.tv_sec) + double(ts.tv_nsec) / 1e9;
}

mode_t mode_of(const std::string &path)
{
    struct stat st;
    return stat(path.c_str(), &st) == 0 ? st.st_mode & 07777 : 0;
}

/* Every way in as the caller: each open mode, then on what opened every lock SQLite and the
 * lock tools use (flock, POSIX and OFD record locks, read and write, on the WAL-index lock bytes
 * 120-127 and the whole file). Also planting each name where it is missing. Returns how many
 * succeeded; what succeeded is kept open (and held) until the process ends. */
int try_every_way_in(const std::string &db_path)
{
    int got = 0;
    for (const char *suffix : SIDECARS)
    {
        const std::string path = db_path + suffix;
        for (int how : {O_RDONLY, O_WRONLY, O_RDWR, O_RDWR | O_CREAT | O_EXCL})
        {
            int fd = open(path.c_str(), how | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0666);
            if (fd < 0) continue;
            printf("  nobody opened %s (flags %#x)\n", path.c_str(), unsigned(how));
            got++;
            for (int op : {LOCK_SH | LOCK_NB, LOCK_EX | LOCK_NB})
                if (flock(fd, op) == 0) got++;
            for (int cmd : {F_SETLK, F_OFD_SETLK})
                for (short type : {short(F_RDLCK), short(F_WRLCK)})
                    for (off_t start : {off_t(120), off_t(0)})
                    {
                        struct flock range = {};
                        range.l_type = type;
                        range.l_whence = SEEK_SET;
                        range.l_start = start;
                        range.l_len = start ? 8 : 0;
                        if (fcntl(fd, cmd, &range) == 0) got++;
                    }
        }
    }
    return got;
}

/* The call times of a working store are milliseconds; the stall was 5 s and more. */
constexpr double NORMAL_CALL_S = 1.0;

void other_users_cannot_open_lock_or_stall_it(void **)
{
    RESTEST_REQUIRE_ROOT("tries the store as user nobody: root alone can change users");
    Fixture fx;
    assert_int_equal(chmod(fx.dir.c_str(), 0755), 0); /* like a Wine prefix */
    uint64_t token = 0;
    assert_int_equal(reservation_create(fx.cfg, IPHLP_TCP, 5000, 1, &token), WIN_NO_ERROR);
    /* A process that keeps its connection open, as a running Windows program does: -wal and
     * -shm exist meanwhile (this process drops its own at every fork). */
    int kept[2], keep[2];
    assert_int_equal(pipe(kept), 0);
    assert_int_equal(pipe(keep), 0);
    pid_t keeper = fork();
    if (keeper == 0)
    {
        close(keep[1]);
        uint64_t t = 0;
        char c = reservation_lookup(fx.cfg, IPHLP_TCP, 5000, 1, &t) == WIN_NO_ERROR ? 'y' : 'n';
        if (write(kept[1], &c, 1) != 1) _exit(1);
        while (read(keep[0], &c, 1) > 0)
        {}
        _exit(0);
    }
    close(keep[0]);
    close(kept[1]);
    char ready = 0;
    assert_int_equal(read(kept[0], &ready, 1), 1);
    assert_int_equal(ready, 'y');
    for (const char *suffix : {"", "-wal", "-shm"})
    {
        printf("  %s%s: %04o\n", "store", suffix, unsigned(mode_of(fx.cfg.db_path + suffix)));
        assert_int_equal(mode_of(fx.cfg.db_path + suffix), 0600);
    }

    int report[2], hold[2];
    assert_int_equal(pipe(report), 0);
    assert_int_equal(pipe(hold), 0);
    pid_t child = fork();
    if (child == 0)
    {
        close(hold[1]);
        if (!restest::become_nobody()) _exit(10);
        int got = try_every_way_in(fx.cfg.db_path);
        if (write(report[1], &got, sizeof(got)) != sizeof(got)) _exit(11);
        char c;
        /* holds whatever it got until told to stop */
        while (read(hold[0], &c, 1) > 0)
        {}
        _exit(0);
    }
    close(hold[0]);
    close(report[1]);
    int got = -1;
    assert_int_equal(read(report[0], &got, sizeof(got)), sizeof(got));

    double start = now_s();
    uint32_t created = reservation_create(fx.cfg, IPHLP_TCP, 6000, 1, &token);
    const double create_s = now_s() - start;
    start = now_s();
    uint64_t found = 0;
    uint32_t looked_up = reservation_lookup(fx.cfg, IPHLP_TCP, 6000, 1, &found);
    const double lookup_s = now_s() - start;
    start = now_s();
    uint32_t deleted = reservation_delete(fx.cfg, IPHLP_TCP, 5000, 1);
    const double delete_s = now_s() - start;
    /* Another process's calls too (it opens the store afresh). */
    start = now_s();
    int other = restest::run_in_child([&] {
        uint64_t t = 0;
        return reservation_create(fx.cfg, IPHLP_UDP, 7000, 1, &t) == WIN_NO_ERROR &&
                       reservation_lookup(fx.cfg, IPHLP_UDP, 7000, 1, &t) == WIN_NO_ERROR &&
                       reservation_delete(fx.cfg, IPHLP_UDP, 7000, 1) == WIN_NO_ERROR
                   ? 0
                   : 1;
    });
    const double other_s = now_s() - start;
    close(hold[1]);
    close(keep[1]);
    int status = 0, keeper_status = 0;
    waitpid(child, &status, 0);
    waitpid(keeper, &keeper_status, 0);
    assert_true(WIFEXITED(keeper_status) && WEXITSTATUS(keeper_status) == 0);
    printf("  nobody got in %d ways; Create %.4f s, Lookup %.4f s, Delete %.4f s, another process %.4f s\n", got,
           create_s, lookup_s, delete_s, other_s);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    assert_int_equal(got, 0);
    assert_int_equal(created, WIN_NO_ERROR);
    assert_int_equal(looked_up, WIN_NO_ERROR);
    assert_int_equal(found, token);
    assert_int_equal(deleted, WIN_NO_ERROR);
    assert_int_equal(other, 0);
    assert_true(create_s < NORMAL_CALL_S && lookup_s < NORMAL_CALL_S && delete_s < NORMAL_CALL_S);
    assert_true(other_s < 2 * NORMAL_CALL_S);
}

/* A store an older version made 0644 (left with its -wal and -shm by a process that died) is
 * made 0600, files beside it included, by the next call, with its data intact. */
void older_stores_are_tightened(void **)
{
    Fixture fx;
    int status = restest::run_in_child([&] {
        uint64_t t = 0;
        if (reservation_create(fx.cfg, IPHLP_TCP, 5000, 3, &t) != WIN_NO_ERROR) return 1;
        return 0; /* exits without closing: -wal and -shm stay */
    });
    assert_int_equal(status, 0);
    int present = 0;
    for (const char *suffix : {"", "-wal", "-shm"})
        if (chmod((fx.cfg.db_path + suffix).c_str(), 0644) == 0) present++;
    assert_int_equal(present, 3);
    restest::write_file(fx.cfg.db_path + "-journal", "");
    assert_int_equal(chmod((fx.cfg.db_path + "-journal").c_str(), 0644), 0);

    uint64_t token = 0;
    assert_int_equal(reservation_lookup(fx.cfg, IPHLP_TCP, 5000, 3, &token), WIN_NO_ERROR);
    for (const char *suffix : {"", "-wal", "-shm", "-journal"})
    {
        printf("  store%s: %04o\n", suffix, unsigned(mode_of(fx.cfg.db_path + suffix)));
        assert_int_equal(mode_of(fx.cfg.db_path + suffix), 0600);
    }
}

/* A directory other users can write (a shared or sticky one, or a group that is not the owner's
 * own) could be used to plant or swap the store's files: the store is refused there with
 * ACCESS_DENIED and a message saying what to do, and its file is left exactly as it was. */
void shared_directories_are_refused(void **)
{
    RESTEST_REQUIRE_ROOT("gives the directory to another group: root alone can chown");
    Fixture fx;
    uint64_t token = 0;
    int status = restest::run_in_child([&] {
        uint64_t t = 0;
        return reservation_create(fx.cfg, IPHLP_TCP, 5000, 1, &t) == WIN_NO_ERROR ? 0 : 1;
    });
    assert_int_equal(status, 0);
    assert_int_equal(chown(fx.dir.c_str(), 0, 65534), 0); /* group nogroup: not root's own */
    for (mode_t mode : {mode_t(01777), mode_t(0777), mode_t(0757), mode_t(0775)})
    {
        assert_int_equal(chmod(fx.dir.c_str(), mode), 0);
        restest::Snapshot before = restest::snapshot(fx.cfg.db_path);
        restest::StderrCapture capture;
        uint32_t looked_up = reservation_lookup(fx.cfg, IPHLP_TCP, 5000, 1, &token);
        uint32_t created = reservation_create(fx.cfg, IPHLP_TCP, 6000, 1, &token);
        std::string said = capture.text();
        printf("  directory %04o: Lookup %u, Create %u\n", unsigned(mode), looked_up, created);
        assert_int_equal(looked_up, WIN_ERROR_ACCESS_DENIED);
        assert_int_equal(created, WIN_ERROR_ACCESS_DENIED);
        assert_true(said.find("can be written by other users") != std::string::npos);
        assert_true(restest::same(before, restest::snapshot(fx.cfg.db_path)));
    }
    /* Made private again, everything is as it was: nothing was lost or reset. */
    assert_int_equal(chmod(fx.dir.c_str(), 0755), 0);
    assert_int_equal(reservation_lookup(fx.cfg, IPHLP_TCP, 5000, 1, &token), WIN_NO_ERROR);
    assert_int_equal(reservation_create(fx.cfg, IPHLP_TCP, 6000, 1, &token), WIN_NO_ERROR);
}

} // namespace

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(other_users_cannot_open_lock_or_stall_it),
        cmocka_unit_test(older_stores_are_tightened),
        cmocka_unit_test(shared_directories_are_refused),
    };
    return restest::test_exit(cmocka_run_group_tests(tests, nullptr, nullptr));
}
