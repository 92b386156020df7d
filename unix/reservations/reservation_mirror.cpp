// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Keeping the kernel list in step with the store; see reservation_mirror.h and
 * docs/reservations.md.
 *
 * The protocol of one write, all of it under the kernel list's lock (reservation_lock.h), which
 * is taken first, so that no other process changes the list between our read and our write:
 *   1. BEGIN IMMEDIATE; read this namespace's state (owned ports, pending update) and the list K.
 *   2. A pending update (a process was killed after step 4) is finished first: the list becomes
 *      (K | add | list) & ~remove, which is idempotent, so being killed again here is harmless.
 *   3. body: the row change (insert or delete), in a savepoint.
 *   4. D = admitted ports of all rows; add = D & ~K, remove = owned & ~D & K. When either is
 *      non-empty the state is saved with pending = (add, remove[, target list when the write
 *      cannot be atomic]) and COMMITted together with the row change.
 *   5. The list is written and read back (after).
 *   6. owned = (owned | add) & after, pending cleared, in a transaction of its own.
 * A kill before 4's COMMIT loses the row change and leaves the list as it was (or as step 2
 * made it, with the pending update still recorded); a kill after it leaves a pending update
 * that the next call finishes in step 2. Either way store and list are in step after the next
 * call by a process that may write the list. Tested at every step by test_reservation_kill.
 */
#include "reservation_mirror.h"

#include <cerrno>
#include <cstdio>
#include <mutex>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "reservation_errors.h"
#include "reservation_lock.h"
#include "reservation_query.h"

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71 /* Linux 5.14, asm-generic/socket.h */
#endif

namespace iphlp {

namespace {

struct MirrorState
{
    PortSet owned;
    bool pending = false;
    PortSet add, remove;
    bool has_list = false;
    PortSet list;
};

void step(const StoreConfig &cfg, const char *name)
{
    if (cfg.step_hook) cfg.step_hook(name);
}

/* SQLITE_ROW when found, SQLITE_DONE when this namespace has no state yet. */
int load_state(StoreDb &store, const std::string &key, MirrorState &st)
{
    Query q(store.state_get);
    q.bind(1, key);
    int rc = q.step();
    if (rc != SQLITE_ROW) return rc;
    /* The columns only ever hold format_port_list() output; anything else is damage, and the
     * safe reading of damage is "owns nothing" (we then never remove a port). */
    if (!parse_port_list(q.text(0), st.owned)) st.owned.reset();
    st.pending = !q.is_null(1);
    if (st.pending && (!parse_port_list(q.text(1), st.add) || !parse_port_list(q.text(2), st.remove)))
        st.pending = false;
    st.has_list = st.pending && !q.is_null(3) && parse_port_list(q.text(3), st.list);
    return SQLITE_ROW;
}

int save_state(StoreDb &store, const std::string &key, const MirrorState &st)
{
    Query q(store.state_put);
    q.bind(1, key).bind(2, format_port_list(st.owned));
    if (st.pending)
    {
        q.bind(3, format_port_list(st.add)).bind(4, format_port_list(st.remove));
        if (st.has_list)
            q.bind(5, format_port_list(st.list));
        else
            q.bind_null(5);
    }
    else
        q.bind_null(3).bind_null(4).bind_null(5);
    return q.step();
}

/* Ports a schema 1 process recorded as added this boot (it did not know namespaces: they are
 * taken as this one's), imported once and then cleared. */
int import_v1(StoreDb &store, const std::string &boot, MirrorState &st)
{
    int rc;
    {
        Query q(store.v1_owned);
        q.bind(1, boot);
        while ((rc = q.step()) == SQLITE_ROW)
        {
            PortSet ports;
            if (parse_port_list(q.text(0), ports)) st.owned |= ports;
        }
    }
    return rc == SQLITE_DONE ? run(store.v1_clear) : rc;
}

/* Steps 5 and 6 of the protocol, and step 2 (finishing a pending update). A replace is also
 * journaled beside the lock, for the next process of any store (reservation_lock.h). */
void apply_pending(const StoreConfig &cfg, const std::string &ns, MirrorState &st, PortSet &listed,
                   const char *hook_prefix)
{
    PortSet target = (listed | st.add | (st.has_list ? st.list : PortSet())) & ~st.remove;
    PortSet after;
    KernelWriteHook hook;
    if (cfg.step_hook) hook = [&](int piece) { cfg.step_hook(std::string(hook_prefix) + std::to_string(piece)); };
    const bool replace = (listed & ~target).any();
    if (replace) journal_replace(cfg.lock_dir, ns, format_port_list(target));
    bool complete = kernel_write(cfg.kernel_reserved_path, listed, target, after, hook);
    if (replace && complete) journal_done(cfg.lock_dir, ns);
    if (!complete)
        fprintf(stderr, "iphlp: %s: could not make it %s (it reads %s)\n", cfg.kernel_reserved_path.c_str(),
                format_port_list(target).c_str(), format_port_list(after).c_str());
    st.owned = (st.owned | st.add) & after;
    st.pending = st.has_list = false;
    st.add.reset();
    st.remove.reset();
    st.list.reset();
    listed = after;
}

} // namespace

std::string namespace_id()
{
    /* The cookie costs a socket; cache it per namespace inode (a process rarely changes its
     * namespace, and a changed inode is noticed because stat is done every time). */
    static std::mutex mutex;
    static ino_t cached_ino = 0;
    static std::string cached;
    struct stat st;
    if (stat("/proc/self/ns/net", &st) != 0) return "net:unknown";
    std::lock_guard<std::mutex> lock(mutex);
    if (st.st_ino == cached_ino && !cached.empty()) return cached;
    std::string id = "netino:" + std::to_string((unsigned long long)st.st_ino);
    int s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s >= 0)
    {
        uint64_t cookie = 0;
        socklen_t len = sizeof(cookie);
        if (getsockopt(s, SOL_SOCKET, SO_NETNS_COOKIE, &cookie, &len) == 0 && len == sizeof(cookie))
            id = "net:" + std::to_string((unsigned long long)cookie);
        close(s);
    }
    cached_ino = st.st_ino;
    cached = id;
    return id;
}

