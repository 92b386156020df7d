// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The store's schema: creating it in a new database and recognising it in an existing one.
 * Schema 2 added the kernel_mirror table (the kernel list bookkeeping per boot and network
 * namespace); upgrade_schema() adds it to a schema 1 store, which loses nothing.
 */
#pragma once

#include <cstdint>
#include <string>

#include <sqlite3.h>

namespace iphlp {

/* 'IPHR' in the database header's application id field (offset 68) marks a file as ours. */
constexpr uint32_t STORE_APPLICATION_ID = 0x49504852;
constexpr int STORE_SCHEMA_VERSION = 2;

/* Creates the tables in an empty database, inside the caller's transaction. */
int create_schema(sqlite3 *db);

/* Whether db holds our schema intact: NO_ERROR, or a reported FILE_CORRUPT / NOT_SUPPORTED
 * (a newer schema) / the failure's code. */
uint32_t check_schema(sqlite3 *db, const std::string &path);

/* Brings a checked store of an older schema up to STORE_SCHEMA_VERSION, in one transaction on
 * the read-write connection. NO_ERROR when nothing was to do or it worked. */
uint32_t upgrade_schema(sqlite3 *db, const std::string &path);

} // namespace iphlp
