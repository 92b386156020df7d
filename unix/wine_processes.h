/* The Windows processes of this wineserver, from SystemProcessInformation. */
#pragma once

#include <cstdint>
#include <vector>

namespace iphlp {

struct WineProcess
{
    uint32_t pid;          /* Windows PID */
    uint32_t handle_slots; /* size of its handle table: handle values are 4, 8, ... 4 * slots */
    uint64_t create_time;  /* FILETIME */
};

/* Fills out (sorted by pid). false when the query fails. */
bool list_wine_processes(std::vector<WineProcess> &out);

} // namespace iphlp
