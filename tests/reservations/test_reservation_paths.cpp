// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Where the store may live, and the answers when it cannot: a relative path is refused (it would
 * split the store by working directory), a dangling symlink at the path is not followed (root
 * would create its target), a full disk answers ERROR_DISK_FULL (not 1359), and a read-only
 * prefix without a store answers Lookup with ERROR_NOT_FOUND (not 110).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
extern "C" {
#include <cmocka.h>
}

#include <cstdio>
#include <cstdlib>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "reservation_test_util.h"

using namespace iphlp;
using restest::Fixture;

namespace {

void relative_paths_are_refused(void **)
{
    Fixture fx;
    char cwd[4096];
    assert_non_null(getcwd(cwd, sizeof(cwd)));
    assert_int_equal(chdir(fx.dir.c_str()), 0);
    setenv("IPHLP_RESERVATION_DB", "store-here.sqlite3", 1);
    StoreConfig cfg = default_store_config();
    unsetenv("IPHLP_RESERVATION_DB");
    cfg.kernel_reserved_path = fx.cfg.kernel_reserved_path;
    cfg.boot_id_path = fx.cfg.boot_id_path;
    cfg.lock_dir = fx.cfg.lock_dir;
    restest::StderrCapture capture;
    uint64_t token = 0;
    uint32_t created = reservation_create(cfg, IPHLP_TCP, 100, 1, &token);
    std::string said = capture.text();
    assert_int_equal(chdir(cwd), 0);
    assert_int_equal(created, WIN_ERROR_OPEN_FAILED);
    assert_true(said.find("the path is relative") != std::string::npos);
    assert_false(restest::file_exists(fx.dir + "/store-here.sqlite3"));
}

void dangling_symlink_is_not_followed(void **)
{
    Fixture fx;
    assert_int_equal(mkdir((fx.dir + "/private").c_str(), 0700), 0);
    const std::string target = fx.dir + "/private/planted";
    assert_int_equal(symlink(target.c_str(), fx.cfg.db_path.c_str()), 0);
    restest::StderrCapture capture;
    uint64_t token = 0;
    assert_int_equal(reservation_create(fx.cfg, IPHLP_TCP, 100, 1, &token), WIN_ERROR_OPEN_FAILED);
    assert_true(capture.text().find("symbolic link to a missing file") != std::string::npos);
    assert_false(restest::file_exists(target));
}

void read_only_prefix_without_a_store(void **)
{
    Fixture fx;
    assert_int_equal(chmod(fx.dir.c_str(), 0555), 0);
    int status = restest::run_in_child([&] {
        if (geteuid() == 0 && !restest::become_nobody()) return 10;
        uint64_t token = 0;
        std::vector<Reservation> list;
        if (reservation_lookup(fx.cfg, IPHLP_TCP, 100, 1, &token) != WIN_ERROR_NOT_FOUND) return 11;
        if (reservation_list(fx.cfg, IPHLP_TCP, list) != WIN_NO_ERROR || !list.empty()) return 12;
        if (reservation_create(fx.cfg, IPHLP_TCP, 100, 1, &token) != WIN_ERROR_OPEN_FAILED)
            return 13; /* a write cannot create it: a clear error */
        return 0;
    });
    assert_int_equal(chmod(fx.dir.c_str(), 0700), 0);
    assert_int_equal(status, 0);
}

/* A 160 KiB tmpfs in a private mount namespace, filled until a write fails. */
void full_disk_is_disk_full(void **)
{
    if (geteuid() != 0) skip();
    Fixture fx;
    const std::string mnt = fx.dir + "/small";
    assert_int_equal(mkdir(mnt.c_str(), 0700), 0);
    int status = restest::run_in_child([&] {
        if (unshare(CLONE_NEWNS) != 0 || mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0 ||
            mount("tmpfs", mnt.c_str(), "tmpfs", 0, "size=160k,mode=0700") != 0)
            return 10;
        StoreConfig cfg = fx.cfg;
        cfg.db_path = mnt + "/store.sqlite3";
        uint64_t token = 0;
        uint32_t code = WIN_NO_ERROR;
        int made = 0;
        for (uint32_t port = 1; port < 65535 && code == WIN_NO_ERROR; port += 2, made++)
            code = reservation_create(cfg, IPHLP_TCP, uint16_t(port), 1, &token);
        printf("  %d creates before: %u\n", made, code);
        if (code != WIN_ERROR_DISK_FULL) return 11;
        /* What was made is still there. */
        return reservation_lookup(cfg, IPHLP_TCP, 1, 1, &token) == WIN_NO_ERROR ? 0 : 12;
    });
    assert_int_equal(status, 0);
}

} // namespace

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(relative_paths_are_refused),
        cmocka_unit_test(dangling_symlink_is_not_followed),
        cmocka_unit_test(read_only_prefix_without_a_store),
        cmocka_unit_test(full_disk_is_disk_full),
    };
    return cmocka_run_group_tests(tests, nullptr, nullptr);
}
