// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Crash safety: writer processes are killed with SIGKILL at a random moment, again and again,
 * including while they are creating a fresh store. After every kill the store must open,
 * pass PRAGMA integrity_check, hold disjoint blocks with unique non-zero tokens, and contain
 * every create a writer had seen succeed (a successful Create is durable).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
extern "C" {
#include <cmocka.h>
}

#include <csignal>
#include <cstdio>
#include <map>
#include <random>
#include <set>
#include <sys/wait.h>
#include <unistd.h>

#include <sqlite3.h>

#include "kernel_reserved_ports.h"
#include "reservation_test_util.h"

using namespace iphlp;

namespace {

const int ITERATIONS = 120;
const int FRESH_STORE_EVERY = 10; /* also crash during the creation of the store */
const uint16_t DURABLE_BASE = 10000;
const uint16_t DURABLE_PER_ITERATION = 150;

/* Creates TCP blocks base, base+1, ... and reports each success on fd as (start, token). */
[[noreturn]] void durable_writer(const StoreConfig &cfg, uint16_t base, int fd)
{
    for (uint16_t i = 0; i < DURABLE_PER_ITERATION; i++)
    {
        uint64_t token = 0;
        if (reservation_create(cfg, IPHLP_TCP, uint16_t(base + i), 1, &token) == WIN_NO_ERROR)
        {
            struct
            {
                uint16_t start;
                uint64_t token;
            } report = {uint16_t(base + i), token};
            if (write(fd, &report, sizeof(report)) != sizeof(report)) _exit(1);
        }
    }
    pause();
    _exit(0);
}

/* Creates and deletes at random over ports 1..40, where blocks collide. */
[[noreturn]] void churn_writer(const StoreConfig &cfg, uint32_t proto, unsigned seed)
{
    std::mt19937 rng(seed);
    for (;;)
    {
        uint16_t start = uint16_t(1 + rng() % 40), count = uint16_t(1 + rng() % 3);
        uint64_t token;
        if (rng() % 2)
            reservation_create(cfg, proto, start, count, &token);
        else
            reservation_delete(cfg, proto, start, count);
    }
}

pid_t spawn(const std::function<void()> &fn)
{
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid == 0) fn();
    return pid;
}

std::string integrity(const std::string &path)
{
    sqlite3 *db = nullptr;
    std::string verdict;
    if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK)
    {
        sqlite3_stmt *stmt = nullptr;
        if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &stmt, nullptr) == SQLITE_OK &&
            sqlite3_step(stmt) == SQLITE_ROW)
            verdict = reinterpret_cast<const char *>(sqlite3_column_text(stmt, 0));
        sqlite3_finalize(stmt);
    }
    if (verdict.empty()) verdict = sqlite3_errmsg(db);
    sqlite3_close(db);
    return verdict;
}

