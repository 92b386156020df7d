// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Whether ports are in use, for CreatePersistent*PortReservation (ERROR_SHARING_VIOLATION).
 */
#pragma once

#include <cstdint>

#include "reservation_rules.h"

namespace iphlp {

/*
 * A port is in use when any socket of the protocol, IPv4 or IPv6, holds it: every socket the
 * kernel's socket dump shows with it as local port (TIME_WAIT leftovers excepted: they do not
 * hold a port for a new bind on Windows either), and for TCP also a socket that is bound but
 * neither listening nor connected, which no dump shows (netlink and /proc/net list only sockets
 * in the connection hash tables; issue 8 item 7: Create returned 0 on such a port while a second
 * bind() failed with EADDRINUSE). Those are found by a probe bind of each port with
 * SO_REUSEADDR, which succeeds past TIME_WAIT sockets and fails on a port a socket holds.
 */
PortUse ports_in_use(uint32_t proto, uint16_t first, uint16_t last);

} // namespace iphlp
