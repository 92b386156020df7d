/*
 * The process's SQLite connection to the reservation store: one per process, cached, prepared
 * statements included, reopened when the path changes and closed before fork(). Creating and
 * vetting the file is reservation_file.cpp's job; what a reservation means is
 * reservation_store.cpp's.
 */
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include <sqlite3.h>

namespace iphlp {

/* One open store. Only touched while with_store() holds the process-wide lock. */
struct StoreDb
{
    sqlite3 *db = nullptr;
    std::string path;
    /* The boot id for which this process has re-mirrored older boots' rows into the kernel
     * list (reservation_mirror.cpp); empty until the first call. */
    std::optional<std::string> mirrors_boot;
    /* Prepared once per connection: Lookup must cost well under 100 us. */
    sqlite3_stmt *begin = nullptr, *commit = nullptr, *rollback = nullptr;
    sqlite3_stmt *find = nullptr;       /* ?1 proto, ?2 first, ?3 last -> serial, kernel_boot, kernel_ports */
    sqlite3_stmt *insert = nullptr;     /* ?1 proto, ?2 first, ?3 last */
    sqlite3_stmt *set_mirror = nullptr; /* ?1 serial, ?2 kernel_boot, ?3 kernel_mirrored, ?4 kernel_ports */
    sqlite3_stmt *remove = nullptr;     /* ?1 serial */
    sqlite3_stmt *list = nullptr;       /* ?1 proto -> first, last, serial, kernel_mirrored, kernel_boot */
    sqlite3_stmt *stale = nullptr;      /* ?1 boot id -> serial, first, last of rows mirrored in another boot */
    sqlite3_stmt *other_proto = nullptr; /* ?1 proto, ?2 first, ?3 last, ?4 boot id -> serial, first, last,
                                            kernel_mirrored, kernel_ports of the other protocol's
                                            blocks overlapping first..last, mirrored this boot */
};

/* Runs fn on the process's connection to path, opening it first when there is none yet or the
 * path changed. Returns the open failure (a Win32 code, already reported on stderr) or fn's
 * result. Calls are serialised by one process-wide mutex. */
uint32_t with_store(const std::string &path, const std::function<uint32_t(StoreDb &)> &fn);

/* Reports a failed SQLite call on stderr and maps it to a Win32 code. */
uint32_t store_error(const StoreDb &store, int rc, const char *what);

} // namespace iphlp