void killed_writers_leave_a_consistent_store(void **)
{
    restest::Fixture fx;
    std::mt19937 rng(42);
    std::map<uint16_t, uint64_t> durable; /* TCP start -> token, reported by writers */
    int fresh_stores = 0;
    size_t max_blocks = 0;
    for (int iter = 0; iter < ITERATIONS; iter++)
    {
        bool fresh = iter % FRESH_STORE_EVERY == 0;
        if (fresh)
        {
            for (const char *suffix : {"", "-wal", "-shm"}) unlink((fx.cfg.db_path + suffix).c_str());
            durable.clear();
            fresh_stores++;
        }
        int fds[2];
        assert_int_equal(pipe(fds), 0);
        const uint16_t base = uint16_t(DURABLE_BASE + (iter % FRESH_STORE_EVERY) * DURABLE_PER_ITERATION);
        pid_t writers[3];
        writers[0] = spawn([&] {
            close(fds[0]);
            durable_writer(fx.cfg, base, fds[1]);
        });
        writers[1] = spawn([&] { churn_writer(fx.cfg, IPHLP_TCP, unsigned(iter * 2)); });
        writers[2] = spawn([&] { churn_writer(fx.cfg, IPHLP_UDP, unsigned(iter * 2 + 1)); });
        close(fds[1]);
        for (pid_t pid : writers) assert_true(pid > 0);

        usleep(useconds_t(rng() % (fresh ? 3000 : 20000)));
        for (pid_t pid : writers) kill(pid, SIGKILL);
        for (pid_t pid : writers)
        {
            int status = 0;
            assert_int_equal(waitpid(pid, &status, 0), pid);
            assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
        }
        struct
        {
            uint16_t start;
            uint64_t token;
        } report;
        while (read(fds[0], &report, sizeof(report)) == sizeof(report)) durable[report.start] = report.token;
        close(fds[0]);

        if (!restest::file_exists(fx.cfg.db_path))
            continue; /* killed before even creating the file: nothing to check */
        assert_string_equal(integrity(fx.cfg.db_path).c_str(), "ok");
        std::set<uint64_t> tokens;
        std::map<uint16_t, uint64_t> tcp_singles;
        size_t blocks = 0;
        for (uint32_t proto : {IPHLP_TCP, IPHLP_UDP})
        {
            std::vector<Reservation> list;
            assert_int_equal(reservation_list(fx.cfg, proto, list), WIN_NO_ERROR);
            assert_true(restest::disjoint(list));
            for (const Reservation &r : list)
            {
                assert_int_not_equal(r.token, 0);
                assert_true(tokens.insert(r.token).second);
                if (proto == IPHLP_TCP && r.num_ports == 1) tcp_singles[r.start_port] = r.token;
            }
            blocks += list.size();
        }
        max_blocks = std::max(max_blocks, blocks);
        for (const auto &[start, token] : durable)
        {
            assert_true(tcp_singles.count(start));
            assert_int_equal(tcp_singles[start], token);
        }
        /* Not transactional with the store, but never left half-written. */
        PortSet kernel;
        assert_true(parse_port_list(restest::read_file(fx.cfg.kernel_reserved_path), kernel));
    }
    printf("  %d kills, %d fresh stores, up to %zu blocks, %zu durable creates checked last round\n", ITERATIONS,
           fresh_stores, max_blocks, durable.size());
    assert_true(max_blocks > 0);
}

/*
 * Where WAL is unavailable a store runs with a rollback journal, and a writer killed mid-way
 * leaves a hot journal. Only a read-write connection may roll it back, so the store must not
 * mistake it for damage: it opens, and the interrupted transaction is gone.
 */
void hot_rollback_journal_is_recovered(void **)
{
    restest::Fixture fx;
    uint64_t token = 0, found = 0;
    assert_int_equal(reservation_create(fx.cfg, IPHLP_TCP, 100, 1, &token), WIN_NO_ERROR);
    pid_t pid = spawn(
        [&] { /* the fork closed our connection, so the mode can change */
              sqlite3 *db = nullptr;
              if (sqlite3_open(fx.cfg.db_path.c_str(), &db) != SQLITE_OK ||
                  sqlite3_exec(db,
                               "PRAGMA journal_mode=DELETE; PRAGMA cache_size=1; BEGIN;"
                               "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 5000)"
                               " INSERT INTO reservations(proto, first_port, last_port) SELECT 1, 2 * x, 2 * x FROM n;",
                               nullptr, nullptr, nullptr) != SQLITE_OK)
                  _exit(1);
              raise(SIGKILL); /* in the middle of the transaction, pages already spilled */
              _exit(2);
        });
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status));
    assert_true(restest::file_exists(fx.cfg.db_path + "-journal"));

    std::vector<Reservation> list;
    assert_int_equal(reservation_list(fx.cfg, IPHLP_UDP, list), WIN_NO_ERROR);
    assert_true(list.empty());
    assert_int_equal(reservation_lookup(fx.cfg, IPHLP_TCP, 100, 1, &found), WIN_NO_ERROR);
    assert_int_equal(found, token);
    assert_string_equal(integrity(fx.cfg.db_path).c_str(), "ok");
}

} // namespace

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(killed_writers_leave_a_consistent_store),
        cmocka_unit_test(hot_rollback_journal_is_recovered),
    };
    return cmocka_run_group_tests(tests, nullptr, nullptr);
}
