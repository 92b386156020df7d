// SPDX-License-Identifier: LGPL-2.1-or-later
/* The owner-resolution algorithm (unix/owner_resolver.cpp) against a scripted handle source:
 * who wins, what is probed, and that the cache is revalidated when handle values are reused. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
extern "C" {
#include <cmocka.h>
}

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <map>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

#include "owner_file.h"
#include "owner_resolver.h"

using namespace iphlp;

namespace {

/* A pretend Wine: processes hold handles; a handle is a socket (its inode) or another object (0);
 * a slot with no entry is empty. */
struct FakeWine : HandleSource
{
    uint32_t self = 10;
    std::map<std::pair<uint32_t, uint32_t>, uint64_t> handles;
    std::map<uint64_t, uint64_t> cookies;      /* inode -> kernel cookie (0 when absent) */
    std::map<uint32_t, uint64_t> create_times; /* pid -> creation time (0 when absent) */
    std::map<uint32_t, uint32_t> min_slots;    /* pid -> table size, when larger than its handles need */
    bool server_visible = true;
    ServerIdentity server = {1, 2, 3, 4};
    size_t probed = 0;
    size_t server_reads = 0; /* reads of wineserver's fd table */
    size_t lists = 0;        /* process lists */
    uint64_t clock_ms = 0;

    uint64_t now_ms() override { return clock_ms; }

    uint32_t own_pid() override { return self; }
    /* A process's table is as large as its highest handle value needs. */
    bool list_processes(std::vector<ProcessSlots> &out) override
    {
        lists++;
        for (const auto &h : handles)
        {
            if (out.empty() || out.back().pid != h.first.first)
                out.push_back({h.first.first, 0, create_times[h.first.first]});
            out.back().slots = std::max({out.back().slots, h.first.second / 4, min_slots[h.first.first]});
        }
        return true;
    }
    bool can_confirm = true;
    size_t confirms = 0; /* processes confirmed one by one */
    bool still_running(const std::vector<ProcessSlots> &procs, std::vector<uint8_t> &alive) override
    {
        if (!can_confirm) return false;
        alive.clear();
        for (const auto &p : procs)
        {
            confirms++;
            auto h = handles.lower_bound({p.pid, 0});
            alive.push_back(h != handles.end() && h->first.first == p.pid && create_times[p.pid] == p.create_time);
        }
        return true;
    }
    void probe(const HandleRef *refs, size_t count, ProbeResult *out) override
    {
        for (size_t i = 0; i < count; i++)
        {
            auto it = handles.find({refs[i].pid, refs[i].handle});
            if (it == handles.end())
                out[i] = {0, 0, SlotKind::empty};
            else if (!it->second)
                out[i] = {0, 0, SlotKind::other};
            else
                out[i] = {it->second, cookies[it->second], SlotKind::socket};
        }
        probed += count;
    }
    bool wine_socket_inodes(std::vector<uint64_t> &out) override
    {
        server_reads++;
        if (!server_visible) return false;
        for (const auto &h : handles)
            if (h.second) out.push_back(h.second);
        std::sort(out.begin(), out.end());
        return true;
    }
    bool server_identity(ServerIdentity &out) override
    {
        out = server;
        return true;
    }
};

/* The shared map, kept in memory (OwnerFile has tests of its own below). */
struct MemoryStore : OwnerStore
{
    ServerIdentity server;
    std::vector<KnownProcess> processes;
    std::vector<NativeSocket> natives;
    bool present = false;
    size_t loads = 0, saves = 0;
    uint64_t checks_at = 0; /* the shared position of the spot checks */
    bool shared_checks = true;
    bool next_checks(const ServerIdentity &, uint64_t count, uint64_t &start) override
    {
        start = checks_at;
        checks_at += count;
        return shared_checks;
    }
    bool load(const ServerIdentity &s, SharedMap &out) override
    {
        loads++;
        if (!present || !(s == server)) return false;
        out.processes = processes;
        out.natives = natives;
        return true;
    }
    void save(const ServerIdentity &s, const SharedMap &map) override
    {
        saves++;
        server = s;
        processes = map.processes;
        natives = map.natives;
        for (auto &proc : processes)
            for (auto &slot : proc.slots) slot.borrowed = false;
        present = true;
    }
};

SocketBuffer records_for(std::initializer_list<uint64_t> inodes)
{
    SocketBuffer records;
    for (uint64_t inode : inodes)
    {
        SocketRecord r = {};
        r.inode = inode;
        records.push_back(r);
    }
    return records;
}

/* Records of these inodes, after RESOLVER has named their owners: every test's first step. */
SocketBuffer resolved(OwnerResolver &resolver, std::initializer_list<uint64_t> inodes)
{
    SocketBuffer records = records_for(inodes);
    resolver.resolve(records);
    return records;
}

} // namespace

static void test_owners_and_non_wine_sockets(void **)
{
    FakeWine wine;
    wine.handles = {{{10, 4}, 1001}, {{20, 8}, 2001}, {{20, 12}, 0}};
    OwnerResolver resolver(wine);
    SocketBuffer records = resolved(resolver, {1001, 2001, 9999 /* not a Wine socket */, 0 /* TIME_WAIT */});
    assert_int_equal(records[0].row.owner_pid, 10);
    assert_int_equal(records[1].row.owner_pid, 20);
    assert_int_equal(records[2].row.owner_pid, 0);
    assert_int_equal(records[3].row.owner_pid, 0);
}

