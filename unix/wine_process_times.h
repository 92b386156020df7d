/* Creation times of the Windows processes that own sockets (OWNER_MODULE tables). */
#pragma once

#include "socket_source.h"
#include "wine_processes.h"

namespace iphlp {

/* Sets row.create_time of every record with an owner to its process's creation time (FILETIME),
 * taken from processes (sorted by pid).
 * Linux keeps no creation time for a socket (sockfs inode times are 0), so the owning process's
 * creation time is the closest real timestamp: a lower bound of the socket's. */
void fill_create_times(SocketBuffer &records, const std::vector<WineProcess> &processes);

} // namespace iphlp
