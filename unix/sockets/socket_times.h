// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * liCreateTimestamp of OWNER_MODULE rows: a time never earlier than the socket's creation.
 *
 * Linux keeps no creation time for a socket that can be read back (measured on 6.18: fstat of a
 * socket reads atime = mtime = ctime = 0; lstat of /proc/PID/fd/N gives the time that /proc entry
 * was first looked up, and survives the fd number's reuse by a newer socket, so it can precede the
 * socket; inet_diag carries no age). What can be known is when a socket was first seen: the
 * end of the first kernel enumeration that listed it is after its creation. So each socket
 * reports the first time this process saw it, remembered by inode; the error is at most the time
 * between the socket's creation and this process's first OWNER_MODULE call after it.
 */
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "sockets.h"

namespace iphlp {

/* inode -> FILETIME, by open addressing: a lookup per row must cost next to nothing beside the
 * kernel's dump of that row (std::unordered_map, a node per entry, took 0.3 ms a call at 4,000
 * owned rows, a tenth of the dump). Inode 0 and time 0 are never noted. */
class InodeTimes
{
  public:
    /* The time noted for inode, or 0. */
    uint64_t find(uint64_t inode) const;
    /* Notes time for inode unless it has one; returns the time it has. */
    uint64_t note(uint64_t inode, uint64_t time);
    size_t size() const { return used_; }
    /* Empties the table for about `expected` entries (its memory is kept unless far off). */
    void reset(size_t expected);
    void swap(InodeTimes &other)
    {
        slots_.swap(other.slots_);
        std::swap(used_, other.used_);
    }

  private:
    struct Entry
    {
        uint64_t inode, time;
    };
    size_t index(uint64_t inode) const;
    std::vector<Entry> slots_; /* a power of two; inode 0 = empty */
    size_t used_ = 0;
};

class SocketFirstSeen
{
  public:
    /*
     * Notes every record with an owner and an inode as seen at `now`, unless seen before, and
     * when `report`, sets its row.create_time to the first `now` (FILETIME,
     * taken after the enumeration that produced `records` ended) at which that inode was seen
     * for this `slot` (one per protocol and family: their enumerations are separate). Records
     * without an owner keep 0. When `complete` (the enumeration listed every socket of the slot),
     * inodes no longer listed are forgotten, so the table follows the live sockets.
     */
    void fill(SocketBuffer &records, unsigned slot, uint64_t now, bool complete, bool report = true);
    size_t size(unsigned slot) const { return slot < SLOTS ? seen_[slot].size() : 0; }

    static constexpr unsigned SLOTS = 4;

  private:
    InodeTimes seen_[SLOTS]; /* inode -> FILETIME first seen */
    InodeTimes live_;        /* scratch: what a complete enumeration keeps */
};

/* The current time as a FILETIME (100 ns since 1601-01-01 UTC), from CLOCK_REALTIME: the clock
 * Wine's GetSystemTimeAsFileTime reads. */
uint64_t filetime_now();

} // namespace iphlp