static void test_no_wine_sockets_probes_nothing(void **)
{
    FakeWine wine;
    wine.handles = {{{10, 4}, 0}, {{20, 8}, 0}};
    OwnerResolver resolver(wine);
    SocketBuffer records = resolved(resolver, {5, 6, 7});
    assert_int_equal(wine.probed, 0);
}

static void test_cache_avoids_reprobing(void **)
{
    FakeWine wine;
    wine.handles = {{{10, 4}, 1001}, {{20, 8}, 2001}, {{20, 12}, 0}};
    OwnerResolver resolver(wine);
    SocketBuffer records = resolved(resolver, {1001, 2001});
    size_t first = wine.probed;
    assert_int_equal(first, 1 + 3); /* every slot: process 10 has 1, process 20 has 3 */
    resolver.resolve(records);
    assert_int_equal(wine.probed, first); /* everything vouched for by the cache */
    assert_int_equal(records[1].row.owner_pid, 20);
}

/* A handle value closed and reused for a new socket: the old inode is gone from Wine, so the
 * entry is probed again and the new socket gets its owner. */
static void test_reused_handle_value(void **)
{
    FakeWine wine;
    wine.handles = {{{20, 8}, 2001}};
    OwnerResolver resolver(wine);
    SocketBuffer records = resolved(resolver, {2001});
    wine.handles = {{{20, 8}, 2002}};
    records = resolved(resolver, {2002});
    assert_int_equal(records[0].row.owner_pid, 20);
}

/* A file handle value reused for a socket: files are cached as "not a socket", which must not
 * hide the new socket. */
static void test_file_handle_reused_for_socket(void **)
{
    FakeWine wine;
    wine.handles = {{{20, 8}, 0}, {{20, 12}, 2001}};
    OwnerResolver resolver(wine);
    SocketBuffer records = resolved(resolver, {2001});
    wine.handles = {{{20, 8}, 2005}, {{20, 12}, 2001}};
    records = resolved(resolver, {2001, 2005});
    assert_int_equal(records[0].row.owner_pid, 20);
    assert_int_equal(records[1].row.owner_pid, 20);
}

/* A socket with handles in two processes (inherited, duplicated): the caller's own PID wins. */
static void test_own_process_wins_shared_socket(void **)
{
    FakeWine wine;
    wine.handles = {{{5, 4}, 3001}, {{10, 40}, 3001}, {{30, 4}, 3001}};
    OwnerResolver resolver(wine);
    SocketBuffer records = resolved(resolver, {3001});
    assert_int_equal(records[0].row.owner_pid, 10);
}

/* Without wineserver's fd table every socket is a candidate: still correct, just costlier. */
static void test_unknown_wine_sockets_still_resolve(void **)
{
    FakeWine wine;
    wine.server_visible = false;
    wine.handles = {{{20, 8}, 2001}};
    OwnerResolver resolver(wine);
    SocketBuffer records = resolved(resolver, {2001, 4242});
    assert_int_equal(records[0].row.owner_pid, 20);
    assert_int_equal(records[1].row.owner_pid, 0);
}

/* A socket shared with another process, whose handle value the caller then reuses for a new
 * socket: the cache's stale entry must not keep claiming the old socket for the caller. */
static void test_shared_socket_and_reused_value(void **)
{
    FakeWine wine;
    wine.handles = {{{10, 8}, 2001}, {{20, 12}, 2001}};
    OwnerResolver resolver(wine);
    SocketBuffer records = resolved(resolver, {2001});
    assert_int_equal(records[0].row.owner_pid, 10);
    wine.handles = {{{10, 8}, 2002}, {{20, 12}, 2001}}; /* the caller closed 8 and reused it */
    records = resolved(resolver, {2001, 2002});
    assert_int_equal(records[0].row.owner_pid, 20);
    assert_int_equal(records[1].row.owner_pid, 10);
}

/* Closed processes' handles leave the cache: a socket that lives on in another process (it was
 * inherited or duplicated) gets that process once the process list is asked again, which is at
 * most a second later while no unknown socket turns up. */
static void test_cache_forgets_closed_handles(void **)
{
    FakeWine wine;
    wine.handles = {{{20, 8}, 2001}};
    OwnerResolver resolver(wine);
    SocketBuffer records = resolved(resolver, {2001});
    wine.handles = {{{21, 8}, 2001}}; /* the socket now belongs to another process */
    wine.clock_ms += PROCESS_LIST_MAX_AGE_MS - 1;
    resolver.resolve(records);
    assert_int_equal(records[0].row.owner_pid, 20); /* the documented second of staleness */
    wine.clock_ms += 1;
    resolver.resolve(records);
    assert_int_equal(records[0].row.owner_pid, 21);
}

/* Cached answers cost no server query while the last process list is recent. */
static void test_recent_list_vouches_for_the_cache(void **)
{
    FakeWine wine;
    wine.handles = {{{20, 8}, 2001}, {{30, 4}, 3001}};
    OwnerResolver resolver(wine);
    SocketBuffer records = resolved(resolver, {2001, 3001});
    size_t lists = wine.lists, probed = wine.probed;
    for (int i = 0; i < 10; i++) resolver.resolve(records);
    assert_int_equal(wine.lists, lists);
    assert_int_equal(wine.probed, probed);
    assert_int_equal(records[0].row.owner_pid, 20);
    assert_int_equal(records[1].row.owner_pid, 30);
    wine.clock_ms += PROCESS_LIST_MAX_AGE_MS;
    resolver.resolve(records);
    assert_int_equal(wine.lists, lists + 1);
    assert_int_equal(wine.probed, probed); /* the list agreed with the cache: nothing probed */
}

