// SPDX-License-Identifier: LGPL-2.1-or-later
/* Turning a socket snapshot into the rows the PE side receives. */
#pragma once

#include <cstdint>

#include "sockets.h"

namespace iphlp {

/* Windows' Order=TRUE: local address, local scope id, local port, remote address, remote scope
 * id, remote port, all ascending as numbers (addresses compared as network-order bytes, which is
 * numeric order; ports after ntohs). Wine 8.0 compares only the first two octets (its bug). */
bool row_before(const iphlp_socket_row &a, const iphlp_socket_row &b);

/* Copies records[i].row to out[0..records.size()), in Windows order when sort is set. */
void copy_rows(const SocketBuffer &records, bool sort, iphlp_socket_row *out);

} // namespace iphlp
