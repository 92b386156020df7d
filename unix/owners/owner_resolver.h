// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Which Windows process owns each socket.
 *
 * Wine creates Winsock sockets inside wineserver (8.0 and 10.0), so a process's /proc/<pid>/fd
 * usually does not hold its own sockets (why Wine 8.0's builtin reports PID 0). What does work
 * (docs/design.md, "Who owns a socket"): duplicate a process's handles into this process, turn
 * each into a Unix fd and fstat it for the socket inode. That costs a few wineserver round trips
 * per handle, so the resolver keeps a map of every Windows process's handle table (slot -> what
 * the slot held when last probed) and spends probes only where something can have changed:
 *  - only sockets Wine holds at all are looked up (the socket fds in wineserver's own fd table);
 *    sockets of non-Wine processes get PID 0 without touching a handle;
 *  - a socket the map does not account for is looked for incrementally: wineserver hands out the
 *    lowest free handle value (server/handle.c, alloc_entry), so a new handle lands in a slot that
 *    was free when last probed, in a slot whose socket has gone, or past the old end of the
 *    table. Those slots are probed first, in growing batches per process (the caller's own
 *    process first, one slot at a time), and the search stops as soon as every socket has an
 *    owner. Slots that held another object (an event, a file) come last. Nothing already known to
 *    hold a live socket is probed again;
 *  - the map outlives the process through an OwnerStore (owner_file.h: one file per prefix,
 *    tied to one wineserver instance). What a fresh process borrows from it is checked against
 *    the process list (same PID and creation time; in its first call, while the map accounts for
 *    every socket, each of its processes is asked alone instead, which is cheaper) and the
 *    kernel's socket cookie (a reused inode never matches); an entry whose socket another slot of
 *    the map also claims is probed before it is used, and a few others each time (verify_borrowed).
 *    An entry that no other claims is not probed before use: a stale or forged one of those stays
 *    wrong until a spot check reaches it (docs/design.md says what checking them all costs);
 *  - whether the mapped processes still live is checked with the process list (or, in a fresh
 *    process's first call, by asking them alone), which costs about 0.8 ms on Wine 8.0, so a list
 *    less than a second old vouches for the map while every socket asked about is accounted for;
 *  - when a socket has handles in several processes, the caller's own process wins.
 * The handles are enumerated per process, slot by slot, and NOT with
 * SystemExtendedHandleInformation: Wine 8.0's server walks an empty handle table (a process
 * being created) past its end there and crashes, taking the whole prefix down.
 * The Wine specifics sit behind HandleSource so the algorithm is unit-tested natively.
 */
#pragma once

#include <cstdint>
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
    uint32_t slots;       /* handle values 4, 8, ... 4 * slots may be in use */
    uint64_t create_time; /* FILETIME; with the PID it names one process for good */
};

/* What one handle slot held when it was probed. */
enum class SlotKind : uint8_t
{
    unprobed,
    empty,  /* no handle (or the process could not be opened) */
    other,  /* a handle of something that is not a socket with a Unix fd */
    socket, /* a socket: inode and cookie set */
};

struct ProbeResult
{
    uint64_t inode;
    uint64_t cookie; /* 0 when the kernel cannot tell (SO_COOKIE needs Linux 4.12) */
    SlotKind kind;
};

/* Which wineserver answers: a map of handle tables is worth nothing under another instance. */
struct ServerIdentity
{
    uint64_t prefix_dev = 0, prefix_ino = 0;   /* the prefix directory */
    uint64_t server_pid = 0, server_start = 0; /* wineserver's Unix PID and start time (clock ticks) */
    bool operator==(const ServerIdentity &o) const
    {
        return prefix_dev == o.prefix_dev && prefix_ino == o.prefix_ino && server_pid == o.server_pid &&
               server_start == o.server_start;
    }
};