/* Which inodes are Wine's is remembered: tables of known sockets read nothing of wineserver's,
 * a native socket stays PID 0 without a read, and only a new inode makes it read again. */
static void test_known_inodes_skip_the_server_table(void **)
{
    FakeWine wine;
    wine.handles = {{{20, 8}, 2001}};
    OwnerResolver resolver(wine);
    SocketBuffer records = resolved(resolver, {2001, 9999});
    assert_int_equal(wine.server_reads, 1);
    resolver.resolve(records);
    resolver.resolve(records);
    assert_int_equal(wine.server_reads, 1);
    assert_int_equal(records[0].row.owner_pid, 20);
    assert_int_equal(records[1].row.owner_pid, 0);
    wine.handles = {{{20, 8}, 2001}, {{20, 12}, 2002}}; /* a new Wine socket */
    records = resolved(resolver, {2001, 9999, 2002});
    assert_int_equal(wine.server_reads, 2);
    assert_int_equal(records[2].row.owner_pid, 20);
    assert_int_equal(records[1].row.owner_pid, 0);
}

/* Where the fd table cannot be read nothing is remembered as native: a socket seen then is
 * still looked up once the table can be read. */
static void test_unreadable_server_table_remembers_nothing(void **)
{
    FakeWine wine;
    wine.server_visible = false;
    wine.handles = {{{20, 8}, 2001}};
    OwnerResolver resolver(wine);
    SocketBuffer records = resolved(resolver, {2001, 4242});
    resolver.resolve(records);
    assert_int_equal(wine.server_reads, 2);
    wine.server_visible = true;
    resolver.resolve(records);
    assert_int_equal(records[0].row.owner_pid, 20);
    assert_int_equal(wine.server_reads, 3);
}

/* Many inodes: the table grows and keeps every answer. */
static void test_many_inodes(void **)
{
    InodeKinds kinds;
    for (uint64_t i = 1; i <= 100000; i++) kinds.add(i * 7919, i % 3 == 0);
    assert_int_equal(kinds.size(), 100000);
    for (uint64_t i = 1; i <= 100000; i++)
        assert_int_equal(kinds.find(i * 7919), i % 3 == 0 ? InodeKinds::wine : InodeKinds::native);
    assert_int_equal(kinds.find(5), InodeKinds::unknown);
    kinds.add(7919, true); /* a second add replaces, it does not duplicate */
    assert_int_equal(kinds.size(), 100000);
    assert_int_equal(kinds.find(7919), InodeKinds::wine);
}

namespace {

/* A process holding n sockets in slots 1..n (inodes base + slot). */
void hold_sockets(FakeWine &wine, uint32_t pid, uint32_t n, uint64_t base)
{
    for (uint32_t slot = 1; slot <= n; slot++) wine.handles[{pid, slot * 4}] = base + slot;
}

SocketBuffer records_of(const FakeWine &wine)
{
    SocketBuffer records;
    for (const auto &h : wine.handles)
        if (h.second)
        {
            SocketRecord r = {};
            r.inode = h.second;
            auto c = wine.cookies.find(h.second);
            r.cookie = c == wine.cookies.end() ? 0 : c->second;
            records.push_back(r);
        }
    return records;
}

uint32_t owner_of(const SocketBuffer &records, uint64_t inode)
{
    for (const auto &r : records)
        if (r.inode == inode) return r.row.owner_pid;
    return ~0u;
}

/* One process's call: what it learns goes to the store. */
void learn(FakeWine &wine, OwnerStore &store)
{
    OwnerResolver first(wine, &store);
    SocketBuffer records = records_of(wine);
    first.resolve(records);
}

/* How many slots finding the caller's one new socket costs, beside another process holding n. */
size_t probes_for_own_new_socket(uint32_t n)
{
    FakeWine wine;
    hold_sockets(wine, 20, n, 100000);
    for (uint32_t slot = 1; slot <= 30; slot++) wine.handles[{10, slot * 4}] = 0; /* the caller's own objects */
    OwnerResolver resolver(wine);
    SocketBuffer records = records_of(wine);
    resolver.resolve(records);
    size_t before = wine.probed, reads = wine.server_reads;
    wine.handles[{10, 31 * 4}] = 5001; /* the caller opens a connection */
    records = records_of(wine);
    resolver.resolve(records);
    assert_int_equal(owner_of(records, 5001), 10);
    assert_int_equal(wine.server_reads, reads); /* found without reading wineserver's fd table */
    assert_int_equal(owner_of(records, 100001), 20);
    return wine.probed - before;
}

} // namespace

/* Only new handles are examined, and how many does not grow with other processes' handles. */
static void test_new_own_socket_probes_only_new_slots(void **)
{
    size_t small = probes_for_own_new_socket(2000), large = probes_for_own_new_socket(8000);
    assert_true(small <= FIRST_PROBE_BATCH);
    assert_int_equal(small, large);
}

/* The caller's new connection sits in the lowest free slots of its own table; the search stops at
 * the last of its sockets, however many free slots follow (each probe is a server round trip, and
 * wineserver grows a table in steps, so free slots usually do follow). */
static void test_own_new_connection_stops_at_its_sockets(void **)
{
    FakeWine wine;
    hold_sockets(wine, 20, 100, 100000);
    for (uint32_t slot = 1; slot <= 30; slot++) wine.handles[{10, slot * 4}] = 0;
    wine.min_slots[10] = 64;
    OwnerResolver resolver(wine);
    SocketBuffer records = records_of(wine);
    resolver.resolve(records);
    size_t before = wine.probed;
    wine.handles[{10, 31 * 4}] = 5001; /* a connection to itself: two sockets */
    wine.handles[{10, 32 * 4}] = 5002;
    records = records_of(wine);
    resolver.resolve(records);
    assert_int_equal(owner_of(records, 5001), 10);
    assert_int_equal(owner_of(records, 5002), 10);
    assert_int_equal(wine.probed - before, 2);
}

