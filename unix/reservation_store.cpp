/*
 * The persistent reservation rules (Windows semantics, Win32 codes) on top of the store
 * connection of reservation_db.cpp: exact-match lookup and delete, no overlap within a
 * protocol, tokens from boot_token.h, and mirroring into the kernel's reserved port list.
 */
#include "reservation_store.h"

#include <cstdio>

#include "boot_token.h"
#include "kernel_reserved_ports.h"
#include "reservation_db.h"
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

/* The serial of the reservation (proto, first..last), if any; with kernel_ports, also the
 * ports it added to the kernel list during this boot. SQLITE_ROW when found. */
int find_row(StoreDb &store, const std::string &boot, uint32_t proto, uint16_t first, uint16_t last,
             int64_t &serial, PortSet *kernel_ports)
{
    Query q(store.find);
    q.bind(1, proto).bind(2, first).bind(3, last);
    int rc = q.step();
    if (rc != SQLITE_ROW)
        return rc;
    serial = q.integer(0);
    if (kernel_ports)
    {
        /* Ports added during an earlier boot were dropped by the reboot and may be someone
         * else's now. The column only ever holds our own format_port_list() output. */
        bool this_boot = !q.is_null(1) && q.text(1) == boot;
        if (!this_boot || !parse_port_list(q.text(2), *kernel_ports))
            kernel_ports->reset();
    }
    return SQLITE_ROW;
}

/* The body of Create, inside the write transaction. added: ports it put into the kernel list,
 * which the caller takes back if the transaction does not commit. */
uint32_t insert_block(StoreDb &store, const StoreConfig &cfg, const std::string &boot, uint32_t proto,
                      uint16_t first, uint16_t last, int64_t &serial, PortSet &added)
{
    int rc = Query(store.insert).bind(1, proto).bind(2, first).bind(3, last).step();
    if (rc == SQLITE_CONSTRAINT_TRIGGER)
        return WIN_ERROR_SHARING_VIOLATION; /* overlaps a reservation: the schema's trigger */
    if (rc != SQLITE_DONE)
        return store_error(store, rc, "cannot add the reservation");
    serial = sqlite3_last_insert_rowid(store.db);

    /* Asked under the write lock, so no other process reserves the block meanwhile; the
     * callback must therefore be quick and must not call the store (its mutex is held). */
    PortUse use = cfg.port_in_use ? cfg.port_in_use(proto, first, last) : PortUse::free;
    if (use == PortUse::in_use)
        return WIN_ERROR_SHARING_VIOLATION;
    if (use == PortUse::unknown)
    {
        report_store(cfg.db_path, "cannot read the system's sockets to check that the ports are free");
        return WIN_ERROR_INTERNAL_ERROR;
    }

    bool mirrored = kernel_add(cfg.kernel_reserved_path, port_block(first, last), added);
    rc = Query(store.set_mirror)
             .bind(1, serial)
             .bind(2, boot)
             .bind(3, mirrored)
             .bind(4, format_port_list(added))
             .step();
    return rc == SQLITE_DONE ? WIN_NO_ERROR : store_error(store, rc, "cannot record the kernel mirror");
}

} // namespace

uint32_t reservation_create(const StoreConfig &cfg, uint32_t proto, uint16_t start, uint16_t count,
                            uint64_t *token)
{
    if (!token || !valid_block(proto, start, count))
        return WIN_ERROR_INVALID_PARAMETER;
    const uint16_t last = uint16_t(start + count - 1);
    const std::string boot = read_boot_id(cfg.boot_id_path);
    return with_store(cfg.db_path, [&](StoreDb &store) -> uint32_t {
        refresh_kernel_mirrors(store, boot, cfg.kernel_reserved_path);
        int rc = run(store.begin);
        if (rc != SQLITE_DONE)
            return store_error(store, rc, "cannot start a transaction");
        int64_t serial = 0;
        PortSet added;
        uint32_t code = insert_block(store, cfg, boot, proto, start, last, serial, added);
        if (code == WIN_NO_ERROR && (rc = run(store.commit)) != SQLITE_DONE)
            code = store_error(store, rc, "cannot commit the reservation");
        if (code != WIN_NO_ERROR)
        {
            run(store.rollback); /* may find none active, after a failed COMMIT: fine */
            kernel_remove(cfg.kernel_reserved_path, added);
            return code;
        }
        *token = token_for_serial(boot_key(boot), serial);
        return WIN_NO_ERROR;
    });
}

