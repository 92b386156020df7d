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
#include <map>

#include "owner_resolver.h"

using namespace iphlp;

namespace {

/* A pretend Wine: processes hold handles; a handle is a socket (its inode) or a file (0). */
struct FakeWine : HandleSource
{
    uint32_t self = 10;
    std::map<std::pair<uint32_t, uint32_t>, uint64_t> handles;
    bool server_visible = true;
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
            if (out.empty() || out.back().pid != h.first.first) out.push_back({h.first.first, 0});
            out.back().slots = std::max(out.back().slots, h.first.second / 4);
        }
        return true;
    }
    void probe(const HandleRef *refs, size_t count, uint64_t *inodes) override
    {
        for (size_t i = 0; i < count; i++)
        {
            auto it = handles.find({refs[i].pid, refs[i].handle});
            inodes[i] = it == handles.end() ? 0 : it->second; /* an empty slot */
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

} // namespace

static void test_owners_and_non_wine_sockets(void **)
{
    FakeWine wine;
    wine.handles = {{{10, 4}, 1001}, {{20, 8}, 2001}, {{20, 12}, 0}};
    OwnerResolver resolver(wine);
    SocketBuffer records = records_for({1001, 2001, 9999 /* not a Wine socket */, 0 /* TIME_WAIT */});
    resolver.resolve(records);
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
    SocketBuffer records = records_for({5, 6, 7});
    resolver.resolve(records);
    assert_int_equal(wine.probed, 0);
}

static void test_cache_avoids_reprobing(void **)
{
    FakeWine wine;
    wine.handles = {{{10, 4}, 1001}, {{20, 8}, 2001}, {{20, 12}, 0}};
    OwnerResolver resolver(wine);
    SocketBuffer records = records_for({1001, 2001});
    resolver.resolve(records);
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
    SocketBuffer records = records_for({2001});
    resolver.resolve(records);
    wine.handles = {{{20, 8}, 2002}};
    records = records_for({2002});
    resolver.resolve(records);
    assert_int_equal(records[0].row.owner_pid, 20);
}

/* A file handle value reused for a socket: files are cached as "not a socket", which must not
 * hide the new socket. */
static void test_file_handle_reused_for_socket(void **)
{
    FakeWine wine;
    wine.handles = {{{20, 8}, 0}, {{20, 12}, 2001}};
    OwnerResolver resolver(wine);
    SocketBuffer records = records_for({2001});
    resolver.resolve(records);
    wine.handles = {{{20, 8}, 2005}, {{20, 12}, 2001}};
    records = records_for({2001, 2005});
    resolver.resolve(records);
    assert_int_equal(records[0].row.owner_pid, 20);
    assert_int_equal(records[1].row.owner_pid, 20);
}

/* A socket with handles in two processes (inherited, duplicated): the caller's own PID wins. */
static void test_own_process_wins_shared_socket(void **)
{
    FakeWine wine;
    wine.handles = {{{5, 4}, 3001}, {{10, 40}, 3001}, {{30, 4}, 3001}};
    OwnerResolver resolver(wine);
    SocketBuffer records = records_for({3001});
    resolver.resolve(records);
    assert_int_equal(records[0].row.owner_pid, 10);
}

/* Without wineserver's fd table every socket is a candidate: still correct, just costlier. */
static void test_unknown_wine_sockets_still_resolve(void **)
{
    FakeWine wine;
    wine.server_visible = false;
    wine.handles = {{{20, 8}, 2001}};
    OwnerResolver resolver(wine);
    SocketBuffer records = records_for({2001, 4242});
    resolver.resolve(records);
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
    SocketBuffer records = records_for({2001});
    resolver.resolve(records);
    assert_int_equal(records[0].row.owner_pid, 10);
    wine.handles = {{{10, 8}, 2002}, {{20, 12}, 2001}}; /* the caller closed 8 and reused it */
    records = records_for({2001, 2002});
    resolver.resolve(records);
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
    SocketBuffer records = records_for({2001});
    resolver.resolve(records);
    wine.handles = {{{21, 8}, 2001}}; /* the socket now belongs to another process */
    wine.clock_ms += process_list_max_age_ms - 1;
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
    SocketBuffer records = records_for({2001, 3001});
    resolver.resolve(records);
    size_t lists = wine.lists, probed = wine.probed;
    for (int i = 0; i < 10; i++) resolver.resolve(records);
    assert_int_equal(wine.lists, lists);
    assert_int_equal(wine.probed, probed);
    assert_int_equal(records[0].row.owner_pid, 20);
    assert_int_equal(records[1].row.owner_pid, 30);
    wine.clock_ms += process_list_max_age_ms;
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
    SocketBuffer records = records_for({2001, 9999});
    resolver.resolve(records);
    assert_int_equal(wine.server_reads, 1);
    resolver.resolve(records);
    resolver.resolve(records);
    assert_int_equal(wine.server_reads, 1);
    assert_int_equal(records[0].row.owner_pid, 20);
    assert_int_equal(records[1].row.owner_pid, 0);
    wine.handles = {{{20, 8}, 2001}, {{20, 12}, 2002}}; /* a new Wine socket */
    records = records_for({2001, 9999, 2002});
    resolver.resolve(records);
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
    SocketBuffer records = records_for({2001, 4242});
    resolver.resolve(records);
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
    };
    return cmocka_run_group_tests(tests, nullptr, nullptr);
}
