// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Many processes, one store: 8 forked children each run 1,000 random creates and deletes over a
 * small port space, so they collide constantly, and log what succeeded. Afterwards the store
 * must be exactly what those successes imply, and the shared kernel list must match it.
 *
 * Why the logs suffice without a global clock: for one (protocol, start, count), a create can
 * only succeed when the block is absent and a delete only when it is present, so in the true
 * serial order that block's successes alternate create, delete, create, ... Hence
 * creates - deletes is 0 or 1, and it is 1 exactly when the block must still be there, holding
 * the token of its latest create. "Latest" is known because a token encodes its row serial,
 * which SQLite's AUTOINCREMENT hands out in commit order; the test recovers serials from tokens
 * with the public token function.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
extern "C" {
#include <cmocka.h>
}

#include <cstdio>
#include <map>
#include <random>
#include <set>
#include <sys/wait.h>
#include <tuple>
#include <unistd.h>

#include <sqlite3.h>

#include "boot_token.h"
#include "kernel_reserved_ports.h"
#include "reservation_test_util.h"

using namespace iphlp;

namespace {

const int CHILDREN = 8;
const int OPS_PER_CHILD = 1000;

using Key = std::tuple<uint32_t, uint16_t, uint16_t>; /* proto, start, count */

/* One child: random operations, each success logged as "C proto start count token" or
 * "D proto start count". Any other outcome than the legal ones fails the child. */
int worker(const StoreConfig &cfg, int index, const std::string &log_path)
{
    FILE *log = fopen(log_path.c_str(), "w");
    if (!log) return 2;
    std::mt19937 rng(1234u + unsigned(index));
    for (int i = 0; i < OPS_PER_CHILD; i++)
    {
        uint32_t proto = rng() % 2 ? IPHLP_UDP : IPHLP_TCP;
        uint16_t start = uint16_t(1 + rng() % 40);
        uint16_t count = uint16_t(1 + rng() % 3);
        if (rng() % 2)
        {
            uint64_t token = 0;
            uint32_t rc = reservation_create(cfg, proto, start, count, &token);
            if (rc == WIN_NO_ERROR)
                fprintf(log, "C %u %u %u %llu\n", proto, start, count, (unsigned long long)token);
            else if (rc != WIN_ERROR_SHARING_VIOLATION)
            {
                fprintf(stderr, "child %d: create returned %u\n", index, rc);
                return 3;
            }
        }
        else
        {
            uint32_t rc = reservation_delete(cfg, proto, start, count);
            if (rc == WIN_NO_ERROR)
                fprintf(log, "D %u %u %u\n", proto, start, count);
            else if (rc != WIN_ERROR_NOT_FOUND)
            {
                fprintf(stderr, "child %d: delete returned %u\n", index, rc);
                return 4;
            }
        }
    }
    return fclose(log) == 0 ? 0 : 5;
}

struct Log
{
    std::map<Key, std::vector<uint64_t>> creates; /* tokens, per block */
    std::map<Key, int> deletes;
    std::vector<std::vector<uint64_t>> tokens_by_child;
};

void read_log(const std::string &path, Log &log)
{
    FILE *f = fopen(path.c_str(), "r");
    assert_non_null(f);
    log.tokens_by_child.emplace_back();
    char op;
    unsigned proto, start, count;
    while (fscanf(f, " %c %u %u %u", &op, &proto, &start, &count) == 4)
    {
        Key key{proto, uint16_t(start), uint16_t(count)};
        if (op == 'C')
        {
            unsigned long long token;
            assert_int_equal(fscanf(f, "%llu", &token), 1);
            log.creates[key].push_back(token);
            log.tokens_by_child.back().push_back(token);
        }
        else
        {
            assert_int_equal(op, 'D');
            log.deletes[key]++;
        }
    }
    fclose(f);
}

int64_t max_serial(const std::string &db_path)
{
    sqlite3 *db = nullptr;
    assert_int_equal(sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
    sqlite3_stmt *stmt = nullptr;
    assert_int_equal(
        sqlite3_prepare_v2(db, "SELECT seq FROM sqlite_sequence WHERE name = 'reservations'", -1, &stmt, nullptr),
        SQLITE_OK);
    assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
    int64_t serial = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return serial;
}

void many_processes_agree(void **)
{
    restest::Fixture fx;
    pid_t pids[CHILDREN];
    for (int i = 0; i < CHILDREN; i++)
    {
        fflush(stdout);
        fflush(stderr);
        pids[i] = fork();
        assert_true(pids[i] >= 0);
        if (pids[i] == 0) _exit(worker(fx.cfg, i, fx.dir + "/log." + std::to_string(i)));
    }
    for (int i = 0; i < CHILDREN; i++)
    {
        int status = 0;
        assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
    }

    Log log;
    for (int i = 0; i < CHILDREN; i++) read_log(fx.dir + "/log." + std::to_string(i), log);

    /* Serial of every token the store can have handed out. */
    const BootKey key = boot_key(read_boot_id(fx.cfg.boot_id_path));
    std::map<uint64_t, int64_t> serial_of;
    const int64_t last_serial = max_serial(fx.cfg.db_path);
    for (int64_t s = 1; s <= last_serial; s++) serial_of[token_for_serial(key, s)] = s;

    size_t total_creates = 0, total_deletes = 0;
    std::set<uint64_t> all_tokens;
    for (const auto &child : log.tokens_by_child)
    {
        int64_t previous = 0;
        for (uint64_t token : child)
        {
            assert_int_not_equal(token, 0);
            assert_true(all_tokens.insert(token).second); /* unique across all processes */
            assert_true(serial_of.count(token));
            assert_true(serial_of[token] > previous); /* one process's creates commit in order */
            previous = serial_of[token];
            total_creates++;
        }
    }

    /* What must be in the store. */
    std::map<Key, uint64_t> expected;
    for (const auto &[k, tokens] : log.creates)
    {
        int deletes = log.deletes.count(k) ? log.deletes.at(k) : 0;
        int balance = int(tokens.size()) - deletes;
        assert_true(balance == 0 || balance == 1);
        if (balance == 1)
        {
            uint64_t latest = tokens[0];
            for (uint64_t t : tokens)
                if (serial_of[t] > serial_of[latest]) latest = t;
            expected[k] = latest;
        }
    }
    for (const auto &[k, n] : log.deletes)
    {
        assert_true(log.creates.count(k)); /* nothing is deleted that was never created */
        total_deletes += size_t(n);
    }

    std::map<Key, uint64_t> actual;
    PortSet union_of_blocks;
    for (uint32_t proto : {IPHLP_TCP, IPHLP_UDP})
    {
        std::vector<Reservation> list;
        assert_int_equal(reservation_list(fx.cfg, proto, list), WIN_NO_ERROR);
        assert_true(restest::disjoint(list));
        for (const Reservation &r : list)
        {
            actual[Key{proto, r.start_port, r.num_ports}] = r.token;
            assert_true(r.kernel_mirrored);
            union_of_blocks |= port_block(r.start_port, uint16_t(r.start_port + r.num_ports - 1));
        }
    }
    assert_true(actual == expected);

    /* Every kernel read-modify-write ran under the store's write lock, so none was lost: the
     * list (empty at the start) now holds exactly the ports of the remaining blocks. */
    PortSet kernel;
    assert_true(parse_port_list(restest::read_file(fx.cfg.kernel_reserved_path), kernel));
    assert_true(kernel == union_of_blocks);

    printf("  %zu creates and %zu deletes succeeded; %zu blocks remain\n", total_creates, total_deletes, actual.size());
    assert_true(total_creates > 100 && total_deletes > 100); /* the test did collide */
}

} // namespace

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(many_processes_agree),
    };
    return cmocka_run_group_tests(tests, nullptr, nullptr);
}