/* A new socket of another process: found in the slot wineserver hands out next (the lowest free
 * value), not by probing the process's other sockets again. */
static void test_new_socket_of_another_process(void **)
{
    FakeWine wine;
    hold_sockets(wine, 20, 1000, 100000);
    wine.handles.erase({20, 500 * 4}); /* a freed value in the middle */
    wine.handles[{10, 4}] = 0;
    OwnerResolver resolver(wine);
    SocketBuffer records = records_of(wine);
    resolver.resolve(records);
    size_t before = wine.probed;
    wine.handles[{20, 500 * 4}] = 7777; /* the next handle takes the free value */
    records = records_of(wine);
    resolver.resolve(records);
    assert_int_equal(owner_of(records, 7777), 20);
    assert_true(wine.probed - before <= 2 * FIRST_PROBE_BATCH);
}

/* A new process is examined alone. */
static void test_new_process_probed_alone(void **)
{
    FakeWine wine;
    hold_sockets(wine, 20, 1000, 100000);
    wine.handles[{10, 4}] = 0;
    OwnerResolver resolver(wine);
    SocketBuffer records = records_of(wine);
    resolver.resolve(records);
    size_t before = wine.probed;
    hold_sockets(wine, 30, 40, 300000);
    records = records_of(wine);
    resolver.resolve(records);
    assert_int_equal(owner_of(records, 300040), 30);
    assert_int_equal(owner_of(records, 100001), 20);
    assert_true(wine.probed - before <= 40 + 1 /* the caller's own slot */ + FIRST_PROBE_BATCH);
}

/* A fresh process starts from the map the last one saved: it probes at most its spot checks. */
static void test_fresh_process_borrows_the_map(void **)
{
    FakeWine wine;
    hold_sockets(wine, 20, 2000, 100000);
    wine.handles[{10, 4}] = 0;
    MemoryStore store;
    {
        OwnerResolver first(wine, &store);
        SocketBuffer records = records_of(wine);
        SocketRecord native = {};
        native.inode = 999999;
        native.cookie = 42;
        records.push_back(native);
        first.resolve(records);
        assert_int_equal(store.saves, 1);
        assert_int_equal(store.natives.size(), 1);
    }
    wine.self = 11;
    wine.handles.erase({10, 4});
    wine.handles[{11, 4}] = 0;
    size_t before = wine.probed, reads = wine.server_reads;
    OwnerResolver fresh(wine, &store);
    SocketBuffer records = records_of(wine);
    SocketRecord native = {};
    native.inode = 999999; /* a Linux program's socket, found native by the first process */
    native.cookie = 42;
    records.push_back(native);
    OwnerWork work = fresh.resolve(records);
    assert_true(work.loaded);
    assert_int_equal(wine.server_reads, reads);
    assert_int_equal(owner_of(records, 999999), 0);
    assert_int_equal(owner_of(records, 100001), 20);
    assert_int_equal(owner_of(records, 102000), 20);
    assert_true(wine.probed - before <= BORROWED_SPOT_CHECKS + 1 /* its own new slot */);
}

/* The first call of a fresh process SELF of the prefix, which starts from the shared map in
 * STORE: the table's rows are left in RECORDS. */
static OwnerWork first_call(FakeWine &wine, MemoryStore &store, uint32_t self, SocketBuffer &records)
{
    wine.self = self;
    OwnerResolver fresh(wine, &store);
    records = records_of(wine);
    return fresh.resolve(records);
}

/* Processes 20 and 30 hold 200 sockets each (20 also an event), and the shared map has learned
 * them; then the map is forged: process 20's event slot claims process 30's socket 300001
 * (process 20 is listed first, so unchecked the forged claim would win, and every socket still
 * has an owner). */
static void learn_with_forged_claim(FakeWine &wine, MemoryStore &store)
{
    hold_sockets(wine, 20, 200, 100000);
    wine.handles[{20, 201 * 4}] = 0; /* an event, say */
    hold_sockets(wine, 30, 200, 300000);
    learn(wine, store);
    for (auto &p : store.processes)
        if (p.pid == 20) p.slots[200] = {300001, 0, SlotKind::socket, false};
}

/* A forged (or stale) shared entry: the process checks a few borrowed entries at every process
 * list, so it is found within one pass over what was borrowed; then nothing borrowed is trusted,
 * the map is rebuilt and saved, and the next fresh process reads the corrected map. */
static void test_forged_entry_is_found_and_corrected(void **)
{
    FakeWine wine;
    MemoryStore store;
    learn_with_forged_claim(wine, store);
    wine.self = 40;
    OwnerResolver fresh(wine, &store);
    SocketBuffer records = records_of(wine);
    const size_t passes = (400 + BORROWED_SPOT_CHECKS - 1) / BORROWED_SPOT_CHECKS;
    size_t right_from = SIZE_MAX;
    for (size_t call = 0; call <= passes; call++)
    {
        fresh.resolve(records);
        if (owner_of(records, 300001) == 30 && right_from == SIZE_MAX) right_from = call;
        if (right_from != SIZE_MAX) assert_int_equal(owner_of(records, 300001), 30); /* and stays right */
        assert_int_equal(owner_of(records, 100002), 20);
        wine.clock_ms += PROCESS_LIST_MAX_AGE_MS; /* a list per call */
    }
    assert_true(right_from <= passes);
    first_call(wine, store, 41, records);
    assert_int_equal(owner_of(records, 300001), 30);
}

