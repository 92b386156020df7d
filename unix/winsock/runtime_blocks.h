// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Runtime port reservations (SIO_ACQUIRE_PORT_RESERVATION): blocks owned by one process, kept
 * in their own small SQLite file beside the reservation store (the store's path + "-runtime"),
 * so that every process of the prefix, of either bitness, sees them. A block records its owner
 * as Unix pid plus that process's start time (/proc/PID/stat), so a reused pid is not taken
 * for the owner. Any call that reads the blocks first deletes those whose owner is gone: a
 * process killed with SIGKILL loses its blocks at the next call of any process.
 */
#pragma once

#include <cstdint>
#include <vector>

#include "kernel_reserved_ports.h"
#include "winsock_blocks.h"

namespace iphlp {

/* Appends the live runtime blocks of both protocols (reclaiming dead ones). Win32 code. */
uint32_t runtime_list(const StoreConfig &cfg, std::vector<PortBlock> &out);

/* Adds the ports of the live runtime blocks to `ports`, reading only (no dead block reclaimed,
 * no lock of the kernel's list taken): StoreConfig::runtime_ports, for the persistent mirror.
 * false when the blocks cannot be read; true when there are none. */
bool runtime_live_ports(const StoreConfig &cfg, PortSet &ports);

/* start 0: the first free block of num_ports in the dynamic range 49152-65535. Win32 code:
 * ERROR_INVALID_PARAMETER, ERROR_SHARING_VIOLATION (a port in use or in another block),
 * ERROR_NOT_FOUND (start 0 and no free block). */
uint32_t runtime_acquire(const StoreConfig &cfg, uint32_t proto, uint16_t start, uint16_t count, uint64_t *token,
                         uint16_t *start_out);

/* ERROR_NOT_FOUND (no such block), ERROR_ACCESS_DENIED (another process's). */
uint32_t runtime_release(const StoreConfig &cfg, uint64_t token);

} // namespace iphlp
