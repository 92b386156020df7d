// SPDX-License-Identifier: LGPL-2.1-or-later
/* One TCP connection through NETLINK_SOCK_DIAG: the exact lookup behind GetPer*ConnectionEStats and
 * SetTcpEntry, and SOCK_DESTROY. The message checks are the dump reader's (sockets/netlink_messages.h). */
#pragma once

#include <cstddef>
#include <cstdint>

#include "unixlib.h"

namespace iphlp {

/* One TCP connection found by its addresses and ports (GetPerTcpConnectionEStats, SetTcpEntry). */
struct TcpConnection
{
    uint32_t linux_state;
    uint32_t rqueue, wqueue;   /* inet_diag_msg idiag_rqueue / idiag_wqueue */
    uint32_t info_len;         /* bytes of INET_DIAG_INFO copied into info (0: the kernel sent none) */
    uint64_t cookie;           /* the socket's kernel cookie (identifies it for SOCK_DESTROY) */
    iphlp_linux_tcp_info info; /* zero past info_len */
};

/*
 * Parse the kernel's answer to an exact (non-dump) SOCK_DIAG_BY_FAMILY request for `key`.
 * 0: out is filled; -ENOENT: no such connection, including a socket that does not have exactly
 * the key's addresses and ports (the kernel's lookup falls back to a listener of the local port);
 * another -errno from an error message; -EBADMSG for truncated or malformed input. IPv4 keys
 * also match IPv6 sockets that carry the connection as v4-mapped addresses (dual-stack sockets).
 */
int parse_tcp_connection(const void *buf, size_t len, const iphlp_tcp_key &key, TcpConnection &out);

/* Ask the kernel for that one connection, with its tcp_info. 0 or -errno (see above). */
int query_tcp_connection(const iphlp_tcp_key &key, TcpConnection &out);

/* SOCK_DESTROY of the connection `key` whose cookie is `cookie` (from query_tcp_connection): the
 * kernel refuses a different socket (-ENOENT; -ESTALE on older kernels) and says -ENOENT when it is gone. -EPERM without
 * CAP_NET_ADMIN, -EOPNOTSUPP when built without CONFIG_INET_DIAG_DESTROY. 0 or -errno. */
int destroy_tcp_connection(const iphlp_tcp_key &key, uint64_t cookie);

/* The answer of a netlink acknowledgement buffer: 0, -errno, or -EBADMSG. */
int parse_netlink_ack(const void *buf, size_t len);

} // namespace iphlp
