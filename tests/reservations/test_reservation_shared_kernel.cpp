// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Several prefixes share one ip_local_reserved_ports: processes with separate stores (as
 * separate Wine prefixes have) create and delete blocks at the same time against one kernel
 * list. Their stores do not serialize them, so only the machine-wide lock around each
 * read-merge-write keeps their updates from overwriting each other.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
extern "C" {
#include <cmocka.h>
}

#include <sys/wait.h>
#include <unistd.h>

#include "kernel_reserved_ports.h"
#include "reservation_test_util.h"

using namespace iphlp;

namespace {

constexpr int PREFIXES = 6;
constexpr int BLOCKS_PER_PREFIX = 60;

/* Prefix p owns ports 20000 + p * 1000 ...; block b is two ports. */
uint16_t block_start(int p, int b) { return uint16_t(20000 + p * 1000 + b * 4); }

} // namespace

static void test_prefixes_do_not_lose_each_others_ports(void **)
{
    restest::Fixture shared; /* its kernel file and boot id are shared; each prefix gets a store */
    std::vector<pid_t> children;
    for (int p = 0; p < PREFIXES; p++)
    {
        pid_t child = fork();
        if (child == 0)
        {
            StoreConfig cfg = shared.cfg;
            cfg.db_path = shared.dir + "/prefix" + std::to_string(p) + ".sqlite3";
            int failures = 0;
            for (int b = 0; b < BLOCKS_PER_PREFIX; b++)
            {
                uint64_t token;
                failures += reservation_create(cfg, IPHLP_TCP, block_start(p, b), 2, &token) != WIN_NO_ERROR;
                /* Every third block goes again: removals race with the other prefixes' adds. */
                if (b % 3 == 0) failures += reservation_delete(cfg, IPHLP_TCP, block_start(p, b), 2) != WIN_NO_ERROR;
            }
            _exit(failures ? 1 : 0);
        }
        assert_true(child > 0);
        children.push_back(child);
    }
    for (pid_t child : children)
    {
        int status = 0;
        assert_int_equal(waitpid(child, &status, 0), child);
        assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }

    PortSet expected, listed;
    for (int p = 0; p < PREFIXES; p++)
        for (int b = 0; b < BLOCKS_PER_PREFIX; b++)
            if (b % 3) expected |= port_block(block_start(p, b), uint16_t(block_start(p, b) + 1));
    assert_true(parse_port_list(restest::read_file(shared.cfg.kernel_reserved_path), listed));
    assert_true(listed == expected);
}

int main()
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_prefixes_do_not_lose_each_others_ports),
    };
    return cmocka_run_group_tests(tests, nullptr, nullptr);
}
