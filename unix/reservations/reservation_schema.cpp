// SPDX-License-Identifier: LGPL-2.1-or-later
/* The store's tables; see reservation_schema.h. */
#include "reservation_schema.h"

#include "reservation_errors.h"
#include "reservation_rules.h"

namespace iphlp {

/*
 * serial feeds the token (boot_token.h), hence AUTOINCREMENT: serials are never reused, so a
 * token of a deleted reservation never names a later one. The trigger keeps the blocks of one
 * protocol disjoint inside the database itself: as existing blocks are disjoint, the only one
 * that can overlap a new block is the one with the greatest start not above the new end.
 */
/* Per boot and network namespace ("bootid/net:cookie"): the ports this store added to that
 * namespace's kernel list and still answers for, and the kernel write in flight (pending_add
 * NULL when none): see reservation_mirror.cpp. */
#define SCHEMA2_TABLE                                                                                                  \
    "CREATE TABLE kernel_mirror(ns TEXT PRIMARY KEY NOT NULL, owned TEXT NOT NULL,"                                    \
    " pending_add TEXT, pending_remove TEXT, pending_list TEXT);"

static const char SCHEMA[] =
    "CREATE TABLE meta(key TEXT PRIMARY KEY NOT NULL, value INTEGER NOT NULL);"
    "INSERT INTO meta VALUES('schema_version', 2);"
    "CREATE TABLE reservations("
    "  serial INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  proto INTEGER NOT NULL CHECK (proto IN (0, 1)),"
    "  first_port INTEGER NOT NULL CHECK (first_port BETWEEN 1 AND 65535),"
    "  last_port INTEGER NOT NULL CHECK (last_port BETWEEN first_port AND 65535),"
    /* Schema 1's per-row mirror bookkeeping, unused since schema 2 (kernel_mirror replaces it;
     * reservation_mirror.cpp imports and clears what a schema 1 process left this boot). */
    "  kernel_boot TEXT,"
    "  kernel_mirrored INTEGER NOT NULL DEFAULT 0,"
    "  kernel_ports TEXT NOT NULL DEFAULT '');"
    "CREATE UNIQUE INDEX reservations_by_start ON reservations(proto, first_port);"
    "CREATE TRIGGER reservations_no_overlap BEFORE INSERT ON reservations"
    "  WHEN (SELECT last_port FROM reservations WHERE proto = NEW.proto AND first_port <= NEW.last_port"
    "        ORDER BY first_port DESC LIMIT 1) >= NEW.first_port"
    "  BEGIN SELECT RAISE(ABORT, 'overlapping reservation'); END;"
    "PRAGMA application_id = 1229998162;" SCHEMA2_TABLE;
static_assert(STORE_APPLICATION_ID == 1229998162, "SCHEMA spells the application id in decimal");
static_assert(STORE_SCHEMA_VERSION == 2, "SCHEMA writes schema_version 2");

/* Schema 1's objects, then schema 2's. */
static const char EXPECTED_OBJECTS[] =
    "SELECT count(*) FROM sqlite_master WHERE (type, name) IN (VALUES ('table', 'meta'),"
    " ('table', 'reservations'), ('index', 'reservations_by_start'),"
    " ('trigger', 'reservations_no_overlap'))";
static const char SCHEMA2_OBJECTS[] =
    "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'kernel_mirror'";

int create_schema(sqlite3 *db) { return sqlite3_exec(db, SCHEMA, nullptr, nullptr, nullptr); }

/* Runs a query expected to give one row: SQLITE_ROW with its first column in text (and, if it
 * is an integer, in number), SQLITE_DONE without a row, or the error. */
static int query(sqlite3 *db, const char *sql, std::string &text, int64_t &number)
{
    sqlite3_stmt *stmt = nullptr;
    int rc = sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr);
    if (rc == SQLITE_OK) rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW)
    {
        const unsigned char *value = sqlite3_column_text(stmt, 0);
        text = value ? reinterpret_cast<const char *>(value) : "";
        number = sqlite3_column_type(stmt, 0) == SQLITE_INTEGER ? sqlite3_column_int64(stmt, 0) : -1;
    }
    sqlite3_finalize(stmt);
    return rc;
}

uint32_t check_schema(sqlite3 *db, const std::string &path)
{
    std::string text;
    int64_t objects = 0, version = -1;
    int rc = query(db, EXPECTED_OBJECTS, text, objects);
    if (rc == SQLITE_ROW && objects == 4)
        rc = query(db, "SELECT value FROM meta WHERE key = 'schema_version'", text, version);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return sqlite_failure(db, rc, path, "cannot read the schema");
    int64_t v2_objects = 0;
    if (rc == SQLITE_ROW && version == 2)
        rc = query(db, SCHEMA2_OBJECTS, text, v2_objects) == SQLITE_ROW ? SQLITE_ROW : rc;
    if (objects != 4 || rc == SQLITE_DONE || version < 1 || (version == 2 && v2_objects != 1))
    {
        report_store(path, "its schema is damaged; leaving it untouched");
        return WIN_ERROR_FILE_CORRUPT;
    }
    if (version > STORE_SCHEMA_VERSION)
    {
        report_store(path, "written by a newer version (schema " + std::to_string(version) + "); leaving it untouched");
        return WIN_ERROR_NOT_SUPPORTED;
    }
    /* quick_check reads every page: cheap for a store this size, done once per process, and it
     * catches truncation and damage that the queries above do not reach. */
    rc = query(db, "PRAGMA quick_check(1)", text, version);
    if (rc != SQLITE_ROW) return sqlite_failure(db, rc, path, "cannot check the store");
    if (text != "ok")
    {
        report_store(path, "failed its integrity check (" + text + "); leaving it untouched");
        return WIN_ERROR_FILE_CORRUPT;
    }
    return WIN_NO_ERROR;
}

uint32_t upgrade_schema(sqlite3 *db, const std::string &path)
{
    std::string text;
    int64_t version = -1;
    int rc = query(db, "SELECT value FROM meta WHERE key = 'schema_version'", text, version);
    if (rc != SQLITE_ROW) return sqlite_failure(db, rc, path, "cannot read the schema version");
    if (version >= STORE_SCHEMA_VERSION) return WIN_NO_ERROR;
    /* Only 1 -> 2 exists. BEGIN IMMEDIATE and a second look: another process may have upgraded
     * it meanwhile. */
    rc = sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
    if (rc == SQLITE_OK)
        rc = query(db, "SELECT value FROM meta WHERE key = 'schema_version'", text, version) == SQLITE_ROW
                 ? SQLITE_OK
                 : SQLITE_ERROR;
    if (rc == SQLITE_OK && version == 1)
        rc = sqlite3_exec(db, SCHEMA2_TABLE "UPDATE meta SET value = 2 WHERE key = 'schema_version';", nullptr, nullptr,
                          nullptr);
    if (rc == SQLITE_OK) rc = sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK)
    {
        uint32_t code = sqlite_failure(db, rc, path, "cannot upgrade it to schema 2");
        if (!sqlite3_get_autocommit(db)) sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
        return code;
    }
    return WIN_NO_ERROR;
}

} // namespace iphlp
