/*
 * Which Windows process owns each socket.
 *
 * Under Wine 8.0 Winsock sockets live inside wineserver, so a process's /proc/<pid>/fd usually
 * does not hold its own sockets (why Wine's builtin reports PID 0). What does work
 * (pid-mapping.md): walk every process's handle table (SystemExtendedHandleInformation),
 * duplicate each "File" handle into this process, turn it into a Unix fd and fstat it for the
 * socket inode. That costs about 36 us per handle, so this resolver:
 *  - only looks for sockets Wine holds at all (the socket fds in wineserver's own fd table);
 *    sockets of non-Wine processes get PID 0 without touching a handle;
 *  - remembers (pid, handle) -> inode between calls and revalidates instead of re-probing:
 *    an entry counts while its inode is still one of Wine's sockets; handles are probed only
 *    when a Wine socket is left without an owner;
 *  - when a socket has handles in several processes, the caller's own process wins (its own
 *    listening, accepted and connected sockets must report GetCurrentProcessId()).
 * The Wine specifics sit behind HandleSource so the algorithm is unit-tested natively.
 */
#pragma once

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "socket_source.h"

namespace iphlp {

struct HandleRef
{
    uint32_t pid;    /* Windows PID of the process holding the handle */
    uint32_t handle; /* handle value in that process */
};

class HandleSource
{
public:
    virtual ~HandleSource() = default;
    virtual uint32_t own_pid() = 0;
    /* Every file-type handle of every process of this wineserver. false when unavailable. */
    virtual bool list_file_handles(std::vector<HandleRef> &out) = 0;
    /* inodes[i] = inode of the socket behind refs[i], 0 when it is not a socket or has no fd. */
    virtual void probe(const HandleRef *refs, size_t count, uint64_t *inodes) = 0;
    /* Sorted inodes of every socket Wine holds. false when unknown (then all sockets count). */
    virtual bool wine_socket_inodes(std::vector<uint64_t> &out) = 0;
};

class OwnerResolver
{
public:
    explicit OwnerResolver(HandleSource &source) : source_(source) {}
    /* Sets row.owner_pid of every record (0 when no Wine process holds it). */
    void resolve(SocketBuffer &records);
    /* Handles probed so far: lets tests (and curious people) see that the cache works. */
    uint64_t probes() const { return probes_; }

private:
    struct Target
    {
        uint64_t inode;
        uint32_t record;
    };
    struct CacheEntry
    {
        uint64_t inode;
        uint64_t generation;
    };

    Target *find_target(uint64_t inode);
    void assign(Target *target, uint32_t pid, SocketBuffer &records);
    bool is_wine_socket(uint64_t inode) const;

    HandleSource &source_;
    std::unordered_map<uint64_t, CacheEntry> cache_; /* (pid << 32 | handle) -> inode */
    uint64_t generation_ = 0;
    uint64_t probes_ = 0;
    bool wine_inodes_known_ = false;
    /* Reused between calls. */
    std::vector<uint64_t> wine_inodes_;
    std::vector<Target> targets_;
    std::vector<HandleRef> handles_;
    std::vector<HandleRef> to_probe_;
    std::vector<uint64_t> probed_;
};

} // namespace iphlp
