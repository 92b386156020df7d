// SPDX-License-Identifier: LGPL-2.1-or-later
#include "socket_rows.h"

#include "unix_call.h"

SocketSnapshot::~SocketSnapshot()
{
    if (rows_) HeapFree(GetProcessHeap(), 0, rows_);
}

DWORD SocketSnapshot::fetch(const SocketQuery &query, UINT32 capacity)
{
    if (capacity)
    {
        rows_ = (iphlp_socket_row *)HeapAlloc(GetProcessHeap(), 0, (SIZE_T)capacity * sizeof(*rows_));
        if (!rows_) return ERROR_NOT_ENOUGH_MEMORY;
    }
    iphlp_socket_table_params params = {};
    params.proto = query.proto;
    params.family = query.family;
    params.filter = query.filter;
    params.flags = query.flags;
    params.rows = (UINT64)(ULONG_PTR)rows_;
    params.capacity = capacity;
    NTSTATUS status = iphlp_unix_call(unix_socket_table, &params);
    count_ = params.count;
    return win32_from_unix_status(status);
}
