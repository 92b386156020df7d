// SPDX-License-Identifier: LGPL-2.1-or-later
#include "runtime_blocks.h"

#include <cerrno>
#include <cstdio>
#include <fcntl.h>
#include <random>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "kernel_reserved_ports.h"
#include "process_start.h"
#include "reservation_lock.h"

namespace iphlp {

namespace {

/* Windows' dynamic port range, where it takes runtime blocks from when StartPort is 0. */
constexpr uint32_t DYNAMIC_FIRST = 49152;

struct Db
{
    sqlite3 *db = nullptr;
    ~Db()
    {
        if (db) sqlite3_close(db);
    }
};

bool exec(sqlite3 *db, const char *sql) { return sqlite3_exec(db, sql, nullptr, nullptr, nullptr) == SQLITE_OK; }

/* Opens (creating when asked) the runtime file. ERROR_NOT_FOUND when it does not exist and
 * create is false: nothing was ever acquired. */
uint32_t open_db(const StoreConfig &cfg, bool create, Db &out)
{
    const std::string path = cfg.db_path + "-runtime";
    if (cfg.db_path.empty() || cfg.db_path[0] != '/') return WIN_ERROR_INVALID_PARAMETER;
    struct stat st;
    if (!create && lstat(path.c_str(), &st) != 0 && errno == ENOENT) return WIN_ERROR_NOT_FOUND;
    int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0) | SQLITE_OPEN_NOFOLLOW;
    if (sqlite3_open_v2(path.c_str(), &out.db, flags, nullptr) != SQLITE_OK)
    {
        fprintf(stderr, "iphlp: cannot open the runtime reservations %s: %s\n", path.c_str(),
                out.db ? sqlite3_errmsg(out.db) : "out of memory");
        return WIN_ERROR_OPEN_FAILED;
    }
    sqlite3_busy_timeout(out.db, 5000);
    if (!exec(out.db, "CREATE TABLE IF NOT EXISTS runtime(token INTEGER PRIMARY KEY, proto INTEGER NOT NULL, "
                      "first INTEGER NOT NULL, last INTEGER NOT NULL, pid INTEGER NOT NULL, "
                      "started INTEGER NOT NULL)"))
    {
        fprintf(stderr, "iphlp: the runtime reservations %s are not usable: %s\n", path.c_str(),
                sqlite3_errmsg(out.db));
        return WIN_ERROR_FILE_CORRUPT;
    }
    return WIN_NO_ERROR;
}

struct Row
{
    PortBlock block;
    long pid;
    uint64_t started;
};

bool read_rows(sqlite3 *db, std::vector<Row> &rows)
{
    sqlite3_stmt *st = nullptr;
    if (sqlite3_prepare_v2(db, "SELECT token, proto, first, last, pid, started FROM runtime", -1, &st, nullptr))
        return false;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
    {
        Row r;
        r.block.token = uint64_t(sqlite3_column_int64(st, 0));
        r.block.proto = uint32_t(sqlite3_column_int64(st, 1));
        r.block.start_port = uint16_t(sqlite3_column_int64(st, 2));
        r.block.num_ports = uint16_t(sqlite3_column_int64(st, 3) - sqlite3_column_int64(st, 2) + 1);
        r.block.runtime = true;
        r.pid = long(sqlite3_column_int64(st, 4));
        r.started = uint64_t(sqlite3_column_int64(st, 5));
        rows.push_back(r);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE;
}

/* Whether the block's owner still runs: the same pid with the same start time (a reused pid has
 * another, a zombie none). */
bool owner_alive(const Row &r) { return process_start_time(r.pid) == r.started; }

void add_block(PortSet &ports, const PortBlock &b)
{
    add_ports(ports, b.start_port, uint16_t(b.start_port + b.num_ports - 1));
}

/* Keeps Linux's own ephemeral allocation out of a new block's ports, as the persistent blocks'
 * mirror does; only where this process may write the list, under its lock. */
void kernel_add(const StoreConfig &cfg, const PortBlock &b)
{
    if (!kernel_writable(cfg.kernel_reserved_path)) return;
    ListLock lock;
    if (lock.acquire(cfg.lock_dir) != WIN_NO_ERROR) return;
    PortSet current, after;
    if (!kernel_read(cfg.kernel_reserved_path, current)) return;
    PortSet target = current;
    add_block(target, b);
    if (target != current) kernel_write(cfg.kernel_reserved_path, current, target, after);
}

/* Gives the ports of ended blocks back to Linux, except those a block that stays also covers:
 * a persistent block, or a live runtime block (`live`), of either protocol, since the kernel's
 * list has no protocols: a TCP and a UDP block may share ports. */
void kernel_remove(const StoreConfig &cfg, const std::vector<PortBlock> &ended, const std::vector<Row> &live)
{
    if (ended.empty() || !kernel_writable(cfg.kernel_reserved_path)) return;
    ListLock lock;
    if (lock.acquire(cfg.lock_dir) != WIN_NO_ERROR) return;
    PortSet current, after;
    if (!kernel_read(cfg.kernel_reserved_path, current)) return;
    std::vector<PortBlock> staying;
    if (persistent_blocks(cfg, staying)) return;
    for (const Row &r : live) staying.push_back(r.block);
    PortSet keep, gone;
    for (const PortBlock &b : staying) add_block(keep, b);
    for (const PortBlock &b : ended) add_block(gone, b);
    const PortSet target = current & ~(gone & ~keep);
    if (target != current) kernel_write(cfg.kernel_reserved_path, current, target, after);
}

/* Deletes the rows of processes that are gone; returns the live ones. The ended blocks' ports
 * leave the kernel's list once every row is sorted, so that no live block loses a shared port. */
uint32_t live_rows(const StoreConfig &cfg, sqlite3 *db, std::vector<Row> &live)
{
    std::vector<Row> rows;
    if (!read_rows(db, rows)) return WIN_ERROR_FILE_CORRUPT;
    std::vector<PortBlock> ended;
    for (const Row &r : rows)
    {
        if (owner_alive(r))
        {
            live.push_back(r);
            continue;
        }
        sqlite3_stmt *st = nullptr;
        if (sqlite3_prepare_v2(db, "DELETE FROM runtime WHERE token = ?1 AND pid = ?2", -1, &st, nullptr))
            return WIN_ERROR_FILE_CORRUPT;
        sqlite3_bind_int64(st, 1, int64_t(r.block.token));
        sqlite3_bind_int64(st, 2, r.pid);
        const bool done = sqlite3_step(st) == SQLITE_DONE && sqlite3_changes(db) == 1;
        sqlite3_finalize(st);
        if (done) ended.push_back(r.block);
    }
    kernel_remove(cfg, ended, live);
    return WIN_NO_ERROR;
}

bool overlaps(const std::vector<PortBlock> &blocks, uint32_t proto, uint32_t first, uint32_t last)
{
    for (const PortBlock &b : blocks)
        if (b.proto == proto && first < uint32_t(b.start_port) + b.num_ports && last >= b.start_port) return true;
    return false;
}

} // namespace

uint32_t runtime_list(const StoreConfig &cfg, std::vector<PortBlock> &out)
{
    Db db;
    uint32_t rc = open_db(cfg, false, db);
    if (rc == WIN_ERROR_NOT_FOUND) return WIN_NO_ERROR;
    if (rc) return rc;
    std::vector<Row> live;
    if ((rc = live_rows(cfg, db.db, live))) return rc;
    for (const Row &r : live) out.push_back(r.block);
    return WIN_NO_ERROR;
}

bool runtime_live_ports(const StoreConfig &cfg, PortSet &ports)
{
    Db db;
    const uint32_t rc = open_db(cfg, false, db);
    if (rc == WIN_ERROR_NOT_FOUND) return true; /* no runtime block was ever taken here */
    std::vector<Row> rows;
    if (rc || !read_rows(db.db, rows)) return false;
    for (const Row &r : rows)
        if (owner_alive(r)) add_block(ports, r.block);
    return true;
}

uint32_t runtime_acquire(const StoreConfig &cfg, uint32_t proto, uint16_t start, uint16_t count, uint64_t *token,
                         uint16_t *start_out)
{
    if (proto > IPHLP_UDP || count == 0 || uint32_t(start) + count - 1 > 65535) return WIN_ERROR_INVALID_PARAMETER;
    Db db;
    if (uint32_t rc = open_db(cfg, true, db)) return rc;
    /* One writer at a time across processes: the choice of a free block and its insert. */
    if (!exec(db.db, "BEGIN IMMEDIATE")) return WIN_ERROR_SHARING_VIOLATION;
    std::vector<Row> live;
    std::vector<PortBlock> blocks;
    uint32_t rc = live_rows(cfg, db.db, live);
    if (!rc) rc = persistent_blocks(cfg, blocks);
    for (const Row &r : live) blocks.push_back(r.block);
    PortSet kernel, ours;
    kernel_read(cfg.kernel_reserved_path, kernel);
    for (const PortBlock &b : blocks) add_block(ours, b);
    auto usable = [&](uint32_t first) {
        const uint32_t last = first + count - 1;
        if (overlaps(blocks, proto, first, last)) return false;
        /* A port in the kernel list that no block of this store covers (of either protocol: the
         * list has no protocols) is someone else's exclusion, the administrator's or another
         * prefix's. A block over it, chosen or asked for, would take it out of the list on
         * release; so it is refused, as Windows refuses an excluded range. */
        for (uint32_t p = first; p <= last; p++)
            if (kernel.test(p) && !ours.test(p)) return false;
        return !cfg.port_in_use || cfg.port_in_use(proto, uint16_t(first), uint16_t(last)) == PortUse::free;
    };
    uint32_t chosen = 0;
    if (!rc && start != 0)
    {
        if (usable(start))
            chosen = start;
        else
            rc = WIN_ERROR_SHARING_VIOLATION;
    }
    else if (!rc)
    {
        for (uint32_t first = DYNAMIC_FIRST; first + count - 1 <= 65535 && !chosen; first++)
            if (usable(first)) chosen = first;
        if (!chosen) rc = WIN_ERROR_NOT_FOUND;
    }
    std::random_device random;
    uint64_t t = 0;
    while (!rc && t == 0)
    {
        /* Top bit set like persistent tokens (never 0, INVALID_PORT_RESERVATION_TOKEN); the
         * next bit set too, which no persistent token of a small serial space shares in
         * practice, and the insert refuses a duplicate anyway. */
        t = (uint64_t(random()) << 32 | random()) | 0xC000000000000000ull;
        for (const PortBlock &b : blocks)
            if (b.token == t) t = 0;
    }
    if (!rc)
    {
        sqlite3_stmt *st = nullptr;
        if (sqlite3_prepare_v2(db.db, "INSERT INTO runtime VALUES (?1, ?2, ?3, ?4, ?5, ?6)", -1, &st, nullptr))
            rc = WIN_ERROR_FILE_CORRUPT;
        else
        {
            sqlite3_bind_int64(st, 1, int64_t(t));
            sqlite3_bind_int64(st, 2, proto);
            sqlite3_bind_int64(st, 3, chosen);
            sqlite3_bind_int64(st, 4, chosen + count - 1);
            sqlite3_bind_int64(st, 5, getpid());
            sqlite3_bind_int64(st, 6, int64_t(process_start_time(getpid())));
            if (sqlite3_step(st) != SQLITE_DONE) rc = WIN_ERROR_FILE_CORRUPT;
            sqlite3_finalize(st);
        }
    }
    if (rc || !exec(db.db, "COMMIT"))
    {
        exec(db.db, "ROLLBACK");
        return rc ? rc : WIN_ERROR_SHARING_VIOLATION;
    }
    kernel_add(cfg, {proto, uint16_t(chosen), count, t, true});
    *token = t;
    *start_out = uint16_t(chosen);
    return WIN_NO_ERROR;
}

uint32_t runtime_release(const StoreConfig &cfg, uint64_t token)
{
    Db db;
    uint32_t rc = open_db(cfg, false, db);
    if (rc) return rc;
    std::vector<Row> live;
    if ((rc = live_rows(cfg, db.db, live))) return rc;
    for (size_t i = 0; i < live.size(); i++)
    {
        const Row r = live[i];
        if (r.block.token != token) continue;
        if (r.pid != getpid()) return WIN_ERROR_ACCESS_DENIED;
        sqlite3_stmt *st = nullptr;
        if (sqlite3_prepare_v2(db.db, "DELETE FROM runtime WHERE token = ?1", -1, &st, nullptr))
            return WIN_ERROR_FILE_CORRUPT;
        sqlite3_bind_int64(st, 1, int64_t(token));
        rc = sqlite3_step(st) == SQLITE_DONE ? WIN_NO_ERROR : WIN_ERROR_FILE_CORRUPT;
        sqlite3_finalize(st);
        if (rc) return rc;
        live.erase(live.begin() + long(i));
        kernel_remove(cfg, {r.block}, live);
        return WIN_NO_ERROR;
    }
    return WIN_ERROR_NOT_FOUND;
}

} // namespace iphlp