uint32_t reservation_lookup(const StoreConfig &cfg, uint32_t proto, uint16_t start, uint16_t count,
                            uint64_t *token)
{
    if (!token || !valid_block(proto, start, count))
        return WIN_ERROR_INVALID_PARAMETER;
    const uint16_t last = uint16_t(start + count - 1);
    const std::string boot = read_boot_id(cfg.boot_id_path);
    return with_store(cfg.db_path, [&](StoreDb &store) -> uint32_t {
        refresh_kernel_mirrors(store, boot, cfg.kernel_reserved_path);
        int64_t serial = 0;
        int rc = find_row(store, boot, proto, start, last, serial, nullptr);
        if (rc == SQLITE_DONE)
            return WIN_ERROR_NOT_FOUND;
        if (rc != SQLITE_ROW)
            return store_error(store, rc, "cannot look up the reservation");
        *token = token_for_serial(boot_key(boot), serial);
        return WIN_NO_ERROR;
    });
}

uint32_t reservation_delete(const StoreConfig &cfg, uint32_t proto, uint16_t start, uint16_t count)
{
    if (!valid_block(proto, start, count))
        return WIN_ERROR_INVALID_PARAMETER;
    const uint16_t last = uint16_t(start + count - 1);
    const std::string boot = read_boot_id(cfg.boot_id_path);
    return with_store(cfg.db_path, [&](StoreDb &store) -> uint32_t {
        refresh_kernel_mirrors(store, boot, cfg.kernel_reserved_path);
        int rc = run(store.begin);
        if (rc != SQLITE_DONE)
            return store_error(store, rc, "cannot start a transaction");
        int64_t serial = 0;
        PortSet ours;
        rc = find_row(store, boot, proto, start, last, serial, &ours);
        if (rc == SQLITE_DONE)
        {
            run(store.rollback);
            return WIN_ERROR_NOT_FOUND;
        }
        if (rc == SQLITE_ROW)
            rc = Query(store.remove).bind(1, serial).step();
        if (rc == SQLITE_DONE && ours.any())
            rc = hand_over_shared_ports(store, boot, proto, start, last, ours);
        bool released = false;
        if (rc == SQLITE_DONE)
        {
            /* Inside the transaction, so that processes sharing the store serialise their
             * read-modify-write of the kernel list. A failure only leaves ports reserved. */
            released = kernel_remove(cfg.kernel_reserved_path, ours);
            if (!released)
                fprintf(stderr, "iphlp: cannot remove ports %s from %s\n",
                        format_port_list(ours).c_str(), cfg.kernel_reserved_path.c_str());
            rc = run(store.commit);
        }
        if (rc != SQLITE_DONE)
        {
            uint32_t code = store_error(store, rc, "cannot delete the reservation");
            run(store.rollback);
            if (released) /* the row survives, so its ports go back */
            {
                PortSet readded;
                kernel_add(cfg.kernel_reserved_path, ours, readded);
            }
            return code;
        }
        return WIN_NO_ERROR;
    });
}

uint32_t reservation_list(const StoreConfig &cfg, uint32_t proto, std::vector<Reservation> &out)
{
    out.clear();
    if (proto != IPHLP_TCP && proto != IPHLP_UDP)
        return WIN_ERROR_INVALID_PARAMETER;
    const std::string boot = read_boot_id(cfg.boot_id_path);
    const BootKey key = boot_key(boot);
    return with_store(cfg.db_path, [&](StoreDb &store) -> uint32_t {
        refresh_kernel_mirrors(store, boot, cfg.kernel_reserved_path);
        Query q(store.list);
        q.bind(1, proto);
        int rc;
        while ((rc = q.step()) == SQLITE_ROW)
        {
            Reservation r;
            r.start_port = uint16_t(q.integer(0));
            r.num_ports = uint16_t(q.integer(1) - q.integer(0) + 1);
            r.token = token_for_serial(key, q.integer(2));
            r.kernel_mirrored = q.integer(3) != 0 && !q.is_null(4) && q.text(4) == boot;
            out.push_back(r);
        }
        if (rc != SQLITE_DONE)
        {
            out.clear();
            return store_error(store, rc, "cannot list the reservations");
        }
        return WIN_NO_ERROR;
    });
}

} // namespace iphlp
