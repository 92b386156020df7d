/*
 * Persistent TCP/UDP port reservations (CreatePersistentTcpPortReservation and friends), kept in
 * an embedded SQLite database inside the Wine prefix. Every change is one transaction; several
 * processes may use one store at once. A store that cannot be opened or is corrupt yields an
 * error code and a message on stderr, and is never rewritten or reset.
 */
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "unixlib.h"

namespace iphlp {

/* Win32 error codes the store answers with (values from winerror.h). */
enum : uint32_t
{
    WIN_NO_ERROR = 0,
    WIN_ERROR_ACCESS_DENIED = 5,
    WIN_ERROR_NOT_ENOUGH_MEMORY = 8,
    WIN_ERROR_SHARING_VIOLATION = 32,
    WIN_ERROR_NOT_SUPPORTED = 50,
    WIN_ERROR_INVALID_PARAMETER = 87,
    WIN_ERROR_INSUFFICIENT_BUFFER = 122,
    WIN_ERROR_NOT_FOUND = 1168,
    WIN_ERROR_FILE_CORRUPT = 1392,       /* the store file is not a valid database */
    WIN_ERROR_INTERNAL_ERROR = 1359,
    WIN_ERROR_OPEN_FAILED = 110,         /* the store cannot be opened (permissions, missing dir) */
    WIN_ERROR_DISK_FULL = 112,
    WIN_ERROR_TIMEOUT = 1460,            /* the kernel list's lock stayed held past its bound */
};

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
uint32_t reservation_create(const StoreConfig &cfg, uint32_t proto, uint16_t start, uint16_t count,
                            uint64_t *token);
uint32_t reservation_lookup(const StoreConfig &cfg, uint32_t proto, uint16_t start, uint16_t count,
                            uint64_t *token);
uint32_t reservation_delete(const StoreConfig &cfg, uint32_t proto, uint16_t start, uint16_t count);
uint32_t reservation_list(const StoreConfig &cfg, uint32_t proto, std::vector<Reservation> &out);

} // namespace iphlp
