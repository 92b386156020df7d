// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Reservation tokens. Windows says a persistent reservation's token "may change each time the
 * system is restarted"; we make it change exactly then, and be identical in every process
 * during one boot, without any process having to store it.
 *
 * Scheme: each row carries a serial (SQLite AUTOINCREMENT, so never reused within a store even
 * after deletes). The token is
 *     token = 0x8000000000000000 | P_k(serial)
 * where k is derived from the host's boot id (/proc/sys/kernel/random/boot_id) and P_k is a
 * keyed bijection of the 63-bit integers. Hence:
 *   - non-zero: the top bit is always set (0 is INVALID_PORT_RESERVATION_TOKEN);
 *   - unique within a store for one boot: distinct serials map to distinct tokens because P_k is
 *     a bijection, so uniqueness is guaranteed, not just likely;
 *   - the same in every process during one boot: it is a pure function of (boot id, serial);
 *   - different after a reboot: a new boot id gives a new k, hence a new permutation.
 * P_k is a mixer, not a cipher: Windows offers no secrecy between components holding tokens
 * either, so tokens need only be unique and stable, not unguessable.
 */
#pragma once

#include <cstdint>
#include <string>

#include "boot_id.h" /* read_boot_id: "" when unreadable, and tokens then stay valid and unique,
                       * they just no longer change across reboots */

namespace iphlp {

struct BootKey
{
    uint64_t k[3];
};

BootKey boot_key(const std::string &boot_id);

uint64_t token_for_serial(const BootKey &key, int64_t serial);

} // namespace iphlp
