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
#include <unordered_map>

#include "sockets.h"

namespace iphlp {

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
    std::unordered_map<uint64_t, uint64_t> seen_[SLOTS]; /* inode -> FILETIME first seen */
};

/* The current time as a FILETIME (100 ns since 1601-01-01 UTC), from CLOCK_REALTIME: the clock
 * Wine's GetSystemTimeAsFileTime reads. */
uint64_t filetime_now();

} // namespace iphlp
