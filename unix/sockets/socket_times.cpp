// SPDX-License-Identifier: LGPL-2.1-or-later
#include "socket_times.h"

#include <ctime>
#include <vector>

namespace iphlp {

void SocketFirstSeen::fill(SocketBuffer &records, unsigned slot, uint64_t now, bool complete, bool report)
{
    if (slot >= SLOTS) return;
    auto &seen = seen_[slot];
    if (complete && !seen.empty())
    {
        /* Forget the inodes this enumeration no longer lists: their sockets are gone, and an
         * inode number the kernel hands out again must not inherit the old socket's time. */
        std::unordered_map<uint64_t, uint64_t> live;
        live.reserve(records.size());
        for (const auto &rec : records)
        {
            auto it = seen.find(rec.inode);
            if (rec.inode && it != seen.end()) live.emplace(*it);
        }
        seen.swap(live);
    }
    for (auto &rec : records)
    {
        if (!rec.row.owner_pid || !rec.inode) continue;
        uint64_t first = seen.emplace(rec.inode, now).first->second;
        if (report) rec.row.create_time = first;
    }
}

uint64_t filetime_now()
{
    timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    constexpr uint64_t unix_epoch = 116444736000000000ull; /* 1970-01-01 in FILETIME units */
    return unix_epoch + static_cast<uint64_t>(ts.tv_sec) * 10000000u + static_cast<uint64_t>(ts.tv_nsec) / 100u;
}

} // namespace iphlp
