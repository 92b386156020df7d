// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Which Windows process owns each socket.
 *
 * Wine creates Winsock sockets inside wineserver (8.0 and 10.0), so a process's /proc/<pid>/fd
 * usually does not hold its own sockets (why Wine 8.0's builtin reports PID 0). What does work
 * (docs/design.md, "Who owns a socket"): duplicate a process's handles into this process, turn
 * each into a Unix fd and fstat it for the socket inode. That costs a few wineserver round trips per handle, so:
 *  - only sockets Wine holds at all are looked up (the socket fds in wineserver's own fd table);
 *    sockets of non-Wine processes get PID 0 without touching a handle;
 *  - (pid, handle) -> inode is cached; a cached entry counts while its process lives and its
 *    inode is still one of the sockets asked about. Whether the processes live is checked with
 *    the process list, which costs about 0.8 ms on Wine 8.0 (more than reading 2,000 sockets
 *    from the kernel), so it is asked at most once a second while every socket asked about is
 *    already in the cache: the one answer this can leave stale for up to that second is a socket
 *    shared by several processes whose holder just exited;
 *  - when a Wine socket is left without an owner, every handle slot of every process is probed
 *    again and the answers are rebuilt from that scan alone (so a reused handle value cannot keep
 *    a stale answer alive);
 *  - when a socket has handles in several processes, the caller's own process wins among the
 *    handles seen in one scan.
 * The handles are enumerated per process, slot by slot, and NOT with
 * SystemExtendedHandleInformation: Wine 8.0's server walks an empty handle table (a process
 * being created) past its end there and crashes, taking the whole prefix down.
 * The Wine specifics sit behind HandleSource so the algorithm is unit-tested natively.
 */
#pragma once

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "sockets.h"

namespace iphlp {

struct HandleRef
{
    uint32_t pid;    /* Windows PID of the process holding the handle */
    uint32_t handle; /* handle value in that process */
};

struct ProcessSlots
{
    uint32_t pid;
    uint32_t slots; /* handle values 4, 8, ... 4 * slots may be in use */
};

class HandleSource
{
  public:
    virtual ~HandleSource() = default;
    virtual uint32_t own_pid() = 0;
    /* Every Windows process of this wineserver, sorted by pid. false when unavailable. */
    virtual bool list_processes(std::vector<ProcessSlots> &out) = 0;
    /* inodes[i] = inode of the socket behind refs[i]; 0 when the slot is empty, not a socket, or
     * has no fd. refs come grouped by process. */
    virtual void probe(const HandleRef *refs, size_t count, uint64_t *inodes) = 0;
    /* Sorted inodes of every socket Wine holds. false when unknown (then all sockets count). */
    virtual bool wine_socket_inodes(std::vector<uint64_t> &out) = 0;
    /* A monotonic clock, in milliseconds. */
    virtual uint64_t now_ms() = 0;
};

/* How long a process list vouches for the cache while no unknown socket turns up. */
constexpr uint64_t process_list_max_age_ms = 1000;

/* inode -> "Wine holds it" or "a Linux program outside Wine does": an open-addressing table
 * (a lookup per row must cost next to nothing beside the kernel dump of that row). */
class InodeKinds
{
  public:
    enum Kind
    {
        unknown,
        wine,
        native
    };
    Kind find(uint64_t inode) const;
    void add(uint64_t inode, bool is_wine);
    size_t size() const { return used_; }
    void clear();

  private:
    size_t slot(uint64_t inode) const;
    std::vector<uint64_t> slots_; /* inode << 1 | is_wine; 0 = empty */
    size_t used_ = 0;
};

/* What one resolve() did (IPHLP_DEBUG prints it). */
struct OwnerWork
{
    uint32_t wine_sockets = 0;       /* rows looked up */
    bool read_server_fds = false;    /* wineserver's fd table was read (an unseen inode) */
    bool server_fds_unknown = false; /* ... and could not be: every socket is looked up */
    bool listed = false;             /* the process list was asked */
    uint32_t probed = 0;             /* handle slots probed by a rescan (0: none) */
    uint32_t unresolved = 0;         /* Wine sockets left without an owner */
};

class OwnerResolver
{
  public:
    explicit OwnerResolver(HandleSource &source) : source_(source) {}
    /* Sets row.owner_pid of every record (0 when no Wine process holds it). */
    OwnerWork resolve(SocketBuffer &records);

  private:
    struct Target
    {
        uint64_t inode;
        uint32_t record;
    };

    Target *find_target(uint64_t inode);
    void assign(Target *target, uint32_t pid, SocketBuffer &records);
    size_t assign_from_cache(SocketBuffer &records);
    void rescan(SocketBuffer &records);

    HandleSource &source_;
    InodeKinds kinds_;
    bool listed_ = false;                          /* processes_ holds a list ... */
    uint64_t listed_at_ms_ = 0;                    /* ... taken then */
    std::unordered_map<uint64_t, uint64_t> cache_; /* (pid << 32 | handle) -> socket inode */
    /* Reused between calls. */
    std::vector<uint64_t> wine_inodes_;
    std::vector<Target> targets_;
    std::vector<ProcessSlots> processes_;
    std::vector<HandleRef> refs_;
    std::vector<uint64_t> probed_;
};

} // namespace iphlp
