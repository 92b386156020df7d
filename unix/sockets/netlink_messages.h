// SPDX-License-Identifier: LGPL-2.1-or-later
/* What every NETLINK_SOCK_DIAG answer is checked with before it is believed: the dump reader
 * (inet_diag.cpp) and the one-connection lookup (estats/tcp_lookup.cpp) share it. */
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include <libmnl/libmnl.h>

namespace iphlp {

/*
 * The kernel never puts more than about 32 KiB in one dump datagram (netlink caps its dump skbs
 * there), so 64 KiB always holds a whole one; libmnl still reports a truncated datagram (MSG_TRUNC)
 * as ENOSPC rather than handing us half of it.
 */
constexpr size_t RECEIVE_BUFFER_SIZE = 64 * 1024;

using NetlinkSocket = std::unique_ptr<mnl_socket, int (*)(mnl_socket *)>;

/* The kernel sends -errno; anything outside the errno range is not a kernel reply (-EBADMSG). */
int error_from_kernel(int32_t error);

/* Every nlmsg_len within LEN bytes, checked unsigned (see inet_diag.cpp); false when the last
 * message is cut. */
bool whole_messages(const void *buf, int len);

/* No attribute of the inet_diag message runs past its end. */
bool attributes_well_formed(const nlmsghdr *nlh);

} // namespace iphlp
