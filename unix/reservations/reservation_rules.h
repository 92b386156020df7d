// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Persistent TCP/UDP port reservations (CreatePersistentTcpPortReservation and friends), kept in
 * an embedded SQLite database inside the Wine prefix. Every change is one transaction; several
 * processes may use one store at once. A store that cannot be opened or is corrupt yields an
 * error code and a message on stderr, and is never rewritten or reset.
 */
#pragma once

#include <bitset>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "unixlib.h"

namespace iphlp {

/* The Win32 codes the store answers with are enum iphlp_win32_error (include/unixlib.h): they
 * cross the unix-call boundary in the result fields. */

/* What StoreConfig::port_in_use found out about a block. */
enum class PortUse
{
    free,
    in_use,
    unknown, /* the sockets could not be read: Create fails rather than guess */
};

/* Where things live; every path can be redirected, which is how the unit tests isolate. */
struct StoreConfig
{
    std::string db_path;              /* SQLite file */
    std::string boot_id_path;         /* normally /proc/sys/kernel/random/boot_id */
    std::string kernel_reserved_path; /* normally /proc/sys/net/ipv4/ip_local_reserved_ports */
    std::string port_range_path;      /* normally /proc/sys/net/ipv4/ip_local_port_range; "" = no cap */
    std::string lock_dir;             /* reservation_lock.h: /run/iphlp for root */
    /* Answers "is any port in [first, last] in use for proto?"; injected so tests can decide.
     * Called before the store is locked, so it may take its time. */
    PortUse (*port_in_use)(uint32_t proto, uint16_t first, uint16_t last) = nullptr;
    /* Adds to `ports` the ports of the live runtime blocks (winsock/runtime_blocks.h, an area
     * that uses this one, hence injected). The kernel's list has no protocols, so a UDP runtime
     * block may share ports with a TCP persistent one: deleting the persistent block leaves
     * those in the list. Called under the list's lock; must not take it. false when the blocks
     * cannot be read (then nothing is given back this time). */
    bool (*runtime_ports)(const StoreConfig &cfg, std::bitset<65536> &ports) = nullptr;
    /* Tests only: called at each step of a write (reservation_mirror.cpp names them), to kill or
     * fail the process there. */
    std::function<void(const std::string &step)> step_hook;
};

/* The default configuration: db_path from $IPHLP_RESERVATION_DB, else
 * $WINEPREFIX/iphlp-reservations.sqlite3, else $HOME/.wine/iphlp-reservations.sqlite3. A
 * relative path is kept as given and refused when the store is opened (it would make the store
 * depend on the working directory). */
StoreConfig default_store_config();

struct Reservation
{
    uint16_t start_port; /* host order */
    uint16_t num_ports;
    bool kernel_mirrored; /* every port of the block is in this namespace's kernel list */
    uint64_t token;
};

/* Each returns a Win32 error code. Parameters are validated here too (0 ports, past 65535). */
uint32_t reservation_create(const StoreConfig &cfg, uint32_t proto, uint16_t start, uint16_t count, uint64_t *token);
uint32_t reservation_lookup(const StoreConfig &cfg, uint32_t proto, uint16_t start, uint16_t count, uint64_t *token);
uint32_t reservation_delete(const StoreConfig &cfg, uint32_t proto, uint16_t start, uint16_t count);
uint32_t reservation_list(const StoreConfig &cfg, uint32_t proto, std::vector<Reservation> &out);

} // namespace iphlp