class HandleSource
{
  public:
    virtual ~HandleSource() = default;
    virtual uint32_t own_pid() = 0;
    /* Every Windows process of this wineserver, sorted by pid. false when unavailable. */
    virtual bool list_processes(std::vector<ProcessSlots> &out) = 0;
    /* alive[i]: whether procs[i] still runs, the same process (PID and creation time), asked of
     * each alone. false when this source cannot tell (then the process list is taken). */
    virtual bool still_running(const std::vector<ProcessSlots> &, std::vector<uint8_t> &) { return false; }
    /* out[i] = what refs[i] holds. refs come grouped by process. */
    virtual void probe(const HandleRef *refs, size_t count, ProbeResult *out) = 0;
    /* Sorted inodes of every socket Wine holds. false when unknown (then all sockets count). */
    virtual bool wine_socket_inodes(std::vector<uint64_t> &out) = 0;
    /* A monotonic clock, in milliseconds. */
    virtual uint64_t now_ms() = 0;
    /* false when the wineserver cannot be named (then nothing is shared between processes). */
    virtual bool server_identity(ServerIdentity &) { return false; }
};

struct SlotState
{
    uint64_t inode = 0;
    uint64_t cookie = 0;
    SlotKind kind = SlotKind::unprobed;
    bool borrowed = false; /* read from the store, not yet probed by this process */
};

struct KnownProcess
{
    uint32_t pid = 0;
    uint64_t create_time = 0;
    std::vector<SlotState> slots; /* slots[i]: handle value 4 * (i + 1) */
};

/* A socket known to be a Linux program's, not Wine's. */
struct NativeSocket
{
    uint64_t inode;
    uint64_t cookie;
    bool operator<(const NativeSocket &o) const { return inode < o.inode; }
};

/* What processes share (owner_file.h): the map of handle tables (sorted by pid) and the sockets
 * found to be native (sorted by inode). */
struct SharedMap
{
    std::vector<KnownProcess> processes;
    std::vector<NativeSocket> natives;
};

class OwnerStore
{
  public:
    virtual ~OwnerStore() = default;
    /* false when there is nothing usable for this server (absent, corrupt, foreign, another
     * wineserver instance). */
    virtual bool load(const ServerIdentity &server, SharedMap &out) = 0;
    virtual void save(const ServerIdentity &server, const SharedMap &map) = 0;
    /* Where the prefix's next spot checks of borrowed entries start, advancing that position by
     * `count` for the next process: one sweep over the map shared by every process, so that an
     * entry nothing contradicts is checked within (entries / count) checks of the prefix, whether
     * they come from one long-lived process or many one-call ones. false when there is no shared
     * position (then the process keeps its own). */
    virtual bool next_checks(const ServerIdentity &, uint64_t /*count*/, uint64_t & /*start*/) { return false; }
};

/* How long a process list vouches for the map while no unknown socket turns up. */
constexpr uint64_t PROCESS_LIST_MAX_AGE_MS = 1000;
/* A fresh process confirms at most this many of the shared map's processes one by one (a few
 * server round trips each) before listing them all is cheaper. */
constexpr size_t MAX_CONFIRMED_PROCESSES = 32;
/* Borrowed entries probed anyway each time the process list is taken (at most once a second
 * while nothing is new); one that turns out wrong makes the process distrust everything it
 * borrowed. */
constexpr size_t BORROWED_SPOT_CHECKS = 8;
/* Borrowed entries whose socket another slot of the map also claims, probed at most per list
 * (sockets handed on between processes are rare; a program that shares many costs no more). */
constexpr size_t CONFLICT_CHECKS = 64;
/* Native sockets remembered for other processes before the list starts over. */
constexpr size_t MAX_SHARED_NATIVES = 1u << 18;
/* Below this many Wine sockets, reading wineserver's fd table is cheaper than looking for a new
 * socket's handle first. */
