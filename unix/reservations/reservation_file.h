// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * What stands at the store's path, before a read-write connection is opened on it.
 *
 * A new store is built beside the path (path + ".init") and renamed into place complete, so
 * the path never holds a half-made store, whatever moment a process is killed at. The path is
 * first claimed by creating an empty placeholder there, and builders serialise on an flock of
 * that placeholder, so two processes never both replace it. A 0-byte file is therefore taken
 * for such a placeholder (an interrupted creation, or a `touch`) and the store is built over
 * it; it holds no data to lose. We create the store file but never a directory: the Wine prefix
 * exists before any DLL runs, and a missing directory means a wrong path.
 *
 * An existing non-empty file must carry our application id in its SQLite header (read with
 * plain read(2), so a foreign file is not even opened by SQLite) and then pass the schema and
 * quick_check through a read-only connection, which cannot write to it (no hot-journal
 * rollback, no checkpoint). Anything else is reported and left byte-for-byte as it was.
 *
 * Other users must not be able to open, lock or replace any of it (a read lock on the -shm file
 * stalled every call for 5 s): the store is created 0600 (SQLite gives -wal, -shm and -journal
 * the store's mode), a store of ours found with group/other bits is made 0600 before SQLite
 * opens anything, and the store's directory must be writable by no other user (its owner's
 * personal group excepted), else ERROR_ACCESS_DENIED. docs/reservations.md, "Who can touch the
 * store", has the rules and why the store does not move.
 */
#pragma once

#include <cstdint>
#include <string>

namespace iphlp {

/* How long a connection waits for another process's write lock before giving up; a commit
 * takes milliseconds, so this is only reached when something is badly stuck. */
constexpr int STORE_BUSY_TIMEOUT_MS = 5000;

/* NO_ERROR when path holds our store (created now if needed), else a reported error code.
 * validated is false when the read-only connection could not check the schema, which happens
 * only to our own store left with a hot rollback journal; the read-write connection, which
 * rolls the journal back, must check it then. */
uint32_t prepare_store_file(const std::string &path, bool &validated);

} // namespace iphlp
