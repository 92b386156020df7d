// SPDX-License-Identifier: LGPL-2.1-or-later
#include "winsock_blocks.h"

#include "runtime_blocks.h"

namespace iphlp {

uint32_t persistent_blocks(const StoreConfig &cfg, std::vector<PortBlock> &out)
{
    for (uint32_t proto : {uint32_t(IPHLP_TCP), uint32_t(IPHLP_UDP)})
    {
        std::vector<Reservation> list;
        if (uint32_t rc = reservation_list(cfg, proto, list)) return rc;
        for (const Reservation &r : list) out.push_back({proto, r.start_port, r.num_ports, r.token, false});
    }
    return WIN_NO_ERROR;
}

uint32_t all_blocks(const StoreConfig &cfg, std::vector<PortBlock> &out)
{
    out.clear();
    if (uint32_t rc = persistent_blocks(cfg, out)) return rc;
    return runtime_list(cfg, out);
}

} // namespace iphlp
