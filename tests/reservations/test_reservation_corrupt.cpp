// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Stores that cannot be used: not a database, truncated, another program's database, a damaged
 * or newer schema, a directory, a missing parent, an unreadable or read-only file. Each must
 * give its error code and a line on stderr naming the store, and leave the file exactly as it
 * was (bytes and mtime), without even creating SQLite side files next to a foreign one.
 * Also the files that may be initialised: an absent path and a 0-byte file.
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

#include <sqlite3.h>

#include "reservation_test_util.h"

using namespace iphlp;
using restest::Fixture;
using restest::Snapshot;

namespace {

void exec_sql(const std::string &path, const std::string &sql)
{
    sqlite3 *db = nullptr;
    assert_int_equal(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    char *error = nullptr;
    int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
    if (rc != SQLITE_OK) fprintf(stderr, "%s: %s\n", sql.c_str(), error);
    sqlite3_free(error);
    assert_int_equal(rc, SQLITE_OK);
    assert_int_equal(sqlite3_close(db), SQLITE_OK);
}

/* A complete store of `rows` TCP blocks, checkpointed into one self-contained file at
 * fx.dir/name (a copy, so that no connection of this process has it open). */
std::string make_real_store(const Fixture &fx, const std::string &name, int rows)
{
    uint64_t token;
    assert_int_equal(reservation_create(fx.cfg, IPHLP_UDP, 7, 1, &token), WIN_NO_ERROR);
    std::string sql = "BEGIN;";
    for (int i = 0; i < rows; i++)
        sql += "INSERT INTO reservations(proto, first_port, last_port) VALUES(0, " + std::to_string(1000 + 2 * i) +
               ", " + std::to_string(1000 + 2 * i) + ");";
    exec_sql(fx.cfg.db_path, sql + "COMMIT; PRAGMA wal_checkpoint(TRUNCATE);");
    std::string copy = fx.dir + "/" + name;
    restest::write_file(copy, restest::read_file(fx.cfg.db_path));
    return copy;
}

bool has_side_files(const std::string &path)
{
    for (const char *suffix : {"-wal", "-shm", "-journal", ".init"})
        if (restest::file_exists(path + suffix)) return true;
    return false;
}

/* Every entry point answers `code`, says so on stderr naming the path, and changes nothing. A
 * file that carries our application id (ours, damaged) is our store: its bytes and mtime stay as
 * they were, and only its mode is made private (0600), as for every store of ours. */
void expect_refused(const StoreConfig &cfg, uint32_t code, bool ours = false)
{
    Snapshot before = restest::snapshot(cfg.db_path);
    Snapshot kernel_before = restest::snapshot(cfg.kernel_reserved_path);
    restest::StderrCapture capture;
    uint64_t token = 0;
    std::vector<Reservation> list;
    uint32_t results[] = {
        reservation_create(cfg, IPHLP_TCP, 100, 1, &token),
        reservation_lookup(cfg, IPHLP_TCP, 100, 1, &token),
        reservation_delete(cfg, IPHLP_UDP, 100, 1),
        reservation_list(cfg, IPHLP_UDP, list),
    };
    std::string said = capture.text();
    for (uint32_t result : results) assert_int_equal(result, code);
    assert_int_equal(token, 0);
    assert_true(list.empty());
    assert_true(said.find("iphlp: port reservation store " + cfg.db_path + ": ") != std::string::npos);
    Snapshot after = restest::snapshot(cfg.db_path);
    if (ours)
    {
        assert_int_equal(after.mode & 07777, 0600);
        after.mode = before.mode;
    }
    assert_true(restest::same(before, after));
    /* The kernel list was not touched either. */
    assert_true(restest::same(kernel_before, restest::snapshot(cfg.kernel_reserved_path)));
}

void random_bytes(void **)
{
    Fixture fx;
    std::mt19937 rng(7);
    std::string junk(8192, '\0');
    for (char &c : junk) c = char(rng());
    restest::write_file(fx.cfg.db_path, junk);
    expect_refused(fx.cfg, WIN_ERROR_FILE_CORRUPT);
    assert_false(has_side_files(fx.cfg.db_path));
}

void text_file(void **)
{
    Fixture fx;
    restest::write_file(fx.cfg.db_path, "This is not a database.\nJust some notes.\n");
    expect_refused(fx.cfg, WIN_ERROR_FILE_CORRUPT);
    assert_false(has_side_files(fx.cfg.db_path));
}

void truncated_store(void **)
{
    Fixture fx;
    std::string whole = restest::read_file(make_real_store(fx, "whole.sqlite3", 3000));
    assert_true(whole.size() > 8 * 4096);
    StoreConfig cfg = fx.cfg;
    const size_t sizes[] = {100, 4096, 4096 + 1000, whole.size() / 2, whole.size() - 4096};
    for (size_t size : sizes)
    {
        cfg.db_path = fx.dir + "/truncated-" + std::to_string(size) + ".sqlite3";
        restest::write_file(cfg.db_path, whole.substr(0, size));
        expect_refused(cfg, WIN_ERROR_FILE_CORRUPT, true);
    }
}

void foreign_database(void **)
{
    Fixture fx;
    exec_sql(fx.cfg.db_path, "CREATE TABLE people(name TEXT); INSERT INTO people VALUES('ada');");
    expect_refused(fx.cfg, WIN_ERROR_FILE_CORRUPT);
    assert_false(has_side_files(fx.cfg.db_path));
    /* Even one with no tables at all is someone's file, not ours to initialise. */
    exec_sql(fx.cfg.db_path, "DROP TABLE people; VACUUM;");
    expect_refused(fx.cfg, WIN_ERROR_FILE_CORRUPT);
}

void damaged_schema(void **)
{
    const char *damage[] = {"DROP TRIGGER reservations_no_overlap;", "DELETE FROM meta;",
                            "UPDATE meta SET value = 'one';", "DROP INDEX reservations_by_start;"};
    for (const char *sql : damage)
    {
        Fixture fx;
        StoreConfig cfg = fx.cfg;
        cfg.db_path = make_real_store(fx, "damaged.sqlite3", 10);
        exec_sql(cfg.db_path, sql);
        expect_refused(cfg, WIN_ERROR_FILE_CORRUPT, true);
    }
}

void newer_schema(void **)
{
    Fixture fx;
    StoreConfig cfg = fx.cfg;
    cfg.db_path = make_real_store(fx, "newer.sqlite3", 10);
    exec_sql(cfg.db_path, "UPDATE meta SET value = 3 WHERE key = 'schema_version';");
    expect_refused(cfg, WIN_ERROR_NOT_SUPPORTED, true);
}

void directory_at_path(void **)
{
    Fixture fx;
    assert_int_equal(mkdir(fx.cfg.db_path.c_str(), 0755), 0);
    expect_refused(fx.cfg, WIN_ERROR_OPEN_FAILED);
    assert_false(has_side_files(fx.cfg.db_path));
}

void parent_missing(void **)
{
    Fixture fx;
    StoreConfig cfg = fx.cfg;
    cfg.db_path = fx.dir + "/no-such-dir/store.sqlite3";
    expect_refused(cfg, WIN_ERROR_OPEN_FAILED);
    assert_false(restest::file_exists(fx.dir + "/no-such-dir"));
}

/* The store of fx with one TCP block [100], closed by this process: our connection is closed at
 * fork (pthread_atfork), which checkpoints the WAL into the file, so a snapshot taken before a
 * test's fork would see the file change for that reason. Forking once here settles it. */
uint64_t closed_store_with_one_block(const Fixture &fx)
{
    uint64_t token = 0;
    assert_int_equal(reservation_create(fx.cfg, IPHLP_TCP, 100, 1, &token), WIN_NO_ERROR);
    assert_int_equal(restest::run_in_child([] { return 0; }), 0);
    assert_false(restest::file_exists(fx.cfg.db_path + "-wal"));
    return token;
}

/* What a child running as nobody got from the store. */
struct AsNobody
{
    uint32_t lookup = 0, create = 0, remove = 0;
    uint64_t token = 0;
    bool named_store = false, permission_denied = false;
};

/* Root ignores mode bits, so these cases run the store as nobody (65534) in a child, which
 * reports back through a pipe. */
AsNobody run_as_nobody(const StoreConfig &cfg)
{
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    int status = restest::run_in_child([&] {
        restest::StderrCapture capture;
        if (!restest::become_nobody()) return 10;
        AsNobody got;
        got.lookup = reservation_lookup(cfg, IPHLP_TCP, 100, 1, &got.token);
        uint64_t ignored;
        got.create = reservation_create(cfg, IPHLP_TCP, 200, 1, &ignored);
        got.remove = reservation_delete(cfg, IPHLP_TCP, 100, 1);
        std::string said = capture.text();
        got.named_store = said.find("iphlp: port reservation store " + cfg.db_path + ": ") != std::string::npos;
        got.permission_denied = said.find("Permission denied") != std::string::npos;
        return write(fds[1], &got, sizeof(got)) == sizeof(got) ? 0 : 11;
    });
    close(fds[1]);
    assert_int_equal(status, 0);
    AsNobody got;
    assert_int_equal(read(fds[0], &got, sizeof(got)), sizeof(got));
    close(fds[0]);
    return got;
}

void unreadable_file(void **)
{
    RESTEST_REQUIRE_ROOT("runs the store as user nobody: root alone can change users");
    Fixture fx;
    closed_store_with_one_block(fx);
    assert_int_equal(chmod(fx.dir.c_str(), 0755), 0);
    assert_int_equal(chmod(fx.cfg.db_path.c_str(), 0600), 0);
    Snapshot before = restest::snapshot(fx.cfg.db_path);
    AsNobody got = run_as_nobody(fx.cfg);
    assert_int_equal(got.lookup, WIN_ERROR_OPEN_FAILED);
    assert_int_equal(got.create, WIN_ERROR_OPEN_FAILED);
    assert_int_equal(got.remove, WIN_ERROR_OPEN_FAILED);
    assert_true(got.named_store);
    assert_true(got.permission_denied);
    assert_true(restest::same(before, restest::snapshot(fx.cfg.db_path)));
}

/* Readable but not writable, in the user's own directory: lookups work, changes are refused
 * with ACCESS_DENIED (what Windows answers a caller who may not change persistent
 * reservations). */
void read_only_file(void **)
{
    RESTEST_REQUIRE_ROOT("runs the store as user nobody: root alone can change users");
    Fixture fx;
    uint64_t token = closed_store_with_one_block(fx);
    assert_int_equal(chown(fx.dir.c_str(), 65534, 65534), 0);
    assert_int_equal(chmod(fx.dir.c_str(), 0755), 0);
    assert_int_equal(chmod(fx.cfg.db_path.c_str(), 0644), 0);
    Snapshot before = restest::snapshot(fx.cfg.db_path);
    AsNobody got = run_as_nobody(fx.cfg);
    assert_int_equal(got.lookup, WIN_NO_ERROR);
    assert_int_equal(got.token, token);
    assert_int_equal(got.create, WIN_ERROR_ACCESS_DENIED);
    assert_int_equal(got.remove, WIN_ERROR_ACCESS_DENIED);
    assert_true(got.named_store);
    assert_true(restest::same(before, restest::snapshot(fx.cfg.db_path)));
}

/* Read-only file in a read-only directory: SQLite cannot create the -shm file a WAL database
 * needs, so even Lookup cannot open it; it says so and touches nothing. */
void read_only_directory(void **)
{
    RESTEST_REQUIRE_ROOT("runs the store as user nobody: root alone can change users");
    Fixture fx;
    closed_store_with_one_block(fx);
    assert_int_equal(chmod(fx.dir.c_str(), 0755), 0);
    assert_int_equal(chmod(fx.cfg.db_path.c_str(), 0644), 0);
    Snapshot before = restest::snapshot(fx.cfg.db_path);
    AsNobody got = run_as_nobody(fx.cfg);
    assert_int_equal(got.lookup, WIN_ERROR_OPEN_FAILED);
    assert_int_equal(got.create, WIN_ERROR_OPEN_FAILED);
    assert_true(got.named_store);
    assert_true(restest::same(before, restest::snapshot(fx.cfg.db_path)));
}

void empty_file_is_initialised(void **)
{
    Fixture fx;
    restest::write_file(fx.cfg.db_path, "");
    /* What a creator killed mid-way leaves beside it is cleaned up. */
    restest::write_file(fx.cfg.db_path + ".init", "half-built");
    uint64_t token = 0, found = 0;
    assert_int_equal(reservation_create(fx.cfg, IPHLP_TCP, 100, 1, &token), WIN_NO_ERROR);
    assert_int_equal(reservation_lookup(fx.cfg, IPHLP_TCP, 100, 1, &found), WIN_NO_ERROR);
    assert_int_equal(found, token);
    assert_false(restest::file_exists(fx.cfg.db_path + ".init"));
    assert_true(restest::read_file(fx.cfg.db_path).compare(0, 16, std::string("SQLite format 3\0", 16)) == 0);
}

/* Queries answer "nothing reserved" without creating the store (a read-only prefix cannot, and
 * answered Lookup with ERROR_OPEN_FAILED); the first Create creates it. */
void absent_file_is_created(void **)
{
    Fixture fx;
    std::vector<Reservation> list;
    uint64_t token = 0;
    assert_false(restest::file_exists(fx.cfg.db_path));
    assert_int_equal(reservation_list(fx.cfg, IPHLP_TCP, list), WIN_NO_ERROR);
    assert_true(list.empty());
    assert_int_equal(reservation_lookup(fx.cfg, IPHLP_TCP, 100, 1, &token), WIN_ERROR_NOT_FOUND);
    assert_false(restest::file_exists(fx.cfg.db_path));
    assert_int_equal(reservation_create(fx.cfg, IPHLP_TCP, 100, 1, &token), WIN_NO_ERROR);
    assert_true(restest::file_exists(fx.cfg.db_path));
}

} // namespace

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(random_bytes),           cmocka_unit_test(text_file),
        cmocka_unit_test(truncated_store),        cmocka_unit_test(foreign_database),
        cmocka_unit_test(damaged_schema),         cmocka_unit_test(newer_schema),
        cmocka_unit_test(directory_at_path),      cmocka_unit_test(parent_missing),
        cmocka_unit_test(unreadable_file),        cmocka_unit_test(read_only_file),
        cmocka_unit_test(read_only_directory),    cmocka_unit_test(empty_file_is_initialised),
        cmocka_unit_test(absent_file_is_created),
    };
    return restest::test_exit(cmocka_run_group_tests(tests, nullptr, nullptr));
}
