// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * IPv6 scope ids. Windows reports an interface index next to every link-local (fe80::/10)
 * address. inet_diag hands it to us (idiag_if); /proc/net/tcp6 does not, so the procfs reader
 * looks the socket's local address up in /proc/net/if_inet6.
 */
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "sockets.h"

namespace iphlp {

inline bool is_ipv6_link_local(const uint8_t *addr) { return addr[0] == 0xfe && (addr[1] & 0xc0) == 0x80; }

/* One configured link-local address and the interface it lives on. */
struct InterfaceAddress
{
    uint8_t addr[16];
    uint32_t ifindex;
};

/* Reused from call to call, like SocketBuffer. */
using InterfaceAddresses = std::vector<InterfaceAddress>;

/* Parse the whole text of /proc/net/if_inet6 and append its link-local addresses.
 * 0, or -EBADMSG on a malformed or truncated line (entries before it kept). */
int parse_if_inet6(const char *text, size_t len, InterfaceAddresses &out);

/*
 * Give the link-local IPv6 records of [first, last) the interface index of their local address;
 * a link-local remote address gets the same index (a link-local peer is only reachable over the
 * local address's link). An address configured on several interfaces takes the first one listed;
 * an address not found keeps scope id 0.
 */
void apply_link_local_scopes(const InterfaceAddresses &table, SocketRecord *first, SocketRecord *last);

} // namespace iphlp
