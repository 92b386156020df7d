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

/* A pretend Wine: processes hold handles; a handle is either a socket (inode) or a file (0). */
struct FakeWine : HandleSource
{
    uint32_t self = 10;
    std::map<std::pair<uint32_t, uint32_t>, uint64_t> handles;
    bool server_visible = true;
    size_t probed = 0;

    uint32_t own_pid() override { return self; }
    bool list_file_handles(std::vector<HandleRef> &out) override
    {
        for (const auto &h : handles) out.push_back({h.first.first, h.first.second});
        return true;
    }
    void probe(const HandleRef *refs, size_t count, uint64_t *inodes) override
    {
        for (size_t i = 0; i < count; i++) inodes[i] = handles.at({refs[i].pid, refs[i].handle});
        probed += count;
    }
    bool wine_socket_inodes(std::vector<uint64_t> &out) override
    {
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
    assert_int_equal(first, 3);
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

/* Closed processes' handles leave the cache. */
static void test_cache_forgets_closed_handles(void **)
{
    FakeWine wine;
    wine.handles = {{{20, 8}, 2001}};
    OwnerResolver resolver(wine);
    SocketBuffer records = records_for({2001});
    resolver.resolve(records);
    wine.handles = {{{21, 8}, 2001}}; /* the socket now belongs to another process */
    resolver.resolve(records);
    assert_int_equal(records[0].row.owner_pid, 21);
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
    };
    return cmocka_run_group_tests(tests, nullptr, nullptr);
}
