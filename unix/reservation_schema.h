/*
 * The store's schema: creating it in a new database and recognising it in an existing one.
 * A future schema bumps kStoreSchemaVersion and migrates older stores in check_schema().
 */
#pragma once

#include <cstdint>
#include <string>

#include <sqlite3.h>

namespace iphlp {

/* 'IPHR' in the database header's application id field (offset 68) marks a file as ours. */
constexpr uint32_t kStoreApplicationId = 0x49504852;
constexpr int kStoreSchemaVersion = 1;

/* Creates the tables in an empty database, inside the caller's transaction. */
int create_schema(sqlite3 *db);

/* Whether db holds our schema intact: NO_ERROR, or a reported FILE_CORRUPT / NOT_SUPPORTED
 * (a newer schema) / the failure's code. */
uint32_t check_schema(sqlite3 *db, const std::string &path);

} // namespace iphlp
