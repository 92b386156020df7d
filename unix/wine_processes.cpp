#include "wine_processes.h"

#include <algorithm>
#include <cstring>

#include "wine_ntdll.h"

namespace iphlp {

/* The fields of SYSTEM_PROCESS_INFORMATION (x64 layout) read here. Wine 8.0 reports the handle
 * table's allocated size as HandleCount (checked: 32, 64, 128, ... and every handle value below
 * 4 * HandleCount), which is exactly the bound the owner scan needs. */
constexpr size_t create_time_offset = 0x20;
constexpr size_t pid_offset = 0x50;
constexpr size_t handle_count_offset = 0x60;

bool list_wine_processes(std::vector<WineProcess> &out)
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
    if (status) return false;

    for (size_t offset = 0; offset + handle_count_offset + sizeof(uint32_t) <= buffer.size();)
    {
        const unsigned char *entry = buffer.data() + offset;
        WineProcess p;
        uintptr_t pid;
        memcpy(&pid, entry + pid_offset, sizeof(pid));
        memcpy(&p.handle_slots, entry + handle_count_offset, sizeof(p.handle_slots));
        memcpy(&p.create_time, entry + create_time_offset, sizeof(p.create_time));
        p.pid = (uint32_t)pid;
        out.push_back(p);
        uint32_t next;
        memcpy(&next, entry, sizeof(next));
        if (!next) break;
        offset += next;
    }
    std::sort(out.begin(), out.end(), [](const WineProcess &a, const WineProcess &b) { return a.pid < b.pid; });
    return true;
}

} // namespace iphlp
