// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Reading sockets from the Linux kernel: NETLINK_SOCK_DIAG (inet_diag) first, /proc/net files as the
 * fallback when netlink is refused. Both produce the same records into one reusable buffer, so a
 * call allocates nothing per row.
 */
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "unixlib.h"

namespace iphlp {

/* One kernel socket: the row as Windows will see it, plus what owner resolution needs. */
struct SocketRecord
{
    iphlp_socket_row row; /* owner_pid and create_time still 0 here */
    uint64_t inode;       /* 0 for sockets with no file (TIME_WAIT, orphans) */
    uint64_t cookie;      /* the kernel's socket cookie, never reused until reboot; 0 when unknown */
};

/* Which reader answered (read_sockets' *source; IPHLP_DEBUG names it). */
constexpr uint32_t IPHLP_SOURCE_NETLINK = 1;
constexpr uint32_t IPHLP_SOURCE_PROCFS = 2;

/* What to read: one protocol, one family, one TCP state filter (enum iphlp_filter). */
struct SocketQuery
{
    uint32_t proto;
    uint32_t family;
    uint32_t filter;
    /* TCP over netlink only: instead of the table's states, the sockets that are bound but
     * neither listening nor connected (TCP_BOUND_INACTIVE, Linux 6.8; they come as CLOSE). No
     * table shows them; the port reservations' in-use check needs them. */
    bool bound_inactive = false;
};

/* Reused from call to call: clear() keeps the capacity, so steady state allocates nothing. */
using SocketBuffer = std::vector<SocketRecord>;

/* Linux TCP state (1 = ESTABLISHED ... 12 = NEW_SYN_RECV) -> MIB_TCP_STATE. */
uint32_t mib_tcp_state_from_linux(unsigned linux_state);

/* Kernel state bitmask (1 << TCP_*) for inet_diag's idiag_states. */
uint32_t linux_state_mask(const SocketQuery &query);

/*
 * Parse one buffer of netlink messages (as received from a SOCK_DIAG_BY_FAMILY dump) and append
 * matching records. Returns 1 while more messages are expected, 0 at NLMSG_DONE, -errno on an
 * error message, -EBADMSG on truncated or malformed input (never reads past len).
 * The buffer must be 4-byte aligned (every receive buffer is). A truncated buffer appends
 * nothing; a bad message in the middle keeps the rows before it.
 */
int parse_inet_diag(const void *buf, size_t len, const SocketQuery &query, SocketBuffer &out);

/* Parse the whole text of /proc/net/{tcp,tcp6,udp,udp6}. 0 or -EBADMSG (rows before it kept). */
int parse_proc_net(const char *text, size_t len, const SocketQuery &query, SocketBuffer &out);

/* The read_* and parse_* functions APPEND to out; read_sockets() clears it first. */

/* Dump over NETLINK_SOCK_DIAG. 0, or -errno (e.g. -EACCES/-EPROTONOSUPPORT when refused). */
int read_sockets_netlink(const SocketQuery &query, SocketBuffer &out);

/* Read /proc/net/<proto><6>. 0 or -errno. */
int read_sockets_procfs(const SocketQuery &query, SocketBuffer &out);

/*
 * netlink, falling back to procfs when netlink fails; force_procfs is the test switch
 * (also set by the environment variable IPHLP_FORCE_PROCFS=1). Sets *source to
 * IPHLP_SOURCE_NETLINK or IPHLP_SOURCE_PROCFS (the last reader tried, even on failure).
 * Returns 0 or -errno.
 */
int read_sockets(const SocketQuery &query, bool force_procfs, SocketBuffer &out, uint32_t *source);

} // namespace iphlp
