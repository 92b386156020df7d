// SPDX-License-Identifier: LGPL-2.1-or-later
/* The Windows processes of this wineserver, from SystemProcessInformation. */
#pragma once

#include <cstdint>
#include <vector>

#include "sockets.h"

namespace iphlp {

struct WineProcess
{
    uint32_t pid;          /* Windows PID */
    uint32_t handle_slots; /* size of its handle table: handle values are 4, 8, ... 4 * slots */
    uint64_t create_time;  /* FILETIME */
};

/* Fills out (sorted by pid). false when the query fails. */
bool list_wine_processes(std::vector<WineProcess> &out);

/* Sets row.create_time of every record with an owner to its process's creation time (FILETIME),
 * taken from processes (sorted by pid).
 * Linux keeps no creation time for a socket (sockfs inode times are 0), so the owning process's
 * creation time is the closest real timestamp: a lower bound of the socket's. */
void fill_create_times(SocketBuffer &records, const std::vector<WineProcess> &processes);

} // namespace iphlp
