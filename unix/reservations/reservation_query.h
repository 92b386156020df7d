// SPDX-License-Identifier: LGPL-2.1-or-later
/* A small RAII wrapper for the store's cached prepared statements. */
#pragma once

#include <cstdint>
#include <string>

#include <sqlite3.h>

namespace iphlp {

/* One use of a cached statement; resets it afterwards so it is ready for the next call and
 * holds no read snapshot open. */
class Query
{
  public:
    explicit Query(sqlite3_stmt *stmt) : stmt_(stmt) {}
    ~Query()
    {
        sqlite3_reset(stmt_);
        sqlite3_clear_bindings(stmt_);
    }
    Query(const Query &) = delete;
    Query &operator=(const Query &) = delete;

    Query &bind(int index, int64_t value)
    {
        sqlite3_bind_int64(stmt_, index, value);
        return *this;
    }
    Query &bind(int index, const std::string &value)
    {
        sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
        return *this;
    }
    Query &bind_null(int index)
    {
        sqlite3_bind_null(stmt_, index);
        return *this;
    }
    int step() { return sqlite3_step(stmt_); }
    int64_t integer(int column) { return sqlite3_column_int64(stmt_, column); }
    std::string text(int column)
    {
        const unsigned char *text = sqlite3_column_text(stmt_, column);
        return text ? reinterpret_cast<const char *>(text) : "";
    }
    bool is_null(int column) { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }

  private:
    sqlite3_stmt *stmt_;
};

/* Steps a statement that returns no rows: SQLITE_DONE on success. */
inline int run(sqlite3_stmt *stmt) { return Query(stmt).step(); }

} // namespace iphlp
