// SPDX-License-Identifier: LGPL-2.1-or-later
/* One socket record as a line of the test's output, for the readers' tests to show what they
 * expected and what they got. Include after cmocka.h. */
#pragma once

#include <arpa/inet.h>

#include "sockets.h"

static inline void print_record(const char *what, const iphlp::SocketRecord &rec, uint32_t family)
{
    char local[INET6_ADDRSTRLEN], remote[INET6_ADDRSTRLEN];
    int af = family == IPHLP_INET6 ? AF_INET6 : AF_INET;
    inet_ntop(af, rec.row.local_addr, local, sizeof(local));
    inet_ntop(af, rec.row.remote_addr, remote, sizeof(remote));
    print_message("%s: %s%%%u port %u -> %s%%%u port %u state %u inode %llu\n", what, local, rec.row.local_scope_id,
                  ntohs(rec.row.local_port), remote, rec.row.remote_scope_id, ntohs(rec.row.remote_port), rec.row.state,
                  (unsigned long long)rec.inode);
}
