// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Create, Lookup and Delete in a loop with the store's normal durability (WAL, synchronous=FULL),
 * printing median latencies for information. No timing is asserted: benchmarks measure
 * performance, this only shows the order of magnitude and that the loop works.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
extern "C" {
#include <cmocka.h>
}

#include <algorithm>
#include <cstdio>
#include <ctime>

#include "reservation_test_util.h"

using namespace iphlp;

namespace {

const int ROUNDS = 200;

double now_us()
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return double(ts.tv_sec) * 1e6 + double(ts.tv_nsec) / 1e3;
}

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

void create_lookup_delete_loop(void **)
{
    restest::Fixture fx;
    uint64_t warm;
    assert_int_equal(reservation_lookup(fx.cfg, IPHLP_TCP, 1, 1, &warm), WIN_ERROR_NOT_FOUND); /* opens */
    std::vector<double> create, lookup, remove;
    for (int i = 0; i < ROUNDS; i++)
    {
        const uint16_t start = uint16_t(20000 + (i % 50) * 10);
        uint64_t token = 0, found = 0;
        double t0 = now_us();
        assert_int_equal(reservation_create(fx.cfg, IPHLP_TCP, start, 10, &token), WIN_NO_ERROR);
        double t1 = now_us();
        assert_int_equal(reservation_lookup(fx.cfg, IPHLP_TCP, start, 10, &found), WIN_NO_ERROR);
        double t2 = now_us();
        assert_int_equal(reservation_delete(fx.cfg, IPHLP_TCP, start, 10), WIN_NO_ERROR);
        double t3 = now_us();
        assert_int_equal(found, token);
        create.push_back(t1 - t0);
        lookup.push_back(t2 - t1);
        remove.push_back(t3 - t2);
    }
    /* Lookup in a store that holds a few hundred blocks. */
    for (uint16_t i = 0; i < 300; i++)
    {
        uint64_t token;
        assert_int_equal(reservation_create(fx.cfg, IPHLP_UDP, uint16_t(1000 + i * 3), 2, &token), WIN_NO_ERROR);
    }
    std::vector<double> busy_lookup;
    for (int i = 0; i < 1000; i++)
    {
        uint64_t token;
        double t0 = now_us();
        assert_int_equal(reservation_lookup(fx.cfg, IPHLP_UDP, uint16_t(1000 + (i % 300) * 3), 2, &token),
                         WIN_NO_ERROR);
        busy_lookup.push_back(now_us() - t0);
    }
    std::vector<Reservation> list;
    assert_int_equal(reservation_list(fx.cfg, IPHLP_TCP, list), WIN_NO_ERROR);
    assert_true(list.empty());
    printf("  median latency over %d rounds: create %.1f us, lookup %.1f us, delete %.1f us; "
           "lookup among 300 blocks %.1f us\n",
           ROUNDS, median(create), median(lookup), median(remove), median(busy_lookup));
}

} // namespace

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(create_lookup_delete_loop),
    };
    return cmocka_run_group_tests(tests, nullptr, nullptr);
}
