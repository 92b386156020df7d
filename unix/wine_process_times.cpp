#include "wine_process_times.h"

#include <algorithm>


namespace iphlp {

void fill_create_times(SocketBuffer &records, const std::vector<WineProcess> &processes)
{
    for (auto &rec : records)
    {
        if (!rec.row.owner_pid) continue;
        auto it = std::lower_bound(processes.begin(), processes.end(), rec.row.owner_pid,
                                   [](const WineProcess &p, uint32_t pid) { return p.pid < pid; });
        if (it != processes.end() && it->pid == rec.row.owner_pid) rec.row.create_time = it->create_time;
    }
}

} // namespace iphlp
