// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Fetching sockets from the Unix side and laying them out as Windows tables. Every table
 * function (GetTcpTable2, GetTcp6Table2, ...) is one call to get_socket_table() with the table
 * and row types and a function that lays out one row.
 */
#pragma once

#include <winsock2.h>
#include <ws2tcpip.h>
#include <iphlpapi.h>

#include <cstddef>
#include <cstring>

#include "unixlib.h"

struct SocketQuery
{
    UINT32 proto;  /* IPHLP_TCP / IPHLP_UDP */
    UINT32 family; /* IPHLP_INET4 / IPHLP_INET6 */
    UINT32 filter; /* IPHLP_FILTER_* */
    UINT32 flags;  /* IPHLP_WANT_* (IPHLP_SORT is added from the Order argument) */
};

/* Rows fetched by one Unix call into a scratch buffer owned by this object. */
class SocketSnapshot
{
  public:
    ~SocketSnapshot();
    /* One kernel enumeration. capacity 0 asks only for the count. Returns a Win32 code:
     * NO_ERROR (rows() valid), ERROR_INSUFFICIENT_BUFFER (count() valid), or another error. */
    DWORD fetch(const SocketQuery &query, UINT32 capacity);
    UINT32 count() const { return count_; }
    const iphlp_socket_row &operator[](UINT32 i) const { return rows_[i]; }

  private:
    iphlp_socket_row *rows_ = nullptr;
    UINT32 count_ = 0;
};

/*
 * The sizing rules shared by every table function (docs/windows-behavior.md, "Arguments and sizes"):
 * NULL size -> ERROR_INVALID_PARAMETER; NULL table or *size below FIELD_OFFSET(Table, table[n])
 * -> ERROR_INSUFFICIENT_BUFFER with that size written and nothing else touched; otherwise the
 * table is written and *size is left as the caller gave it.
 */
template <class Table, class Row, class Fill>
DWORD get_socket_table(void *table_out, ULONG *size, BOOL order, SocketQuery query, Fill fill)
{
    constexpr size_t header = offsetof(Table, table);
    if (!size) return ERROR_INVALID_PARAMETER;

    /* Ask only for as many rows as the caller's buffer can take: when it is too small the
     * Unix side just counts (no owners, no copying), which makes the usual size probe cheap. */
    UINT32 capacity = 0;
    if (table_out && *size > header)
    {
        size_t fit = (*size - header) / sizeof(Row);
        constexpr size_t max_rows = 1u << 20; /* bounds the scratch buffer (64 MiB) */
        capacity = (UINT32)(fit < max_rows ? fit : max_rows);
    }
    if (order) query.flags |= IPHLP_SORT;

    SocketSnapshot snapshot;
    DWORD err = snapshot.fetch(query, capacity);
    if (err != NO_ERROR && err != ERROR_INSUFFICIENT_BUFFER) return err;

    size_t needed = header + (size_t)snapshot.count() * sizeof(Row);
    if (!table_out || *size < needed)
    {
        *size = (ULONG)needed;
        return ERROR_INSUFFICIENT_BUFFER;
    }
    /* The caller's buffer is large enough, but there are more rows than max_rows: answering
     * ERROR_INSUFFICIENT_BUFFER here would make every caller's retry loop spin forever. */
    if (err == ERROR_INSUFFICIENT_BUFFER) return ERROR_NOT_ENOUGH_MEMORY;
    auto *table = static_cast<Table *>(table_out);
    table->dwNumEntries = snapshot.count();
    for (UINT32 i = 0; i < snapshot.count(); i++)
    {
        Row row;
        memset(&row, 0, sizeof(row));
        fill(row, snapshot[i]);
        memcpy(&table->table[i], &row, sizeof(row));
    }
    return NO_ERROR;
}

/* The IPv4 or the IPv6 table of one table class (GetExtended*Table's ulAf): the same rows, laid out
 * as Table4/Row4 by FILL4 or as Table6/Row6 by FILL6. */
template <typename Table4, typename Row4, typename Table6, typename Row6, typename Fill4, typename Fill6>
DWORD get_family_table(bool ipv4, void *table_out, PULONG size, BOOL order, SocketQuery query, Fill4 fill4, Fill6 fill6)
{
    if (ipv4) return get_socket_table<Table4, Row4>(table_out, size, order, query, fill4);
    return get_socket_table<Table6, Row6>(table_out, size, order, query, fill6);
}

/* Field helpers: addresses stay in network order; a port goes in the low 16 bits of a DWORD
 * with the upper 16 bits zero (Windows documents them as "may be uninitialized"; we zero). */
inline DWORD ipv4_of(const UINT8 addr[16])
{
    DWORD v;
    memcpy(&v, addr, sizeof(v));
    return v;
}
inline DWORD port_of(UINT16 network_order_port) { return (DWORD)network_order_port; }
