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
 * kernel's socket dump shows with it as local port, TIME_WAIT leftovers excepted (Windows lets a
 * new socket bind such a port; docs/windows-behavior.md), and for TCP also every socket that is
 * bound but neither listening nor connected, whatever its SO_REUSEADDR/SO_REUSEPORT (Wine sets
 * SO_REUSEADDR on every Windows TCP socket). Those come from the dump's bound-inactive state on
 * Linux 6.8 and later; before it, from a probe bind without SO_REUSEADDR, which cannot tell a
 * TIME_WAIT leftover from a holder and so counts both.
 */
PortUse ports_in_use(uint32_t proto, uint16_t first, uint16_t last);

} // namespace iphlp
