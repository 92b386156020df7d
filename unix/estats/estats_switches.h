// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The ESTATS collection switches of SetPerTcp*ConnectionEStats. Windows keeps them with the
 * connection, for every process; here they live in a private directory of this user
 * (common/private_dir.h: runtime_dir()/estats), one small file per socket named by the boot id, the
 * network namespace and the socket's kernel cookie (unique within a boot), so every process of the
 * user sees what another enabled. When the directory cannot be trusted or used, the switches stay
 * in this process (one line on stderr says so).
 */
#pragma once

#include <cstddef>
#include <cstdint>

#include "unixlib.h"

namespace iphlp {

/* The ESTATS switches remembered for socket `cookie` (whose connection is `key`) after applying
 * `change`/`values` (bits 1 << TCP_ESTATS_TYPE). Shared by this user's processes through a
 * directory (tcp_connection.cpp), else kept in this process; an all-off entry is forgotten, and
 * so are the entries of sockets that are gone, whenever the table has doubled. */
uint32_t estats_switches(uint64_t cookie, uint32_t change, uint32_t values, const iphlp_tcp_key *key = nullptr);
size_t estats_switches_size();
/* Tests: keep the switches in `dir` (its estats/ subdirectory) instead of the default; "" keeps
 * them in memory; nullptr goes back to the default. Forgets the in-memory ones. */
void set_estats_switch_dir(const char *dir);

} // namespace iphlp
