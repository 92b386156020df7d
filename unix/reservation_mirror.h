/*
 * Bookkeeping of the kernel mirror across rows (kernel_reserved_ports.h does the file): putting
 * blocks back after a reboot, and sharing ports between TCP and UDP blocks.
 */
#pragma once

#include <cstdint>
#include <string>

#include "kernel_reserved_ports.h"
#include "reservation_db.h"

namespace iphlp {

/* Re-mirrors, in a transaction of its own, the rows last mirrored during another boot. Does
 * the work once per process and boot; failures are reported, never returned. */
void refresh_kernel_mirrors(StoreDb &store, const std::string &boot, const std::string &kernel_path);

/* Inside the caller's write transaction, before the block (proto, first..last) releases ports:
 * hands those still inside a block of the other protocol over to that block's row, and removes
 * them from ports. Returns SQLITE_DONE or the failure. */
int hand_over_shared_ports(StoreDb &store, const std::string &boot, uint32_t proto, uint16_t first,
                           uint16_t last, PortSet &ports);

} // namespace iphlp
