// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * A store written by the schema 1 code (the first release of the store) is upgraded in place on first use: every
 * reservation and token kept, and the ports schema 1 recorded as added to the kernel list during
 * this boot taken over, so that their Delete still removes them (and nothing else).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
extern "C" {
#include <cmocka.h>
}

#include <sqlite3.h>

#include "boot_token.h"
#include "reservation_test_util.h"

using namespace iphlp;
using restest::Fixture;

namespace {

/* Schema 1 as the first release of the store created it. Deliberately a frozen copy, not the
 * live schema code: this is the input the upgrade must keep accepting. */
const char SCHEMA1[] =
    "PRAGMA journal_mode=WAL;"
    "CREATE TABLE meta(key TEXT PRIMARY KEY NOT NULL, value INTEGER NOT NULL);"
    "INSERT INTO meta VALUES('schema_version', 1);"
    "CREATE TABLE reservations("
    "  serial INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  proto INTEGER NOT NULL CHECK (proto IN (0, 1)),"
    "  first_port INTEGER NOT NULL CHECK (first_port BETWEEN 1 AND 65535),"
    "  last_port INTEGER NOT NULL CHECK (last_port BETWEEN first_port AND 65535),"
    "  kernel_boot TEXT,"
    "  kernel_mirrored INTEGER NOT NULL DEFAULT 0,"
    "  kernel_ports TEXT NOT NULL DEFAULT '');"
    "CREATE UNIQUE INDEX reservations_by_start ON reservations(proto, first_port);"
    "CREATE TRIGGER reservations_no_overlap BEFORE INSERT ON reservations"
    "  WHEN (SELECT last_port FROM reservations WHERE proto = NEW.proto AND first_port <= NEW.last_port"
    "        ORDER BY first_port DESC LIMIT 1) >= NEW.first_port"
    "  BEGIN SELECT RAISE(ABORT, 'overlapping reservation'); END;"
    "PRAGMA application_id = 1229998162;";

void exec_sql(const std::string &path, const std::string &sql)
{
    sqlite3 *db = nullptr;
    assert_int_equal(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    char *error = nullptr;
    if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) fail_msg("%s", error);
    sqlite3_close(db);
}

int64_t schema_version(const std::string &path)
{
    sqlite3 *db = nullptr;
    sqlite3_stmt *stmt = nullptr;
    int64_t version = -1;
    if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK &&
        sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = 'schema_version'", -1, &stmt, nullptr) ==
            SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW)
        version = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return version;
}

void schema1_store_is_upgraded(void **)
{
    /* The administrator listed 7000; schema 1 added 5000-5001 (TCP) and 7001 (UDP) this boot,
     * and 6000 during an earlier boot (gone since: not ours any more). */
    Fixture fx("5000-5001,7000-7001");
    const std::string boot = read_boot_id(fx.cfg.boot_id_path);
    exec_sql(fx.cfg.db_path, SCHEMA1);
    exec_sql(fx.cfg.db_path, "INSERT INTO reservations VALUES(1, 0, 5000, 5001, '" + boot +
                                 "', 1, '5000-5001');"
                                 "INSERT INTO reservations VALUES(2, 1, 7000, 7001, '" +
                                 boot +
                                 "', 1, '7001');"
                                 "INSERT INTO reservations VALUES(3, 0, 6000, 6000, 'an-earlier-boot', 1, '6000');");
    const BootKey key = boot_key(boot);

    uint64_t token = 0;
    assert_int_equal(reservation_lookup(fx.cfg, IPHLP_TCP, 5000, 2, &token), WIN_NO_ERROR);
    assert_int_equal(token, token_for_serial(key, 1));
    assert_int_equal(schema_version(fx.cfg.db_path), 2);
    assert_int_equal(reservation_lookup(fx.cfg, IPHLP_UDP, 7000, 2, &token), WIN_NO_ERROR);
    assert_int_equal(token, token_for_serial(key, 2));
    assert_int_equal(reservation_lookup(fx.cfg, IPHLP_TCP, 6000, 1, &token), WIN_NO_ERROR);
    assert_int_equal(token, token_for_serial(key, 3));
    /* The first reconcile of this boot took over schema 1's ports and added 6000 again. */
    assert_string_equal(restest::owned_ports(fx.cfg).c_str(), "5000-5001,6000,7001");
    assert_string_equal(restest::read_file(fx.cfg.kernel_reserved_path).c_str(), "5000-5001,6000,7000-7001\n");

    assert_int_equal(reservation_delete(fx.cfg, IPHLP_TCP, 5000, 2), WIN_NO_ERROR);
    assert_int_equal(reservation_delete(fx.cfg, IPHLP_UDP, 7000, 2), WIN_NO_ERROR);
    assert_int_equal(reservation_delete(fx.cfg, IPHLP_TCP, 6000, 1), WIN_NO_ERROR);
    assert_string_equal(restest::read_file(fx.cfg.kernel_reserved_path).c_str(), "7000\n");
    /* New serials continue after the old ones (AUTOINCREMENT survived): no token is reused. */
    assert_int_equal(reservation_create(fx.cfg, IPHLP_TCP, 5000, 1, &token), WIN_NO_ERROR);
    assert_int_equal(token, token_for_serial(key, 4));
}

} // namespace

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(schema1_store_is_upgraded),
    };
    return cmocka_run_group_tests(tests, nullptr, nullptr);
}
