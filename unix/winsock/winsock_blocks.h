// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The reserved blocks as the ws2_32 companion sees them: every persistent block of the store
 * (reservation_rules.h, read through reservation_list only, so that the store's schema stays
 * the reservations area's business) and every live runtime block (runtime_blocks.h).
 */
#pragma once

#include <cstdint>
#include <vector>

#include "reservation_rules.h"

namespace iphlp {

struct PortBlock
{
    uint32_t proto; /* enum iphlp_proto */
    uint16_t start_port;
    uint16_t num_ports;
    uint64_t token;
    bool runtime;
    bool contains(uint16_t port) const
    {
        return port >= start_port && uint32_t(port) < uint32_t(start_port) + num_ports;
    }
};

/* Appends the persistent blocks of both protocols. Returns a Win32 code (the store's, when it
 * cannot be read). */
uint32_t persistent_blocks(const StoreConfig &cfg, std::vector<PortBlock> &out);

/* Every block of both protocols, persistent then runtime (replacing out). Win32 code. */
uint32_t all_blocks(const StoreConfig &cfg, std::vector<PortBlock> &out);

} // namespace iphlp
