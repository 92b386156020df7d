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
#include <vector>

#include "winsock_blocks.h"

namespace iphlp {

std::string port_view_path(const StoreConfig &cfg);

/* What port_view_sync read and did. */
struct PortViewSync
{
    uint32_t blocks_result = WIN_ERROR_NOT_FOUND; /* the store's Win32 code: `blocks` is valid when 0 */
    uint32_t view_result = WIN_ERROR_NOT_FOUND;   /* 0 once the view matches `blocks` */
    std::vector<PortBlock> blocks;                /* all_blocks(), read under the view's lock */
};

/* Reads every block under the view's lock and rewrites the view from them where it differs
 * (a block created, deleted, acquired, released or reclaimed since): a view that is current is
 * not written. Where the view cannot be opened for writing (a read-only prefix directory) the
 * blocks are still read, without the lock. Failures leave the old view. */
PortViewSync port_view_sync(const StoreConfig &cfg);

/* port_view_sync for its effect. Win32 code: the store's, else the view's. */
uint32_t port_view_refresh(const StoreConfig &cfg);

/* Brings the view up to date, then maps it (once per process and path). Win32 code. */
uint32_t port_view_map(const StoreConfig &cfg, const uint8_t **view);

} // namespace iphlp
