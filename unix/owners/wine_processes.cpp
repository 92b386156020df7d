// SPDX-License-Identifier: LGPL-2.1-or-later
#include "wine_processes.h"

#include <algorithm>
#include <cstring>

#include "wine_ntdll.h"

namespace iphlp {

/* Wine reports the handle table's allocated size as HandleCount (checked on 8.0: 32, 64, 128,
 * ... and every handle value below 4 * HandleCount), which is exactly the bound the owner scan
 * needs. */

bool list_wine_processes(std::vector<WineProcess> &out)
{
    thread_local std::vector<unsigned char> buffer(256 * 1024);
    wine::NTSTATUS status;
    for (;;)
    {
        uint32_t needed = 0;
        status = wine::query_system_information(wine::SystemProcessInformation, buffer.data(), (uint32_t)buffer.size(),
                                                &needed);
        if (status != wine::STATUS_INFO_LENGTH_MISMATCH) break;
        buffer.resize(std::max<size_t>(needed + 4096, buffer.size() * 2));
    }
    if (status) return false;

    for (size_t offset = 0; offset + sizeof(wine::SystemProcessInfoHead) <= buffer.size();)
    {
        wine::SystemProcessInfoHead head;
        memcpy(&head, buffer.data() + offset, sizeof(head));
        out.push_back({(uint32_t)(uintptr_t)head.pid, head.handle_count, (uint64_t)head.create_time});
        if (!head.next_entry_offset) break;
        offset += head.next_entry_offset;
    }
    std::sort(out.begin(), out.end(), [](const WineProcess &a, const WineProcess &b) { return a.pid < b.pid; });
    return true;
}

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
