// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The persistent reservation rules (Windows semantics, Win32 codes) on top of the store
 * connection of reservation_store.cpp: exact-match lookup and delete, no overlap within a
 * protocol, tokens from boot_token.h. Writes go through write_call() (reservation_mirror.cpp),
 * which also keeps the kernel's reserved port list in step.
 *
 * Out-parameters are written only after every lock is released: a caller's pointer that faults
 * (a read-only page, through a crafted unix call) must not leave the store's process-wide mutex
 * held, which hung every later reservation call and every fork of the process.
 */
#include "reservation_rules.h"

#include <cerrno>
#include <cstdio>
#include <sys/stat.h>

#include "boot_token.h"
#include "kernel_reserved_ports.h"
#include "reservation_store.h"
#include "reservation_errors.h"
#include "reservation_mirror.h"
#include "reservation_query.h"

namespace iphlp {

namespace {

bool valid_block(uint32_t proto, uint16_t start, uint16_t count)
{
    return (proto == IPHLP_TCP || proto == IPHLP_UDP) && start != 0 && count != 0 &&
           uint32_t(start) + count - 1 <= 65535;
}

/* Lookup and List answer "nothing reserved" for a store that does not exist yet, rather than
 * creating it (a read-only prefix cannot, and a query should not write). */
bool store_absent(const std::string &path)
{
    struct stat st;
    if (path.empty() || path[0] != '/' || lstat(path.c_str(), &st) == 0 || errno != ENOENT) return false;
    /* A missing directory is a wrong path, which the open reports. */
    std::string dir = path.substr(0, path.rfind('/'));
    return stat(dir.empty() ? "/" : dir.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

/* For Lookup and List: the first call of a boot in a namespace puts the blocks back into the
 * kernel list, and an update a killed process left unfinished is finished. Checked inside the
 * read's own with_store (one indexed SELECT), done after it; failures are reported by write_call
 * and do not fail the read, whose answer does not depend on the list. */
struct Reconcile
{
    explicit Reconcile(const StoreConfig &c, const std::string &b) : cfg(c), boot(b)
    {
        if (kernel_writable(cfg.kernel_reserved_path)) key = mirror_key(boot);
    }
    void check(StoreDb &store) { needed = !key.empty() && mirror_needs_reconcile(store, key); }
    void run_if_needed()
    {
        if (needed) write_call(cfg, boot, {});
    }
    const StoreConfig &cfg;
    const std::string &boot;
    std::string key;
    bool needed = false;
};

} // namespace

uint32_t reservation_create(const StoreConfig &cfg, uint32_t proto, uint16_t start, uint16_t count, uint64_t *token)
{
    if (!token || !valid_block(proto, start, count)) return WIN_ERROR_INVALID_PARAMETER;
    const uint16_t last = uint16_t(start + count - 1);
    const std::string boot = read_boot_id(cfg.boot_id_path);

    /* The socket scan runs before any lock: it took 59 ms at 54k sockets inside the write
     * transaction, stalling every other writer of the prefix. Holding the lock would not close
     * any race anyway: sockets are opened without asking the store. */
    PortUse use = cfg.port_in_use ? cfg.port_in_use(proto, start, last) : PortUse::free;
    if (use == PortUse::in_use) return WIN_ERROR_SHARING_VIOLATION;
    if (use == PortUse::unknown)
    {
        report_store(cfg.db_path, "cannot read the system's sockets to check that the ports are free");
        return WIN_ERROR_INTERNAL_ERROR;
    }

    int64_t serial = 0;
    uint32_t code = write_call(cfg, boot, [&](StoreDb &store) -> uint32_t {
        int rc = Query(store.insert).bind(1, proto).bind(2, start).bind(3, last).step();
        if (rc == SQLITE_CONSTRAINT_TRIGGER)
            return WIN_ERROR_SHARING_VIOLATION; /* overlaps a reservation: the schema's trigger */
        if (rc != SQLITE_DONE) return store_error(store, rc, "cannot add the reservation");
        serial = sqlite3_last_insert_rowid(store.db);
        return WIN_NO_ERROR;
    });
    if (code != WIN_NO_ERROR) return code;
    /* Say so when the block stays out of the kernel list although we may write it: it is past
     * the ephemeral cap (reservation_mirror.h), or the write failed (reported already). */
    PortSet listed;
    if (kernel_writable(cfg.kernel_reserved_path) && kernel_read(cfg.kernel_reserved_path, listed) &&
        (port_block(start, last) & ~listed).any())
    {
        PortSet range;
        const bool cap = read_port_range(cfg.port_range_path, range) && (port_block(start, last) & range).any();
        std::string why = "the list could not be updated (see above)";
        if (cap)
            why = "the network namespace's reserved ports, from every store and the administrator together, may "
                  "cover at most a quarter of ip_local_port_range " +
                  std::to_string(range._Find_first()) + "-" + std::to_string(range._Find_first() + range.count() - 1) +
                  " (" + std::to_string(range.count() / EPHEMERAL_SHARE_DENOMINATOR) + " ports), and " +
                  std::to_string((listed & range).count()) + " of it are reserved already";
        fprintf(stderr, "iphlp: ports %u-%u are reserved for Windows programs but not in %s: %s\n", unsigned(start),
                unsigned(last), cfg.kernel_reserved_path.c_str(), why.c_str());
    }
    *token = token_for_serial(boot_key(boot), serial);
    return WIN_NO_ERROR;
}

uint32_t reservation_lookup(const StoreConfig &cfg, uint32_t proto, uint16_t start, uint16_t count, uint64_t *token)
{
    if (!token || !valid_block(proto, start, count)) return WIN_ERROR_INVALID_PARAMETER;
    if (store_absent(cfg.db_path)) return WIN_ERROR_NOT_FOUND;
    const uint16_t last = uint16_t(start + count - 1);
    const std::string boot = read_boot_id(cfg.boot_id_path);
    Reconcile reconcile(cfg, boot);
    int64_t serial = 0;
    uint32_t code = with_store(cfg.db_path, [&](StoreDb &store) -> uint32_t {
        reconcile.check(store);
        Query q(store.find);
        q.bind(1, proto).bind(2, start).bind(3, last);
        int rc = q.step();
        if (rc == SQLITE_DONE) return WIN_ERROR_NOT_FOUND;
        if (rc != SQLITE_ROW) return store_error(store, rc, "cannot look up the reservation");
        serial = q.integer(0);
        return WIN_NO_ERROR;
    });
    reconcile.run_if_needed();
    if (code == WIN_NO_ERROR) *token = token_for_serial(boot_key(boot), serial);
    return code;
}

uint32_t reservation_delete(const StoreConfig &cfg, uint32_t proto, uint16_t start, uint16_t count)
{
    if (!valid_block(proto, start, count)) return WIN_ERROR_INVALID_PARAMETER;
    const uint16_t last = uint16_t(start + count - 1);
    const std::string boot = read_boot_id(cfg.boot_id_path);
    return write_call(cfg, boot, [&](StoreDb &store) -> uint32_t {
        int64_t serial = 0;
        int rc;
        {
            Query q(store.find);
            q.bind(1, proto).bind(2, start).bind(3, last);
            rc = q.step();
            if (rc == SQLITE_ROW) serial = q.integer(0);
        }
        if (rc == SQLITE_DONE) return WIN_ERROR_NOT_FOUND;
        if (rc == SQLITE_ROW) rc = Query(store.remove).bind(1, serial).step();
        return rc == SQLITE_DONE ? WIN_NO_ERROR : store_error(store, rc, "cannot delete the reservation");
    });
}

uint32_t reservation_list(const StoreConfig &cfg, uint32_t proto, std::vector<Reservation> &out)
{
    out.clear();
    if (proto != IPHLP_TCP && proto != IPHLP_UDP) return WIN_ERROR_INVALID_PARAMETER;
    if (store_absent(cfg.db_path)) return WIN_NO_ERROR;
    const std::string boot = read_boot_id(cfg.boot_id_path);
    const BootKey key = boot_key(boot);
    Reconcile reconcile(cfg, boot);
    std::vector<Reservation> rows;
    std::vector<std::pair<uint16_t, uint16_t>> blocks;
    uint32_t code = with_store(cfg.db_path, [&](StoreDb &store) -> uint32_t {
        reconcile.check(store);
        Query q(store.list);
        q.bind(1, proto);
        int rc;
        while ((rc = q.step()) == SQLITE_ROW)
        {
            Reservation r;
            r.start_port = uint16_t(q.integer(0));
            r.num_ports = uint16_t(q.integer(1) - q.integer(0) + 1);
            r.token = token_for_serial(key, q.integer(2));
            rows.push_back(r);
            blocks.emplace_back(uint16_t(q.integer(0)), uint16_t(q.integer(1)));
        }
        if (rc != SQLITE_DONE) return store_error(store, rc, "cannot list the reservations");
        return WIN_NO_ERROR;
    });
    if (code != WIN_NO_ERROR) return code;
    /* "Mirrored" is what the list holds now, read after the reconcile. */
    reconcile.run_if_needed();
    PortSet listed;
    if (!kernel_read(cfg.kernel_reserved_path, listed)) listed.reset();
    for (size_t i = 0; i < rows.size(); i++)
    {
        PortSet missing;
        for (uint32_t p = blocks[i].first; p <= blocks[i].second && missing.none(); p++)
            if (!listed[p]) missing.set(p);
        rows[i].kernel_mirrored = missing.none();
    }
    out.swap(rows);
    return WIN_NO_ERROR;
}

} // namespace iphlp
