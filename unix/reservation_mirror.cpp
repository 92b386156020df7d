/* Kernel mirror bookkeeping across rows; see reservation_mirror.h. */
#include "reservation_mirror.h"

#include <vector>

#include "reservation_query.h"

namespace iphlp {

/*
 * A reboot empties the kernel list, so blocks mirrored during an earlier boot are mirrored
 * again, once per process and boot, by whichever call comes first. Failing to do so is not an
 * error for that call: such rows are simply reported as not mirrored, and their old
 * kernel_ports (which may now belong to someone else) are never removed.
 */
void refresh_kernel_mirrors(StoreDb &store, const std::string &boot, const std::string &kernel_path)
{
    if (store.mirrors_boot == boot)
        return;
    store.mirrors_boot = boot;
    if (Query(store.stale).bind(1, boot).step() != SQLITE_ROW)
        return; /* the common case: nothing to do, and no write lock taken */

    struct Stale
    {
        int64_t serial;
        uint16_t first, last;
    };
    std::vector<Stale> rows;
    int rc = run(store.begin);
    if (rc == SQLITE_DONE)
    {
        Query q(store.stale); /* again, now under the write lock */
        q.bind(1, boot);
        while ((rc = q.step()) == SQLITE_ROW)
            rows.push_back({q.integer(0), uint16_t(q.integer(1)), uint16_t(q.integer(2))});
    }
    PortSet added_all;
    for (size_t i = 0; rc == SQLITE_DONE && i < rows.size(); i++)
    {
        PortSet added;
        bool mirrored = kernel_add(kernel_path, port_block(rows[i].first, rows[i].last), added);
        added_all |= added;
        rc = Query(store.set_mirror)
                 .bind(1, rows[i].serial)
                 .bind(2, boot)
                 .bind(3, mirrored)
                 .bind(4, format_port_list(added))
                 .step();
    }
    if (rc == SQLITE_DONE)
        rc = run(store.commit);
    if (rc != SQLITE_DONE)
    {
        store_error(store, rc, "cannot refresh the kernel reserved port list");
        run(store.rollback);
        kernel_remove(kernel_path, added_all);
    }
}

/*
 * The kernel list is shared by TCP and UDP, so a port we added for a TCP block may also serve a
 * UDP block over the same ports (whose create found it listed and did not claim it). Before a
 * block's ports are released, those still inside a block of the other protocol are handed over
 * to that block's row instead, and taken out of ports; what is left may go.
 */
int hand_over_shared_ports(StoreDb &store, const std::string &boot, uint32_t proto, uint16_t first,
                           uint16_t last, PortSet &ports)
{
    struct Other
    {
        int64_t serial;
        bool mirrored;
        PortSet owned;
    };
    std::vector<Other> others;
    int rc;
    {
        Query q(store.other_proto);
        q.bind(1, proto).bind(2, first).bind(3, last).bind(4, boot);
        while ((rc = q.step()) == SQLITE_ROW)
        {
            Other other{q.integer(0), q.integer(3) != 0, {}};
            PortSet take = ports & port_block(uint16_t(q.integer(1)), uint16_t(q.integer(2)));
            if (take.none() || !parse_port_list(q.text(4), other.owned))
                continue;
            other.owned |= take;
            ports &= ~take;
            others.push_back(other);
        }
    }
    for (size_t i = 0; rc == SQLITE_DONE && i < others.size(); i++)
        rc = Query(store.set_mirror)
                 .bind(1, others[i].serial)
                 .bind(2, boot)
                 .bind(3, others[i].mirrored)
                 .bind(4, format_port_list(others[i].owned))
                 .step();
    return rc;
}

} // namespace iphlp
