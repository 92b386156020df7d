// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The process's connection to the reservation store.
 *
 * Durability: journal_mode=WAL (set when the store is created, reservation_file.cpp) with
 * synchronous=FULL. FULL makes every commit fsync the WAL before COMMIT returns, so a
 * reservation that Create reported survives a host crash or power loss (WAL with
 * synchronous=NORMAL may lose the last commits there). WAL rather than a rollback journal
 * because a commit then costs one fsync instead of several, and readers (Lookup) never wait
 * for a writer. Either mode survives a process killed at any instant.
 */
#include "reservation_store.h"

#include <cstdio>
#include <memory>
#include <mutex>
#include <new>
#include <pthread.h>

#include "reservation_errors.h"
#include "reservation_file.h"
#include "reservation_query.h"
#include "reservation_schema.h"
#include "reservation_rules.h"

namespace iphlp {

namespace {

void close_store(StoreDb &store)
{
    for (sqlite3_stmt *stmt : {store.begin, store.commit, store.rollback, store.savepoint, store.release,
                               store.rollback_to, store.find, store.insert, store.remove, store.list, store.blocks,
                               store.state_get, store.state_put, store.state_prune, store.v1_owned, store.v1_clear})
        sqlite3_finalize(stmt);
    sqlite3_close(store.db);
    store.db = nullptr;
}

int prepare(StoreDb &store)
{
    const struct
    {
        sqlite3_stmt **stmt;
        const char *sql;
    } statements[] = {
        {&store.begin, "BEGIN IMMEDIATE"}, /* take the write lock before reading: no lost updates */
        {&store.commit, "COMMIT"},
        {&store.rollback, "ROLLBACK"},
        {&store.savepoint, "SAVEPOINT body"},
        {&store.release, "RELEASE body"},
        {&store.rollback_to, "ROLLBACK TO body"},
        {&store.find, "SELECT serial FROM reservations WHERE proto = ?1 AND first_port = ?2 AND last_port = ?3"},
        {&store.insert, "INSERT INTO reservations(proto, first_port, last_port) VALUES(?1, ?2, ?3)"},
        {&store.remove, "DELETE FROM reservations WHERE serial = ?1"},
        {&store.list, "SELECT first_port, last_port, serial FROM reservations WHERE proto = ?1 ORDER BY first_port"},
        {&store.blocks, "SELECT serial, first_port, last_port FROM reservations ORDER BY serial"},
        {&store.state_get, "SELECT owned, pending_add, pending_remove, pending_list FROM kernel_mirror WHERE ns = ?1"},
        {&store.state_put, "INSERT OR REPLACE INTO kernel_mirror(ns, owned, pending_add, pending_remove, pending_list)"
                           " VALUES(?1, ?2, ?3, ?4, ?5)"},
        {&store.state_prune, "DELETE FROM kernel_mirror WHERE substr(ns, 1, length(?1)) <> ?1"},
        {&store.v1_owned, "SELECT kernel_ports FROM reservations WHERE kernel_boot = ?1 AND kernel_ports <> ''"},
        {&store.v1_clear, "UPDATE reservations SET kernel_boot = NULL, kernel_mirrored = 0, kernel_ports = ''"
                          " WHERE kernel_boot IS NOT NULL"},
    };
    for (const auto &s : statements)
    {
        int rc = sqlite3_prepare_v3(store.db, s.sql, -1, SQLITE_PREPARE_PERSISTENT, s.stmt, nullptr);
        if (rc != SQLITE_OK) return rc;
    }
    return SQLITE_OK;
}

/* Opens path read-write, after prepare_store_file() made sure it holds our store. */
uint32_t open_store(const std::string &path, StoreDb &store)
{
    bool validated = false;
    uint32_t code = prepare_store_file(path, validated);
    if (code != WIN_NO_ERROR) return code;
    store.path = path;
    int rc = sqlite3_open_v2(path.c_str(), &store.db, SQLITE_OPEN_READWRITE, nullptr);
    if (rc == SQLITE_OK)
    {
        sqlite3_extended_result_codes(store.db, 1);
        sqlite3_busy_timeout(store.db, STORE_BUSY_TIMEOUT_MS);
        rc = sqlite3_exec(store.db, "PRAGMA synchronous=FULL", nullptr, nullptr, nullptr);
    }
    if (rc == SQLITE_OK && !validated) code = check_schema(store.db, path);
    if (rc == SQLITE_OK && code == WIN_NO_ERROR) code = upgrade_schema(store.db, path);
    if (rc == SQLITE_OK && code == WIN_NO_ERROR) rc = prepare(store);
    if (rc != SQLITE_OK) code = sqlite_failure(store.db, rc, path, "cannot open");
    if (code != WIN_NO_ERROR) close_store(store);
    return code;
}

std::mutex store_mutex;
StoreDb *current_store;

void drop_current_store()
{
    if (current_store)
    {
        close_store(*current_store);
        delete current_store;
        current_store = nullptr;
    }
}

/*
 * fork(): SQLite forbids using a connection in the child (sqlite.org/howtocorrupt.html), and
 * merely opening the same file again there is unsafe too, because the child inherits SQLite's
 * per-process lock bookkeeping but not the parent's fcntl locks. So the connection is closed
 * in the parent before any fork (and reopened on the next call); the mutex is held across the
 * fork so that no thread is inside SQLite at that moment. Wine's CreateProcess forks too, so a
 * process that starts others pays one reopen (header and schema check) per store call after
 * each start, and a fork waits for a store call in progress.
 */
void before_fork()
{
    store_mutex.lock();
    drop_current_store();
}

void after_fork() { store_mutex.unlock(); }

} // namespace

Transaction::~Transaction()
{
    /* Also when COMMIT failed: SQLite keeps the transaction open after SQLITE_BUSY. */
    if (active_ && !sqlite3_get_autocommit(store_.db)) run(store_.rollback);
}

int Transaction::begin()
{
    int rc = run(store_.begin);
    active_ = rc == SQLITE_DONE;
    return rc;
}

int Transaction::commit()
{
    int rc = run(store_.commit);
    if (rc == SQLITE_DONE) active_ = false;
    return rc;
}

uint32_t store_error(const StoreDb &store, int rc, const char *what)
{
    return sqlite_failure(store.db, rc, store.path, what);
}

uint32_t with_store(const std::string &path, const std::function<uint32_t(StoreDb &)> &fn)
{
    static std::once_flag fork_handlers;
    std::call_once(fork_handlers, [] { pthread_atfork(before_fork, after_fork, after_fork); });

    std::lock_guard<std::mutex> lock(store_mutex);
    if (current_store && current_store->path != path) drop_current_store();
    if (!current_store)
    {
        auto store = std::make_unique<StoreDb>();
        uint32_t code = open_store(path, *store);
        if (code != WIN_NO_ERROR) return code;
        current_store = store.release();
    }
    /* The Transaction and Query objects of fn have rolled back and reset by the time an
     * exception arrives here; the connection stays usable. */
    try
    {
        return fn(*current_store);
    }
    catch (const std::bad_alloc &)
    {
        report_store(path, "out of memory");
        return WIN_ERROR_NOT_ENOUGH_MEMORY;
    }
    catch (const std::exception &e)
    {
        report_store(path, std::string("internal error: ") + e.what());
        return WIN_ERROR_INTERNAL_ERROR;
    }
}

} // namespace iphlp