constexpr size_t CHEAP_FD_TABLE = 512;
/* Probes after which the map is saved at once (below it, at most once a second). */
constexpr size_t SAVE_AFTER_PROBES = 64;
/* The first batch of slots probed per process while looking for new handles; it doubles. */
constexpr size_t FIRST_PROBE_BATCH = 16;

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
    bool loaded = false;             /* the shared map was read */
    bool confirmed = false;          /* ... and its processes confirmed one by one, not listed */
    bool distrusted = false;         /* ... and a spot check found it wrong */
    bool saved = false;              /* ... and written */
    uint32_t probed = 0;             /* handle slots probed (0: none) */
    uint32_t verified = 0;           /* ... of them borrowed entries checked */
    uint32_t unresolved = 0;         /* Wine sockets left without an owner */
};

class OwnerResolver
{
  public:
    explicit OwnerResolver(HandleSource &source, OwnerStore *store = nullptr) : source_(source), store_(store) {}
    /* Sets row.owner_pid of every record (0 when no Wine process holds it). */
    OwnerWork resolve(SocketBuffer &records);

  private:
    struct Target
    {
        uint64_t inode;
        uint64_t cookie;
        uint32_t record;
    };
    struct Candidate
    {
        uint32_t process; /* index into processes_ */
        uint32_t slot;
    };

    Target *find_target(uint64_t inode, uint64_t cookie);
    size_t assign_all(SocketBuffer &records);
    void assign(KnownProcess &p, const SlotState &s, SocketBuffer &records);
    size_t unresolved(const SocketBuffer &records) const;
    bool server_named();
    bool load_stored(SharedMap &stored);
    bool refresh_processes(OwnerWork &work);
    bool confirm_stored(OwnerWork &work);
    void adopt_stored(OwnerWork &work);
    void adopt_stored_natives(SocketBuffer &records);
    bool classify_unknown(SocketBuffer &records, OwnerWork &work);
    void rebuild_targets(const SocketBuffer &records, bool all_unknown_are_targets);
    size_t search(SocketBuffer &records, OwnerWork &work, size_t left, int max_rank, size_t max_batch);
    void probe(std::vector<Candidate> &batch, OwnerWork &work);
    void verify_borrowed(OwnerWork &work, bool spot_checks = true);
    void discover(SocketBuffer &records, OwnerWork &work, size_t left);

    HandleSource &source_;
    OwnerStore *store_;
    InodeKinds kinds_;
    bool listed_ = false;       /* processes_ is from a list, or confirmed from the shared map ... */
    uint64_t listed_at_ms_ = 0; /* ... then */
    bool complete_ = false;     /* ... and holds every process (a list, not only confirmations) */
    size_t borrowed_ = 0;       /* slots with borrowed set */
    bool server_known_ = false;
    ServerIdentity server_;
    SharedMap map_; /* map_.processes: sorted by pid */
    std::vector<KnownProcess> &processes_ = map_.processes;
    std::vector<NativeSocket> stored_natives_; /* read with the shared map, not yet applied */
    bool natives_dirty_ = false;               /* natives learned since the last save */
    size_t unsaved_probes_ = 0;                /* probes since the last save */
    uint64_t saved_at_ms_ = 0;                 /* ... which was then */
    uint64_t spot_offset_ = 0;                 /* where the next check of borrowed entries starts */
    size_t wine_sockets_seen_ = 0;             /* Wine sockets at the last count (sizes the fd table) */
    /* Sockets a full search did not find (held by no handle: a process being created, a socket
     * in the middle of being closed), and when: not searched for again within a second. */
    std::vector<uint64_t> orphans_;
    uint64_t orphans_at_ms_ = 0;
    /* Reused between calls. */
    std::vector<uint64_t> wine_inodes_;
    std::vector<Target> targets_;
    std::vector<uint32_t> target_index_; /* open addressing: index into targets_ + 1; 0 = empty */
    std::vector<ProcessSlots> listing_;
    std::vector<HandleRef> refs_;
    std::vector<ProbeResult> results_;
};

} // namespace iphlp
