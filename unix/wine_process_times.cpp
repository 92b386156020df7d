#include "wine_process_times.h"

#include <algorithm>
#include <cstring>

#include "wine_ntdll.h"

namespace iphlp {

/* The two fields of SYSTEM_PROCESS_INFORMATION (x64 layout) read here. */
constexpr size_t create_time_offset = 0x20;
constexpr size_t pid_offset = 0x50;

void fill_create_times(SocketBuffer &records)
{
    thread_local std::vector<unsigned char> buffer(256 * 1024);
    wine::NTSTATUS status;
    for (;;)
    {
        uint32_t needed = 0;
        status = NtQuerySystemInformation(wine::SystemProcessInformation, buffer.data(), (uint32_t)buffer.size(),
                                          &needed);
        if (status != wine::STATUS_INFO_LENGTH_MISMATCH) break;
        buffer.resize(std::max<size_t>(needed + 4096, buffer.size() * 2));
    }
    if (status) return;

    thread_local std::vector<std::pair<uint32_t, uint64_t>> times;
    times.clear();
    for (size_t offset = 0;;)
    {
        if (offset + pid_offset + sizeof(uintptr_t) > buffer.size()) break;
        const unsigned char *entry = buffer.data() + offset;
        uint64_t created;
        uintptr_t pid;
        memcpy(&created, entry + create_time_offset, sizeof(created));
        memcpy(&pid, entry + pid_offset, sizeof(pid));
        times.emplace_back((uint32_t)pid, created);
        uint32_t next;
        memcpy(&next, entry, sizeof(next));
        if (!next) break;
        offset += next;
    }
    std::sort(times.begin(), times.end());
    for (auto &rec : records)
    {
        if (!rec.row.owner_pid) continue;
        auto it = std::lower_bound(times.begin(), times.end(), std::make_pair(rec.row.owner_pid, (uint64_t)0));
        if (it != times.end() && it->first == rec.row.owner_pid) rec.row.create_time = it->second;
    }
}

} // namespace iphlp