/* A forged (or stale) entry that nothing contradicts: process 20's event slot claims process 30's
 * socket 300001, and 30's own entry for it is gone from the map. Each fresh process checks the
 * next few borrowed entries of one sweep the prefix's processes share, so one-call processes find
 * it within one pass (entries / BORROWED_SPOT_CHECKS of them), not by chance; the first to find
 * it corrects the map for those after it. */
static void test_uncontradicted_entry_found_by_one_call_processes(void **)
{
    FakeWine wine;
    MemoryStore store;
    learn_with_forged_claim(wine, store);
    for (auto &p : store.processes)
        if (p.pid == 30) p.slots[0] = {0, 0, SlotKind::empty, false}; /* 30's true entry removed */
    size_t entries = 0;
    for (const auto &p : store.processes)
        for (const auto &s : p.slots) entries += s.kind == SlotKind::socket;
    const size_t passes = (entries + BORROWED_SPOT_CHECKS - 1) / BORROWED_SPOT_CHECKS;
    size_t right_from = SIZE_MAX;
    SocketBuffer records;
    for (size_t process = 0; process <= passes; process++)
    {
        first_call(wine, store, 1000 + (uint32_t)process, records);
        if (owner_of(records, 300001) == 30 && right_from == SIZE_MAX) right_from = process;
        if (right_from != SIZE_MAX) assert_int_equal(owner_of(records, 300001), 30); /* and stays right */
        assert_int_equal(owner_of(records, 100002), 20);
        wine.handles.erase({1000 + (uint32_t)process, 4});
    }
    /* The sweep goes through the borrowed entries in map order: process 20's 200 sockets, then
     * the forged slot 200. So the process that reaches it is the 26th (index 25), not a lucky
     * one, and every process before it checked entries no earlier one had. */
    assert_int_equal(right_from, 200 / BORROWED_SPOT_CHECKS);
    assert_true(right_from <= passes);
}

/* A shared entry that claims a socket another slot of the map holds (forged, or left by a process
 * that handed the socket on and closed its handle): both claims are probed before the first use,
 * so the row is right in the first call of every fresh process, not only after spot checks. */
static void test_conflicting_claim_is_checked_before_use(void **)
{
    FakeWine wine;
    MemoryStore store;
    learn_with_forged_claim(wine, store);
    SocketBuffer records;
    OwnerWork work = first_call(wine, store, 40, records);
    assert_true(work.distrusted);
    assert_int_equal(owner_of(records, 300001), 30);
    assert_int_equal(owner_of(records, 100002), 20);
    work = first_call(wine, store, 41, records); /* the corrected map is what the next process reads */
    assert_false(work.distrusted);
    assert_int_equal(owner_of(records, 300001), 30);
}

/* The stale case: process 20 handed its socket to process 30 (which the map has seen holding it
 * too) and closed its own handle; the slot now holds another object. */
static void test_stale_claim_after_handing_on_is_checked_before_use(void **)
{
    FakeWine wine;
    hold_sockets(wine, 20, 50, 100000);
    hold_sockets(wine, 30, 50, 300000);
    wine.handles[{30, 51 * 4}] = 100007; /* 30 got a duplicate of 20's socket */
    auto one_row_each = [&] {            /* the kernel lists a socket once, however many handles it has */
                              SocketBuffer records = records_of(wine);
                              std::sort(records.begin(), records.end(),
                                        [](const SocketRecord &a, const SocketRecord &b) { return a.inode < b.inode; });
                              records.erase(std::unique(records.begin(), records.end(),
                                                        [](const SocketRecord &a, const SocketRecord &b) {
                                                            return a.inode == b.inode;
                                                        }),
                                            records.end());
                              return records;
    };
    MemoryStore store;
    {
        OwnerResolver first(wine, &store);
        SocketBuffer records = one_row_each();
        first.resolve(records);
    }
    wine.handles[{20, 7 * 4}] = 0; /* 20 closed its handle; the value went to an event */
    wine.self = 40;
    OwnerResolver fresh(wine, &store);
    SocketBuffer records = one_row_each();
    fresh.resolve(records);
    assert_int_equal(owner_of(records, 100007), 30);
    assert_int_equal(owner_of(records, 100008), 20);
}

/* Processes 20 and 30 hold N sockets each, and the shared map has learned them. */
static void learn_two_holders(FakeWine &wine, MemoryStore &store, uint32_t n)
{
    hold_sockets(wine, 20, n, 100000);
    hold_sockets(wine, 30, n, 300000);
    learn(wine, store);
    assert_int_equal(store.saves, 1);
}

/* A fresh process whose shared map accounts for every socket confirms the map's processes one by
 * one and takes no process list. */
static void test_fresh_process_confirms_instead_of_listing(void **)
{
    FakeWine wine;
    MemoryStore store;
    wine.handles[{50, 4}] = 0; /* a process holding no socket: nothing to confirm of it */
    learn_two_holders(wine, store, 300);
    const size_t lists = wine.lists, probed = wine.probed;
    SocketBuffer records;
    OwnerWork work = first_call(wine, store, 40, records);
    assert_true(work.confirmed);
    assert_false(work.listed);
    assert_int_equal(wine.lists, lists);
    assert_int_equal(wine.confirms, 2);
    assert_true(wine.probed - probed <= BORROWED_SPOT_CHECKS);
    assert_int_equal(owner_of(records, 100300), 20);
    assert_int_equal(owner_of(records, 300001), 30);
}

