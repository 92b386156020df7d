// SPDX-License-Identifier: LGPL-2.1-or-later
/* How the reservation store reports trouble: one line on stderr naming the store, plus a
 * Win32 code for the caller. */
#pragma once

#include <cstdint>
#include <string>

#include <sqlite3.h>

namespace iphlp {

void report_store(const std::string &path, const std::string &reason);

/* The Win32 code for a SQLite result code. */
uint32_t win_code(int rc);

/* Reports a failed SQLite call on db (what: which step failed) and maps it. Corruption is
 * worded as such, and a failed open names the system error (e.g. "Permission denied"). */
uint32_t sqlite_failure(sqlite3 *db, int rc, const std::string &path, const std::string &what);

} // namespace iphlp