std::string mirror_key(const std::string &boot) { return boot + "/" + namespace_id(); }

bool read_port_range(const std::string &path, PortSet &range)
{
    range.reset();
    if (path.empty()) return false;
    FILE *f = fopen(path.c_str(), "re");
    if (!f) return false;
    unsigned low = 0, high = 0;
    bool ok = fscanf(f, "%u %u", &low, &high) == 2 && low >= 1 && low <= high && high <= 65535;
    fclose(f);
    if (ok) range = port_block(uint16_t(low), uint16_t(high));
    return ok;
}

int desired_ports(StoreDb &store, const std::string &range_path, const PortSet &others, PortSet &desired)
{
    desired.reset();
    PortSet range;
    const bool capped = read_port_range(range_path, range);
    const size_t cap = range.count() / EPHEMERAL_SHARE_DENOMINATOR;
    /* The list belongs to the namespace: what the administrator and other stores hold inside
     * the range counts first, so that four stores of a quarter each cannot take it all. */
    size_t in_range = capped ? (others & range).count() : 0;
    Query q(store.blocks);
    int rc;
    while ((rc = q.step()) == SQLITE_ROW)
    {
        const uint32_t first = uint32_t(q.integer(1)), last = uint32_t(q.integer(2));
        size_t more = 0;
        if (capped)
            for (uint32_t p = first; p <= last; p++) more += range[p] && !desired[p] && !others[p];
        if (capped && in_range + more > cap) continue;
        in_range += more;
        add_ports(desired, uint16_t(first), uint16_t(last));
    }
    return rc;
}

bool mirror_needs_reconcile(StoreDb &store, const std::string &key)
{
    MirrorState st;
    int rc = load_state(store, key, st);
    return rc == SQLITE_DONE || (rc == SQLITE_ROW && st.pending);
}