/* A process that only confirmed holds part of the map (the confirmed processes): what it learns
 * next is not written over the shared file, which would lose the other processes' slots. */
static void test_confirmed_part_is_not_saved(void **)
{
    FakeWine wine;
    MemoryStore store;
    wine.clock_ms = 100000;    /* a real clock: a second has long passed since any save */
    wine.handles[{50, 4}] = 0; /* a process holding no socket */
    hold_sockets(wine, 20, 50, 100000);
    wine.handles.erase({20, 25 * 4}); /* a free slot */
    learn(wine, store);
    const size_t saves = store.saves;
    wine.self = 40;
    OwnerResolver fresh(wine, &store);
    SocketBuffer records = records_of(wine);
    assert_true(fresh.resolve(records).confirmed);
    wine.handles[{20, 25 * 4}] = 7777; /* a new socket, in the free slot: found by probing it */
    records = records_of(wine);
    OwnerWork work = fresh.resolve(records);
    assert_int_equal(owner_of(records, 7777), 20);
    assert_false(work.listed);
    assert_int_equal(store.saves, saves);
    assert_true(
        std::any_of(store.processes.begin(), store.processes.end(), [](const KnownProcess &p) { return p.pid == 50; }));
}

/* What confirming cannot vouch for takes the list: a process of the map that exited (its sockets
 * handed to a process the map has not seen), and a socket no confirmed process accounts for. */
static void test_confirmation_falls_back_to_the_list(void **)
{
    FakeWine wine;
    MemoryStore store;
    learn_two_holders(wine, store, 50);
    for (uint32_t slot = 1; slot <= 50; slot++) wine.handles.erase({20, slot * 4});
    hold_sockets(wine, 60, 50, 100000); /* 20 exited; 60 holds its sockets now */
    SocketBuffer records;
    size_t lists = wine.lists;
    const uint64_t checks_at = store.checks_at;
    OwnerWork work = first_call(wine, store, 40, records);
    assert_true(work.confirmed && work.listed);
    assert_int_equal(store.checks_at - checks_at, BORROWED_SPOT_CHECKS); /* one round a call */
    assert_int_equal(wine.lists, lists + 1);
    assert_int_equal(owner_of(records, 100001), 60);
    assert_int_equal(owner_of(records, 300001), 30);

    wine.handles[{70, 4}] = 700001; /* a new process's socket */
    lists = wine.lists;
    work = first_call(wine, store, 41, records);
    assert_int_equal(wine.lists, lists + 1);
    assert_int_equal(owner_of(records, 700001), 70);
    assert_int_equal(owner_of(records, 100001), 60);

    wine.can_confirm = false; /* a source that cannot: the list, as before */
    lists = wine.lists;
    work = first_call(wine, store, 42, records);
    assert_false(work.confirmed);
    assert_int_equal(wine.lists, lists + 1);
    assert_int_equal(owner_of(records, 700001), 70);
}

/* A PID in the map that now names another process (same PID, later creation time): its entries
 * are not borrowed; the new process is probed. */
static void test_dead_process_in_the_map(void **)
{
    FakeWine wine;
    hold_sockets(wine, 20, 10, 100000);
    MemoryStore store;
    learn(wine, store);
    wine.handles.clear();
    wine.create_times[20] = 99; /* process 20 exited; its PID went to a new process */
    hold_sockets(wine, 20, 10, 200000);
    wine.handles[{20, 4}] = 100001; /* which holds an inode the old one held */
    SocketBuffer records;
    OwnerWork work = first_call(wine, store, 11, records);
    assert_int_equal(work.verified, 0); /* nothing borrowed */
    assert_true(work.probed >= 10);
    assert_int_equal(owner_of(records, 100001), 20);
    assert_int_equal(owner_of(records, 200010), 20);
}

/* A map made under another wineserver instance is not used. */
static void test_restarted_server_ignores_the_map(void **)
{
    FakeWine wine;
    hold_sockets(wine, 20, 10, 100000);
    MemoryStore store;
    learn(wine, store);
    wine.server.server_start++; /* a new wineserver: same prefix, PIDs start over */
    wine.handles.clear();
    hold_sockets(wine, 21, 10, 100000); /* even the same inodes */
    SocketBuffer records;
    OwnerWork work = first_call(wine, store, 22, records);
    assert_false(work.loaded);
    assert_int_equal(owner_of(records, 100001), 21);
}

/* An inode number reused by a new socket: the kernel's cookie tells the sockets apart, so the
 * old holder's slot never claims the new socket. */
static void test_reused_inode_told_apart_by_cookie(void **)
{
    FakeWine wine;
    wine.handles[{20, 4}] = 2001;
    wine.cookies[2001] = 1;
    OwnerResolver resolver(wine);
    SocketBuffer records = records_of(wine);
    resolver.resolve(records);
    assert_int_equal(owner_of(records, 2001), 20);
    /* Process 20 closed it (its slot now holds another object) and process 30's new socket got
     * the same inode number. */
    wine.handles[{20, 4}] = 0;
    wine.handles[{20, 8}] = 0;
    wine.handles[{30, 4}] = 2001;
    wine.cookies[2001] = 2;
    records = records_of(wine);
    resolver.resolve(records);
    assert_int_equal(owner_of(records, 2001), 30);
}

/* ---- the shared file ---- */

