// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The process's SQLite connection to the reservation store: one per process, cached, prepared
 * statements included, reopened when the path changes and closed before fork(). Creating and
 * vetting the file is reservation_file.cpp's job; what a reservation means is
 * reservation_rules.cpp's.
 */
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include <sqlite3.h>

namespace iphlp {

/* One open store. Only touched while with_store() holds the process-wide lock. */
struct StoreDb
{
    sqlite3 *db = nullptr;
    std::string path;
    /* Prepared once per connection: Lookup must cost well under 100 us. */
    sqlite3_stmt *begin = nullptr, *commit = nullptr, *rollback = nullptr;
    sqlite3_stmt *savepoint = nullptr, *release = nullptr, *rollback_to = nullptr; /* "body" */
    sqlite3_stmt *find = nullptr;   /* ?1 proto, ?2 first, ?3 last -> serial */
    sqlite3_stmt *insert = nullptr; /* ?1 proto, ?2 first, ?3 last */
    sqlite3_stmt *remove = nullptr; /* ?1 serial */
    sqlite3_stmt *list = nullptr;   /* ?1 proto -> first, last, serial */
    sqlite3_stmt *blocks = nullptr; /* -> serial, first, last of every block, both protocols, by serial */
    /* The kernel mirror of one namespace (reservation_mirror.cpp). */
    sqlite3_stmt *state_get = nullptr;   /* ?1 ns -> owned, pending_add, pending_remove, pending_list */
    sqlite3_stmt *state_put = nullptr;   /* ?1 ns, ?2 owned, ?3 pending_add, ?4 pending_remove, ?5 pending_list */
    sqlite3_stmt *state_prune = nullptr; /* ?1 "bootid/": drop the states of other boots */
    sqlite3_stmt *v1_owned = nullptr;    /* ?1 boot -> kernel_ports recorded by schema 1 this boot */
    sqlite3_stmt *v1_clear = nullptr;    /* forget schema 1's per-row bookkeeping */
};

/* A write transaction (BEGIN IMMEDIATE) that rolls back unless committed, whatever way the
 * scope is left: an early return, a failed COMMIT (SQLITE_BUSY leaves it open), or an exception
 * (std::bad_alloc from a std::string or PortSet copy inside it). Without this a throw left the
 * process's cached connection inside a write transaction, and every other process of the prefix
 * waited for the 5 s busy timeout and then failed. */
class Transaction
{
  public:
    explicit Transaction(StoreDb &store) : store_(store) {}
    ~Transaction();
    Transaction(const Transaction &) = delete;
    Transaction &operator=(const Transaction &) = delete;

    int begin();  /* SQLITE_DONE when started */
    int commit(); /* SQLITE_DONE when committed */

  private:
    StoreDb &store_;
    bool active_ = false;
};

/* Runs fn on the process's connection to path, opening it first when there is none yet or the
 * path changed. Returns the open failure (a Win32 code, already reported on stderr) or fn's
 * result. Calls are serialised by one process-wide mutex. fn must not touch the caller's
 * memory (a fault there would leave the mutex held): copy parameters in before, results out
 * after. An exception from fn is answered with ERROR_NOT_ENOUGH_MEMORY (std::bad_alloc) or
 * ERROR_INTERNAL_ERROR, after the transaction and the mutex have been released. */
uint32_t with_store(const std::string &path, const std::function<uint32_t(StoreDb &)> &fn);

/* Reports a failed SQLite call on stderr and maps it to a Win32 code. */
uint32_t store_error(const StoreDb &store, int rc, const char *what);

} // namespace iphlp