namespace {

/* Takes the list lock when this process may write the list. kernel says whether it may and
 * did; a timeout is the call's answer, an untrustworthy lock only leaves the list alone
 * (reported). A leftover replace of a killed process of any store is finished first. */
uint32_t lock_list(const StoreConfig &cfg, ListLock &lock, bool &kernel, std::string &ns)
{
    /* A process that may not write the list (not root, no CAP_NET_ADMIN) changes rows only;
     * the next call of one that may write it reconciles. */
    kernel = kernel_writable(cfg.kernel_reserved_path);
    if (kernel)
    {
        uint32_t code = lock.acquire(cfg.lock_dir);
        if (code == WIN_ERROR_TIMEOUT) return code;
        kernel = code == WIN_NO_ERROR;
    }
    ns = kernel ? namespace_id() : std::string();
    if (kernel)
    {
        KernelWriteHook hook;
        if (cfg.step_hook) hook = [&](int piece) { cfg.step_hook("journal-write-" + std::to_string(piece)); };
        journal_finish(cfg.lock_dir, ns, cfg.kernel_reserved_path, hook);
    }
    step(cfg, "locked");
    return WIN_NO_ERROR;
}

/* Steps 1-2: this namespace's state, read inside the transaction, and a pending update of a
 * killed writer finished. SQLITE_DONE when done. */
int load_namespace(StoreDb &store, const StoreConfig &cfg, const std::string &boot, const std::string &ns,
                   const std::string &key, MirrorState &st, PortSet &listed)
{
    int rc = load_state(store, key, st);
    if (rc == SQLITE_DONE)
    {
        /* First write in this namespace this boot: states of older boots are void (a reboot
         * emptied their lists). */
        rc = Query(store.state_prune).bind(1, boot + "/").step();
        if (rc == SQLITE_DONE) rc = import_v1(store, boot, st);
    }
    else if (rc == SQLITE_ROW)
        rc = SQLITE_DONE;
    if (rc != SQLITE_DONE) return rc;
    if (st.pending)
    {
        apply_pending(cfg, ns, st, listed, "recover-write-");
        step(cfg, "recovered");
    }
    return SQLITE_DONE;
}

/* Step 3: body's row change in a savepoint, so that its failure keeps step 2's work. */
uint32_t run_body(StoreDb &store, const StoreConfig &cfg, const std::function<uint32_t(StoreDb &)> &body, int &rc)
{
    rc = SQLITE_DONE;
    if (!body) return WIN_NO_ERROR;
    if ((rc = run(store.savepoint)) != SQLITE_DONE) return WIN_NO_ERROR;
    uint32_t code = body(store);
    rc = code == WIN_NO_ERROR ? run(store.release) : run(store.rollback_to);
    if (code != WIN_NO_ERROR && rc == SQLITE_DONE) rc = run(store.release);
    if (rc == SQLITE_DONE) step(cfg, "body");
    return code;
}

/* Step 4: the update that brings the list in step with the store, recorded as pending. */
int plan_update(StoreDb &store, const StoreConfig &cfg, const PortSet &listed, MirrorState &st)
{
    st.owned &= listed; /* ports someone else took out are no longer ours to remove */
    PortSet desired;
    int rc = desired_ports(store, cfg.port_range_path, listed & ~st.owned, desired);
    if (rc != SQLITE_DONE) return rc;
    st.add = desired & ~listed;
    PortSet runtime; /* a live runtime block of either protocol keeps its ports listed */
    if (cfg.runtime_ports && !cfg.runtime_ports(cfg, runtime)) runtime.set(); /* unreadable: keep all */
    st.remove = st.owned & ~desired & ~runtime;
    st.pending = st.add.any() || st.remove.any();
    if (st.pending && st.remove.any())
    {
        /* A replace longer than one write is not atomic (kernel_reserved_ports.h): keep the
         * whole target, so that a kill between its pieces loses no port. */
        PortSet target = (listed | st.add) & ~st.remove;
        st.has_list = format_port_list(target).size() + 1 > SYSCTL_WRITE_MAX;
        if (st.has_list) st.list = target;
    }
    return SQLITE_DONE;
}

} // namespace

uint32_t write_call(const StoreConfig &cfg, const std::string &boot, const std::function<uint32_t(StoreDb &)> &body)
{
    ListLock lock;
    bool kernel = false;
    std::string ns;
    if (lock_list(cfg, lock, kernel, ns) == WIN_ERROR_TIMEOUT) return WIN_ERROR_TIMEOUT;
    const std::string key = kernel ? boot + "/" + ns : std::string();
    return with_store(cfg.db_path, [&](StoreDb &store) -> uint32_t {
        Transaction txn(store);
        int rc = txn.begin();
        if (rc != SQLITE_DONE) return store_error(store, rc, "cannot start a transaction");
        step(cfg, "begun");

        MirrorState st;
        PortSet listed;
        std::string why;
        if (kernel && !kernel_read(cfg.kernel_reserved_path, listed, &why))
        {
            fprintf(stderr, "iphlp: %s: %s; leaving it alone\n", cfg.kernel_reserved_path.c_str(), why.c_str());
            kernel = false;
        }
        if (kernel && (rc = load_namespace(store, cfg, boot, ns, key, st, listed)) != SQLITE_DONE)
            return store_error(store, rc, "cannot read the kernel mirror state");
        const uint32_t code = run_body(store, cfg, body, rc);
        if (rc != SQLITE_DONE) return store_error(store, rc, "cannot run a savepoint");
        if (kernel && (rc = plan_update(store, cfg, listed, st)) != SQLITE_DONE)
            return store_error(store, rc, "cannot read the reservations");
        if (kernel && (rc = save_state(store, key, st)) != SQLITE_DONE)
            return store_error(store, rc, "cannot record the kernel mirror");
        step(cfg, "intent");
        if ((rc = txn.commit()) != SQLITE_DONE) return store_error(store, rc, "cannot commit");
        step(cfg, "committed");
        if (!kernel || !st.pending) return code;

        apply_pending(cfg, ns, st, listed, "write-");
        step(cfg, "written");
        /* Outside a transaction of ours, this UPDATE is one by itself. If it fails, the pending
         * update stays recorded and the next call finishes it (again: it is idempotent). */
        if ((rc = save_state(store, key, st)) != SQLITE_DONE) store_error(store, rc, "cannot record the kernel mirror");
        step(cfg, "settled");
        return code;
    });
}

} // namespace iphlp