namespace {

std::string scratch_dir()
{
    char dir[] = "/tmp/iphlp-owner-test-XXXXXX";
    assert_non_null(mkdtemp(dir));
    return dir;
}

SharedMap sample_map()
{
    SharedMap shared;
    shared.natives = {{9001, 5}, {9002, 6}};
    std::vector<KnownProcess> &map = shared.processes;
    map.resize(2);
    map[0].pid = 20;
    map[0].create_time = 111;
    map[0].slots.resize(3);
    map[0].slots[0] = {5001, 77, SlotKind::socket, false};
    map[0].slots[1] = {0, 0, SlotKind::empty, false};
    map[0].slots[2] = {0, 0, SlotKind::other, false};
    map[1].pid = 30;
    map[1].create_time = 222;
    map[1].slots.resize(1);
    return shared;
}

std::string map_file(const std::string &dir, const ServerIdentity &server)
{
    char name[64];
    snprintf(name, sizeof(name), "/owners-%llx-%llx", (unsigned long long)server.prefix_dev,
             (unsigned long long)server.prefix_ino);
    return dir + name;
}

} // namespace

static void test_file_round_trip(void **)
{
    std::string dir = scratch_dir() + "/owners";
    OwnerFile file(dir);
    ServerIdentity server = {1, 2, 3, 4};
    SharedMap map;
    std::vector<KnownProcess> &out = map.processes;
    assert_false(file.load(server, map)); /* nothing yet */
    file.save(server, sample_map());
    assert_true(file.load(server, map));
    assert_int_equal(map.natives.size(), 2);
    assert_int_equal(map.natives[1].inode, 9002);
    assert_int_equal(map.natives[1].cookie, 6);
    assert_int_equal(out.size(), 2);
    assert_int_equal(out[0].pid, 20);
    assert_int_equal(out[0].create_time, 111);
    assert_int_equal(out[0].slots.size(), 3);
    assert_int_equal(out[0].slots[0].inode, 5001);
    assert_int_equal(out[0].slots[0].cookie, 77);
    assert_true(out[0].slots[0].kind == SlotKind::socket);
    assert_true(out[0].slots[1].kind == SlotKind::empty);
    assert_true(out[0].slots[2].kind == SlotKind::other);
    assert_true(out[1].slots[0].kind == SlotKind::unprobed);
    struct stat st;
    assert_int_equal(stat(dir.c_str(), &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);
    /* Another wineserver instance of the same prefix: not used. */
    ServerIdentity restarted = server;
    restarted.server_start = 5;
    assert_false(file.load(restarted, map));
    restarted = server;
    restarted.server_pid = 9;
    assert_false(file.load(restarted, map));
}

/* Every byte counts: a flipped bit anywhere, a truncation or trailing junk make the file unused. */
static void test_file_corruption_is_ignored(void **)
{
    std::string dir = scratch_dir();
    OwnerFile file(dir);
    ServerIdentity server = {1, 2, 3, 4};
    file.save(server, sample_map());
    std::string path = map_file(dir, server);
    struct stat st;
    assert_int_equal(stat(path.c_str(), &st), 0);
    SharedMap out;
    for (off_t at = 0; at < st.st_size; at += 7)
    {
        int fd = open(path.c_str(), O_RDWR);
        unsigned char b;
        assert_int_equal(pread(fd, &b, 1, at), 1);
        b ^= 0x10;
        assert_int_equal(pwrite(fd, &b, 1, at), 1);
        assert_false(file.load(server, out));
        b ^= 0x10;
        assert_int_equal(pwrite(fd, &b, 1, at), 1);
        close(fd);
        assert_true(file.load(server, out));
    }
    assert_int_equal(truncate(path.c_str(), st.st_size - 1), 0);
    assert_false(file.load(server, out));
    file.save(server, sample_map()); /* replaced by the next save */
    assert_true(file.load(server, out));
    int fd = open(path.c_str(), O_WRONLY | O_APPEND);
    assert_int_equal(write(fd, "junk", 4), 4);
    close(fd);
    assert_false(file.load(server, out));
}

/* Files and directories that are not this user's alone are never read. */
/* The shared position of the spot checks: it advances for every caller, in the file beside the
 * map, held to the map's rules. */
static void test_file_shares_the_checks_position(void **)
{
    ServerIdentity server = {1, 2, 3, 4};
    std::string dir = scratch_dir();
    OwnerFile one(dir), two(dir);
    uint64_t at = 99;
    assert_true(one.next_checks(server, 8, at));
    assert_int_equal(at, 0);
    assert_true(two.next_checks(server, 8, at));
    assert_int_equal(at, 8);
    assert_true(one.next_checks(server, 8, at));
    assert_int_equal(at, 16);
    std::string path = map_file(dir, server) + ".checks";
    assert_int_equal(chmod(path.c_str(), 0620), 0); /* group-writable */
    assert_false(one.next_checks(server, 8, at));
    assert_int_equal(chmod(path.c_str(), 0600), 0);
    if (geteuid() == 0)
    {
        assert_int_equal(chown(path.c_str(), 65534, 65534), 0); /* another user's file */
        assert_false(one.next_checks(server, 8, at));
    }
    /* A link planted in its place (symbolic, or hard): refused, and its target left alone. */
    assert_int_equal(chown(path.c_str(), geteuid(), getegid()), 0);
    std::string real = dir + "/real";
    assert_int_equal(rename(path.c_str(), real.c_str()), 0);
    assert_int_equal(symlink(real.c_str(), path.c_str()), 0);
    assert_false(one.next_checks(server, 8, at));
    assert_int_equal(unlink(path.c_str()), 0);
    assert_int_equal(link(real.c_str(), path.c_str()), 0);
    assert_false(one.next_checks(server, 8, at));
    uint64_t kept = 0;
    FILE *f = fopen(real.c_str(), "rb");
    assert_non_null(f);
    assert_int_equal(fread(&kept, sizeof(kept), 1, f), 1);
    fclose(f);
    assert_int_equal(kept, 24);
    assert_int_equal(chmod(dir.c_str(), 0777), 0); /* a directory others may write to */
    assert_false(two.next_checks(server, 8, at));
}

static void test_file_of_another_user_is_ignored(void **)
{
    ServerIdentity server = {1, 2, 3, 4};
    SharedMap out;
    {
        std::string dir = scratch_dir();
        OwnerFile file(dir);
        file.save(server, sample_map());
        std::string path = map_file(dir, server);
        assert_int_equal(chmod(path.c_str(), 0620), 0); /* group-writable */
        assert_false(file.load(server, out));
        assert_int_equal(chmod(path.c_str(), 0600), 0);
        assert_true(file.load(server, out));
        /* A symbolic link planted in its place. */
        std::string real = dir + "/real";
        assert_int_equal(rename(path.c_str(), real.c_str()), 0);
        assert_int_equal(symlink(real.c_str(), path.c_str()), 0);
        assert_false(file.load(server, out));
        assert_int_equal(unlink(path.c_str()), 0);
        assert_int_equal(rename(real.c_str(), path.c_str()), 0);
        if (geteuid() == 0)
        {
            assert_int_equal(chown(path.c_str(), 65534, 65534), 0); /* another user's file */
            assert_false(file.load(server, out));
        }
    }
    {
        /* A directory others may write to: neither read nor written. */
        std::string dir = scratch_dir();
        assert_int_equal(chmod(dir.c_str(), 0777), 0);
        OwnerFile file(dir);
        file.save(server, sample_map());
        assert_int_equal(access(map_file(dir, server).c_str(), F_OK), -1);
        assert_int_equal(chmod(dir.c_str(), 0700), 0);
        file.save(server, sample_map());
        assert_int_equal(chmod(dir.c_str(), 0755), 0);
        assert_false(file.load(server, out));
        if (geteuid() == 0)
        {
            assert_int_equal(chmod(dir.c_str(), 0700), 0);
            assert_int_equal(chown(dir.c_str(), 65534, 65534), 0); /* another user's directory */
            assert_false(file.load(server, out));
        }
    }
}

/* The resolver with the real file: a second process borrows, and a restarted server's map is
 * not. */
static void test_resolver_with_the_file(void **)
{
    std::string dir = scratch_dir();
    FakeWine wine;
    hold_sockets(wine, 20, 500, 100000);
    {
        OwnerFile file(dir);
        OwnerResolver first(wine, &file);
        SocketBuffer records = records_of(wine);
        assert_true(first.resolve(records).saved);
    }
    wine.self = 11;
    OwnerFile file(dir);
    OwnerResolver fresh(wine, &file);
    SocketBuffer records = records_of(wine);
    OwnerWork work = fresh.resolve(records);
    assert_true(work.loaded);
    assert_true(work.probed <= BORROWED_SPOT_CHECKS + FIRST_PROBE_BATCH);
    assert_int_equal(owner_of(records, 100500), 20);
}

int main()
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_owners_and_non_wine_sockets),
        cmocka_unit_test(test_no_wine_sockets_probes_nothing),
        cmocka_unit_test(test_cache_avoids_reprobing),
        cmocka_unit_test(test_reused_handle_value),
        cmocka_unit_test(test_file_handle_reused_for_socket),
        cmocka_unit_test(test_own_process_wins_shared_socket),
        cmocka_unit_test(test_unknown_wine_sockets_still_resolve),
        cmocka_unit_test(test_cache_forgets_closed_handles),
        cmocka_unit_test(test_shared_socket_and_reused_value),
        cmocka_unit_test(test_known_inodes_skip_the_server_table),
        cmocka_unit_test(test_unreadable_server_table_remembers_nothing),
        cmocka_unit_test(test_many_inodes),
        cmocka_unit_test(test_recent_list_vouches_for_the_cache),
        cmocka_unit_test(test_new_own_socket_probes_only_new_slots),
        cmocka_unit_test(test_own_new_connection_stops_at_its_sockets),
        cmocka_unit_test(test_new_socket_of_another_process),
        cmocka_unit_test(test_new_process_probed_alone),
        cmocka_unit_test(test_fresh_process_borrows_the_map),
        cmocka_unit_test(test_forged_entry_is_found_and_corrected),
        cmocka_unit_test(test_uncontradicted_entry_found_by_one_call_processes),
        cmocka_unit_test(test_conflicting_claim_is_checked_before_use),
        cmocka_unit_test(test_stale_claim_after_handing_on_is_checked_before_use),
        cmocka_unit_test(test_fresh_process_confirms_instead_of_listing),
        cmocka_unit_test(test_confirmation_falls_back_to_the_list),
        cmocka_unit_test(test_confirmed_part_is_not_saved),
        cmocka_unit_test(test_dead_process_in_the_map),
        cmocka_unit_test(test_restarted_server_ignores_the_map),
        cmocka_unit_test(test_reused_inode_told_apart_by_cookie),
        cmocka_unit_test(test_file_round_trip),
        cmocka_unit_test(test_file_corruption_is_ignored),
        cmocka_unit_test(test_file_of_another_user_is_ignored),
        cmocka_unit_test(test_file_shares_the_checks_position),
        cmocka_unit_test(test_resolver_with_the_file),
    };
    return cmocka_run_group_tests(tests, nullptr, nullptr);
}
