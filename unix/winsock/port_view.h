// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The reserved-port view: a file of IPHLP_PORT_VIEW_BYTES beside the reservation store (the
 * store's path + "-ports"), one bit per port, TCP then UDP, set for every port of every block
 * (winsock_blocks.h). Every process maps it read-only and shared, so the ws2_32 companion sees
 * each change as soon as it is written and tests a bind's port with one memory read, without a
 * unix call. Rewritten whole, under an exclusive flock, from the blocks read while holding it:
 * of two concurrent rewrites the later one reads the later state, so the file never goes back
 * to an older one. A bit that is set but stale only costs the slow path (a unix call that
 * answers from the store), never a wrong refusal.
 */
#pragma once

#include <cstdint>
#include <string>

#include "reservation_rules.h"

namespace iphlp {

std::string port_view_path(const StoreConfig &cfg);

/* Rewrites the view from the blocks. Win32 code; failures leave the old view. */
uint32_t port_view_refresh(const StoreConfig &cfg);

/* Refreshes the view, then maps it (once per process and path). Win32 code. */
uint32_t port_view_map(const StoreConfig &cfg, const uint8_t **view);

} // namespace iphlp
