// SPDX-License-Identifier: LGPL-2.1-or-later
/* Reporting and mapping store failures; see reservation_errors.h. */
#include "reservation_errors.h"

#include <cstdio>
#include <cstring>

#include "reservation_rules.h"

namespace iphlp {

void report_store(const std::string &path, const std::string &reason)
{
    fprintf(stderr, "iphlp: port reservation store %s: %s\n", path.c_str(), reason.c_str());
}

uint32_t win_code(int rc)
{
    switch (rc & 0xff)
    {
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB: return WIN_ERROR_FILE_CORRUPT;
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
    case SQLITE_AUTH: return WIN_ERROR_OPEN_FAILED;
    case SQLITE_READONLY: /* readable, but not ours to change */ return WIN_ERROR_ACCESS_DENIED;
    case SQLITE_NOMEM: return WIN_ERROR_NOT_ENOUGH_MEMORY;
    case SQLITE_FULL: /* the disk (or the file size limit) is full */ return WIN_ERROR_DISK_FULL;
    default: return WIN_ERROR_INTERNAL_ERROR;
    }
}

uint32_t sqlite_failure(sqlite3 *db, int rc, const std::string &path, const std::string &what)
{
    uint32_t code = win_code(rc);
    std::string message = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    int err = db ? sqlite3_system_errno(db) : 0;
    if (code == WIN_ERROR_FILE_CORRUPT)
        report_store(path, what + ": corrupt (" + message + "); leaving it untouched");
    else if (code == WIN_ERROR_OPEN_FAILED && err != 0)
        report_store(path, what + ": " + message + ": " + strerror(err));
    else
        report_store(path, what + ": " + message);
    return code;
}

} // namespace iphlp
