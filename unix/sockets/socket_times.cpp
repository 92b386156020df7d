// SPDX-License-Identifier: LGPL-2.1-or-later
#include "socket_times.h"

#include <algorithm>
#include <ctime>
#include <vector>

namespace iphlp {

size_t InodeTimes::index(uint64_t inode) const
{
    size_t mask = slots_.size() - 1;
    size_t i = (size_t)((inode * 0x9E3779B97F4A7C15ull) >> 20) & mask;
    while (slots_[i].inode && slots_[i].inode != inode) i = (i + 1) & mask;
    return i;
}

uint64_t InodeTimes::find(uint64_t inode) const
{
    if (slots_.empty() || !inode) return 0;
    const Entry &e = slots_[index(inode)];
    return e.inode ? e.time : 0;
}

uint64_t InodeTimes::note(uint64_t inode, uint64_t time)
{
    if ((used_ + 1) * 2 > slots_.size())
    {
        std::vector<Entry> old(std::max<size_t>(64, slots_.size() * 2), Entry{0, 0});
        old.swap(slots_);
        for (const Entry &e : old)
            if (e.inode) slots_[index(e.inode)] = e;
    }
    Entry &e = slots_[index(inode)];
    if (!e.inode)
    {
        e = {inode, time};
        used_++;
    }
    return e.time;
}

void InodeTimes::reset(size_t expected)
{
    size_t size = 64;
    while (size < expected * 2) size *= 2;
    if (slots_.size() < size || slots_.size() > size * 4)
        std::vector<Entry>(size, Entry{0, 0}).swap(slots_);
    else
        std::fill(slots_.begin(), slots_.end(), Entry{0, 0});
    used_ = 0;
}

void SocketFirstSeen::fill(SocketBuffer &records, unsigned slot, uint64_t now, bool complete, bool report)
{
    if (slot >= SLOTS) return;
    auto &seen = seen_[slot];
    if (!seen.size()) seen.reset(records.size()); /* sized once, not grown step by step */
    if (complete && seen.size())
    {
        /* Forget the inodes this enumeration no longer lists: their sockets are gone, and an
         * inode number the kernel hands out again must not inherit the old socket's time. */
        live_.reset(records.size());
        for (const auto &rec : records)
            if (uint64_t first = seen.find(rec.inode)) live_.note(rec.inode, first);
        seen.swap(live_);
    }
    for (auto &rec : records)
    {
        if (!rec.row.owner_pid || !rec.inode) continue;
        uint64_t first = seen.note(rec.inode, now);
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
