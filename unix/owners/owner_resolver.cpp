// SPDX-License-Identifier: LGPL-2.1-or-later
#include "owner_resolver.h"

#include <algorithm>
#include <array>

namespace iphlp {

/* Remembered inodes before the table starts over (a machine churning through sockets must not
 * grow it without bound; starting over costs one read of wineserver's fd table). */
constexpr size_t MAX_KNOWN_INODES = 1u << 20;
/* Sockets no handle was found for are searched for again after this long, or as soon as the
 * set of processes changes. */
constexpr uint64_t ORPHAN_RETRY_MS = 1000;

size_t InodeKinds::slot(uint64_t inode) const
{
    size_t mask = slots_.size() - 1;
    size_t i = (size_t)((inode * 0x9E3779B97F4A7C15ull) >> 20) & mask;
    while (slots_[i] && (slots_[i] >> 1) != inode) i = (i + 1) & mask;
    return i;
}

InodeKinds::Kind InodeKinds::find(uint64_t inode) const
{
    if (slots_.empty()) return unknown;
    uint64_t v = slots_[slot(inode)];
    return !v ? unknown : (v & 1) ? wine : native;
}

void InodeKinds::add(uint64_t inode, bool is_wine)
{
    if ((used_ + 1) * 2 > slots_.size())
    {
        std::vector<uint64_t> old;
        old.swap(slots_);
        slots_.assign(std::max<size_t>(1024, old.size() * 2), 0);
        used_ = 0;
        for (uint64_t v : old)
            if (v) slots_[slot(v >> 1)] = v, used_++;
    }
    uint64_t &v = slots_[slot(inode)];
    if (!v) used_++;
    v = inode << 1 | (is_wine ? 1 : 0);
}

void InodeKinds::clear()
{
    slots_.clear();
    used_ = 0;
}

/* A slot names a target only if the inode and, where both sides know it, the kernel's socket
 * cookie agree: an inode number reused by a new socket never inherits the old socket's owner. */
OwnerResolver::Target *OwnerResolver::find_target(uint64_t inode, uint64_t cookie)
{
    if (target_index_.empty()) return nullptr;
    size_t mask = target_index_.size() - 1;
    for (size_t i = (size_t)((inode * 0x9E3779B97F4A7C15ull) >> 20) & mask; target_index_[i]; i = (i + 1) & mask)
    {
        Target &t = targets_[target_index_[i] - 1];
        if (t.inode == inode && (!cookie || !t.cookie || cookie == t.cookie)) return &t;
    }
    return nullptr;
}

void OwnerResolver::assign(KnownProcess &p, const SlotState &s, SocketBuffer &records)
{
    Target *t = find_target(s.inode, s.cookie);
    if (!t) return;
    uint32_t &owner = records[t->record].row.owner_pid;
    if (!owner || p.pid == source_.own_pid()) owner = p.pid;
}

/* Owners from the map alone; returns how many targets are left without one. */
size_t OwnerResolver::assign_all(SocketBuffer &records)
{
    for (const auto &t : targets_) records[t.record].row.owner_pid = 0;
    for (auto &p : processes_)
        for (const auto &s : p.slots)
            if (s.kind == SlotKind::socket) assign(p, s, records);
    return unresolved(records);
}

size_t OwnerResolver::unresolved(const SocketBuffer &records) const
{
    size_t n = 0;
    for (const auto &t : targets_) n += !records[t.record].row.owner_pid;
    return n;
}

/* Whether the wineserver instance is named (asked once): a map is shared only under one. */
bool OwnerResolver::server_named()
{
    if (!server_known_) server_known_ = source_.server_identity(server_);
    return server_known_;
}

/* The shared map of this wineserver instance; false when there is none to use. */
bool OwnerResolver::load_stored(SharedMap &stored) { return store_ && server_named() && store_->load(server_, stored); }

/* Reads the shared map (once per new process seen): processes of this wineserver that this
 * process knows nothing about yet may have been mapped by another, and sockets another process
 * found to be native need no read of wineserver's fd table here (adopt_stored_natives). */
void OwnerResolver::adopt_stored(OwnerWork &work)
{
    SharedMap stored;
    if (!load_stored(stored)) return;
    work.loaded = true;
    for (auto &known : processes_)
    {
        if (!known.slots.empty()) continue; /* only fills in processes not mapped here */
        auto it = std::lower_bound(stored.processes.begin(), stored.processes.end(), known.pid,
                                   [](const KnownProcess &p, uint32_t pid) { return p.pid < pid; });
        /* The same PID and creation time: the same process (a PID reused by a later process
         * has a later creation time). */
        if (it == stored.processes.end() || it->pid != known.pid || it->create_time != known.create_time) continue;
        known.slots.swap(it->slots);
        for (auto &s : known.slots) s.borrowed = s.kind != SlotKind::unprobed;
    }
    stored_natives_.swap(stored.natives);
}

/* The sockets the shared map last read names native: the records they match (the cookie too) are
 * a Linux program's. Applied once there is a table, which adopt_stored may not have had. */
void OwnerResolver::adopt_stored_natives(SocketBuffer &records)
{
    if (stored_natives_.empty()) return;
    bool added = false;
    for (const auto &rec : records)
    {
        if (!rec.inode || kinds_.find(rec.inode) != InodeKinds::unknown) continue;
        auto it = std::lower_bound(stored_natives_.begin(), stored_natives_.end(), NativeSocket{rec.inode, 0});
        /* The cookie must agree: an inode number reused by a Wine socket is not native. */
        if (it == stored_natives_.end() || it->inode != rec.inode || !it->cookie || it->cookie != rec.cookie) continue;
        kinds_.add(rec.inode, false);
        added = true;
    }
    if (map_.natives.empty()) map_.natives.swap(stored_natives_);
    stored_natives_.clear();
    if (added) rebuild_targets(records, true);
}

/* Wine sockets, and sockets not yet known to be either Wine's or native. */
void OwnerResolver::rebuild_targets(const SocketBuffer &records, bool unknown_are_targets)
{
    targets_.clear();
    for (uint32_t i = 0; i < records.size(); i++)
    {
        uint64_t inode = records[i].inode;
        if (!inode) continue;
        InodeKinds::Kind k = kinds_.find(inode);
        if (k == InodeKinds::wine || (k == InodeKinds::unknown && unknown_are_targets))
            targets_.push_back({inode, records[i].cookie, i});
    }
    /* An open-addressing index (the map's every socket slot is looked up in it, every call). */
    size_t size = 16;
    while (size < targets_.size() * 2) size *= 2;
    target_index_.assign(size, 0);
    for (uint32_t k = 0; k < targets_.size(); k++)
    {
        size_t i = (size_t)((targets_[k].inode * 0x9E3779B97F4A7C15ull) >> 20) & (size - 1);
        while (target_index_[i]) i = (i + 1) & (size - 1);
        target_index_[i] = k + 1;
    }
}

/* Reads wineserver's fd table to tell which of the sockets never seen are Wine's. false when it
 * cannot be read (then every unknown socket stays a candidate). */
bool OwnerResolver::classify_unknown(SocketBuffer &records, OwnerWork &work)
{
    wine_inodes_.clear();
    bool readable = source_.wine_socket_inodes(wine_inodes_);
    work.read_server_fds = true;
    work.server_fds_unknown = !readable;
    if (!readable) return false;
    wine_sockets_seen_ = wine_inodes_.size();
    if (kinds_.size() > MAX_KNOWN_INODES) kinds_.clear();
    if (map_.natives.size() > MAX_SHARED_NATIVES) map_.natives.clear();
    for (const auto &rec : records)
        if (rec.inode && kinds_.find(rec.inode) == InodeKinds::unknown)
        {
            bool is_wine = std::binary_search(wine_inodes_.begin(), wine_inodes_.end(), rec.inode);
            kinds_.add(rec.inode, is_wine);
            if (!is_wine && rec.cookie) map_.natives.push_back({rec.inode, rec.cookie}), natives_dirty_ = true;
        }
    std::sort(map_.natives.begin(), map_.natives.end());
    map_.natives.erase(std::unique(map_.natives.begin(), map_.natives.end(),
                                   [](const NativeSocket &a, const NativeSocket &b) { return a.inode == b.inode; }),
                       map_.natives.end());
    rebuild_targets(records, false);
    return true;
}

/* A new process list: drops the processes that have exited (and a PID reused since), adds the
 * new ones unmapped, grows or shrinks each table to its current size. */
bool OwnerResolver::refresh_processes(OwnerWork &work)
{
    listing_.clear();
    listed_ = source_.list_processes(listing_);
    work.listed = true;
    complete_ = listed_;
    if (!listed_) return false;
    listed_at_ms_ = source_.now_ms();

    std::vector<KnownProcess> next(listing_.size());
    bool changed = listing_.size() != processes_.size();
    size_t j = 0;
    for (size_t i = 0; i < listing_.size(); i++)
    {
        const ProcessSlots &l = listing_[i];
        while (j < processes_.size() && processes_[j].pid < l.pid) j++, changed = true;
        next[i].pid = l.pid;
        next[i].create_time = l.create_time;
        if (j < processes_.size() && processes_[j].pid == l.pid && processes_[j].create_time == l.create_time)
            next[i].slots.swap(processes_[j].slots);
        else
            changed = true;
    }
    processes_.swap(next);
    if (changed) orphans_.clear();
    bool unmapped = false;
    for (const auto &p : processes_) unmapped |= p.slots.empty();
    if (unmapped) adopt_stored(work);
    borrowed_ = 0;
    for (size_t i = 0; i < processes_.size(); i++)
    {
        processes_[i].slots.resize(listing_[i].slots);
        for (const auto &s : processes_[i].slots) borrowed_ += s.borrowed;
    }
    return true;
}

/* A fresh process (nothing listed or mapped yet) starts from the shared map alone: the processes
 * whose entries name sockets are confirmed one by one (still running, the same creation time: an
 * open and a query each) instead of listing them all, which costs 0.8 ms or more on Wine 8.0 (most
 * of it reading /proc for every thread of every process), the largest fixed cost of a first call
 * after the dump. What the confirmed processes do not account for still takes the list
 * (resolve()). false when there is nothing to confirm from, or the source cannot tell. */
bool OwnerResolver::confirm_stored(OwnerWork &work)
{
    SharedMap stored;
    if (listed_ || !processes_.empty() || !load_stored(stored)) return false;
    std::vector<ProcessSlots> asked;
    for (const auto &p : stored.processes)
        if (std::any_of(p.slots.begin(), p.slots.end(), [](const SlotState &s) { return s.kind == SlotKind::socket; }))
            asked.push_back({p.pid, (uint32_t)p.slots.size(), p.create_time});
    std::vector<uint8_t> alive;
    if (asked.empty() || asked.size() > MAX_CONFIRMED_PROCESSES || !source_.still_running(asked, alive) ||
        alive.size() != asked.size())
        return false;
    work.loaded = work.confirmed = true;
    size_t k = 0;
    borrowed_ = 0;
    for (auto &p : stored.processes)
    {
        if (k == asked.size() || asked[k].pid != p.pid) continue;
        if (!alive[k++]) continue;
        for (auto &slot : p.slots)
        {
            slot.borrowed = slot.kind != SlotKind::unprobed;
            borrowed_ += slot.borrowed;
        }
        processes_.push_back(std::move(p)); /* stored.processes is sorted by pid, and so stays this */
    }
    stored_natives_.swap(stored.natives);
    listed_ = true;
    complete_ = false;
    listed_at_ms_ = source_.now_ms();
    return true;
}

/* Probes the given slots and records what they hold now. */
void OwnerResolver::probe(std::vector<Candidate> &batch, OwnerWork &work)
{
    if (batch.empty()) return;
    refs_.clear();
    for (const auto &c : batch) refs_.push_back({processes_[c.process].pid, (c.slot + 1) * 4});
    results_.assign(refs_.size(), ProbeResult{0, 0, SlotKind::empty});
    source_.probe(refs_.data(), refs_.size(), results_.data());
    for (size_t i = 0; i < batch.size(); i++)
    {
        SlotState &s = processes_[batch[i].process].slots[batch[i].slot];
        const ProbeResult &r = results_[i];
        s.kind = r.kind == SlotKind::socket && r.inode ? SlotKind::socket
                 : r.kind == SlotKind::other           ? SlotKind::other
                                                       : SlotKind::empty;
        s.inode = s.kind == SlotKind::socket ? r.inode : 0;
        s.cookie = s.kind == SlotKind::socket ? r.cookie : 0;
        if (s.borrowed) borrowed_--;
        s.borrowed = false;
    }
    work.probed += (uint32_t)batch.size();
}

/* Each time the process list is taken (or the map confirmed), borrowed entries that name one of
 * this call's sockets are probed: every one whose socket another slot of the map also claims (a
 * forged entry naming a socket a mapped process holds, or the stale entry of a process that handed
 * its socket on and closed its handle: two claims, one of them wrong, and the one listed first
 * would win), up to CONFLICT_CHECKS; and, with spot_checks, BORROWED_SPOT_CHECKS of the rest,
 * continuing where the last check stopped. If one is wrong, nothing borrowed is trusted any more:
 * those slots are probed like never-seen ones, and the corrected map is saved. */
void OwnerResolver::verify_borrowed(OwnerWork &work, bool spot_checks)
{
    if (!borrowed_) return;
    std::vector<Candidate> batch, rest;
    std::vector<SlotState> claimed;
    std::vector<uint32_t> claims(targets_.size(), 0);
    for (const auto &p : processes_)
        for (const auto &s : p.slots)
            if (s.kind == SlotKind::socket)
                if (const Target *t = find_target(s.inode, s.cookie)) claims[(size_t)(t - targets_.data())]++;
    for (uint32_t p = 0; p < processes_.size(); p++)
        for (uint32_t i = 0; i < processes_[p].slots.size(); i++)
        {
            const SlotState &s = processes_[p].slots[i];
            const Target *t = s.borrowed && s.kind == SlotKind::socket ? find_target(s.inode, s.cookie) : nullptr;
            if (!t) continue;
            if (claims[(size_t)(t - targets_.data())] > 1 && batch.size() < CONFLICT_CHECKS)
                batch.push_back({p, i});
            else
                rest.push_back({p, i});
        }
    if (!spot_checks)
        rest.clear();
    else if (rest.size() > BORROWED_SPOT_CHECKS)
    {
        /* From where the prefix's last check stopped (OwnerStore::next_checks), else from where
         * this process's last one did (each process starting somewhere else). */
        uint64_t shared = 0;
        size_t start;
        if (store_ && server_known_ && store_->next_checks(server_, BORROWED_SPOT_CHECKS, shared))
            start = (size_t)(shared % rest.size());
        else
        {
            if (!spot_offset_) spot_offset_ = source_.own_pid() * 0x9E3779B9ull + source_.now_ms() + 1;
            start = (size_t)(spot_offset_ % rest.size());
            spot_offset_ += BORROWED_SPOT_CHECKS;
        }
        std::rotate(rest.begin(), rest.begin() + (ptrdiff_t)start, rest.end());
        rest.resize(BORROWED_SPOT_CHECKS);
    }
    batch.insert(batch.end(), rest.begin(), rest.end());
    std::sort(batch.begin(), batch.end(),
              [](const Candidate &a, const Candidate &b) { return a.process < b.process; }); /* grouped */
    for (const auto &c : batch) claimed.push_back(processes_[c.process].slots[c.slot]);
    probe(batch, work);
    work.verified += (uint32_t)batch.size();
    bool wrong = false;
    for (size_t i = 0; i < batch.size(); i++)
    {
        const SlotState &now = processes_[batch[i].process].slots[batch[i].slot];
        wrong |= now.kind != claimed[i].kind || now.inode != claimed[i].inode || now.cookie != claimed[i].cookie;
    }
    if (!wrong) return;
    work.distrusted = true;
    for (auto &p : processes_)
        for (auto &s : p.slots)
            if (s.borrowed) s = SlotState();
    borrowed_ = 0;
}

/* Looks for the handles of the sockets the map does not account for, cheapest places first. */
void OwnerResolver::discover(SocketBuffer &records, OwnerWork &work, size_t left)
{
    if (!left) return;
    if (!orphans_.empty() && source_.now_ms() - orphans_at_ms_ < ORPHAN_RETRY_MS)
    {
        bool all_orphans = true;
        for (const auto &t : targets_)
            if (!records[t.record].row.owner_pid && !std::binary_search(orphans_.begin(), orphans_.end(), t.inode))
                all_orphans = false;
        if (all_orphans) return;
    }

    left = search(records, work, left, 3, SIZE_MAX);
    if (left)
    {
        orphans_.clear();
        for (const auto &t : targets_)
            if (!records[t.record].row.owner_pid) orphans_.push_back(t.inode);
        std::sort(orphans_.begin(), orphans_.end());
        orphans_at_ms_ = source_.now_ms();
    }
}

/* Per process, the slots to probe in order: never-probed and empty ones (where wineserver
 * puts a new handle: the lowest free value), then sockets not in this table (perhaps closed;
 * or of another protocol), then other objects (closed and reused), and last the sockets of
 * this table (a value closed and reused while the socket lives on in another process). Each
 * rank keeps the slots ascending. A process's order is only built once it is reached. */
/* Probes slots of rank <= max_rank, in batches per process that double up to max_batch, until
 * every target has an owner. Returns how many are left without one. */
size_t OwnerResolver::search(SocketBuffer &records, OwnerWork &work, size_t left, int max_rank, size_t max_batch)
{
    std::vector<uint32_t> order(processes_.size());
    for (uint32_t i = 0; i < order.size(); i++) order[i] = i;
    uint32_t self = source_.own_pid();
    std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
        bool sa = processes_[a].pid == self, sb = processes_[b].pid == self;
        if (sa != sb) return sa;
        return processes_[a].create_time > processes_[b].create_time; /* newest first */
    });
    std::vector<std::array<std::vector<uint32_t>, 4>> queue(processes_.size());
    std::vector<bool> queued(processes_.size(), false);
    auto build_queue = [&](uint32_t p) {
        const auto &slots = processes_[p].slots;
        for (uint32_t i = 0; i < slots.size(); i++)
        {
            const SlotState &s = slots[i];
            int rank = s.kind == SlotKind::unprobed || s.kind == SlotKind::empty ? 0
                       : s.kind == SlotKind::socket ? (find_target(s.inode, s.cookie) ? 3 : 1)
                                                    : 2;
            queue[p][rank].push_back(i);
        }
        queued[p] = true;
    };

    std::vector<Candidate> batch;
    bool probed_any = false;
    for (int rank = 0; rank <= max_rank && left; rank++)
    {
        std::vector<size_t> done(processes_.size(), 0);
        for (size_t size = FIRST_PROBE_BATCH; left && size <= max_batch; size *= 2)
        {
            bool more = false;
            for (uint32_t p : order)
            {
                if (!queued[p]) build_queue(p);
                const auto &q = queue[p][rank];
                size_t n = std::min(size, q.size() - done[p]);
                if (!n) continue;
                more = true;
                /* The caller's own handles need no process opened, so they are probed one at a
                 * time, stopping at the last socket sought: its new connection usually sits in
                 * the first free slots, and each probe is a server round trip. */
                const size_t step = processes_[p].pid == self ? 1 : n;
                for (size_t end = done[p] + n; done[p] < end && left;)
                {
                    batch.clear();
                    for (size_t k = 0; k < step && done[p] < end; k++) batch.push_back({p, q[done[p]++]});
                    probe(batch, work);
                    probed_any = true;
                    for (const auto &c : batch)
                    {
                        const SlotState &s = processes_[p].slots[c.slot];
                        Target *t = s.kind == SlotKind::socket ? find_target(s.inode, s.cookie) : nullptr;
                        if (!t) continue;
                        bool had = records[t->record].row.owner_pid != 0;
                        assign(processes_[p], s, records);
                        if (!had && left) left--;
                    }
                }
                if (!left) break;
            }
            if (!more) break;
        }
    }
    return probed_any ? assign_all(records) : left;
}

OwnerWork OwnerResolver::resolve(SocketBuffer &records)
{
    OwnerWork work;
    for (auto &rec : records) rec.row.owner_pid = 0;
    rebuild_targets(records, true);
    work.wine_sockets = (uint32_t)targets_.size();
    if (targets_.empty()) return work; /* no Wine sockets in this table: nothing to look up */

    /* A recent process list vouches for the map: then no server query at all. */
    bool recent = listed_ && source_.now_ms() - listed_at_ms_ < PROCESS_LIST_MAX_AGE_MS;
    size_t left = recent ? assign_all(records) : 0;
    /* With a recent list, a new socket is first looked for where a new handle of a listed
     * process would be (one batch each, the caller's own first): a program's new connection
     * then costs a few probes and no list. */
    if (recent && left) left = search(records, work, left, 0, FIRST_PROBE_BATCH);
    if (!recent || left)
    {
        const bool vouched = confirm_stored(work) || refresh_processes(work);
        adopt_stored_natives(records);
        if (vouched) verify_borrowed(work);
        /* Confirmed processes only: enough while they account for every socket; else the list. */
        if (listed_ && !complete_ && assign_all(records) && refresh_processes(work))
        {
            adopt_stored_natives(records);
            verify_borrowed(work, false); /* the conflicts of what the list added; one round of spot checks a call */
        }
        if (!listed_)
        {
            for (const auto &t : targets_) records[t.record].row.owner_pid = 0;
            return work;
        }
        bool unknown_left = false;
        if (assign_all(records))
        {
            for (const auto &t : targets_)
                unknown_left |= !records[t.record].row.owner_pid && kinds_.find(t.inode) == InodeKinds::unknown;
        }
        if (unknown_left)
        {
            /* Sockets never seen: wineserver's fd table tells which are Wine's, but costs a
             * readlink per Wine socket (about 5 ms per 1,000 on Wine 8.0). With many Wine sockets,
             * first look where a new handle of this or another process would be (one batch
             * each): a new connection of a Wine program is found there with a few probes. */
            size_t left = unresolved(records);
            if (std::max(wine_sockets_seen_, targets_.size() - left) >= CHEAP_FD_TABLE)
                search(records, work, left, 0, FIRST_PROBE_BATCH);
            for (const auto &t : targets_)
                if (records[t.record].row.owner_pid && kinds_.find(t.inode) == InodeKinds::unknown)
                    kinds_.add(t.inode, true);
            bool still_unknown = false;
            for (const auto &t : targets_) still_unknown |= kinds_.find(t.inode) == InodeKinds::unknown;
            if (still_unknown) classify_unknown(records, work);
        }
        discover(records, work, unresolved(records));
    }
    for (const auto &t : targets_)
        if (records[t.record].row.owner_pid && kinds_.find(t.inode) == InodeKinds::unknown) kinds_.add(t.inode, true);
    work.wine_sockets = (uint32_t)targets_.size();
    wine_sockets_seen_ = std::max<size_t>(wine_sockets_seen_, targets_.size());
    work.unresolved = (uint32_t)unresolved(records);
    /* Saved when much was learned (a new process, a rebuilt map), new native sockets were found,
     * or a second has passed: a few new handles are cheap for the next process to find itself. */
    /* (Borrowed entries a check confirmed teach nothing new.) */
    unsaved_probes_ += work.probed - (work.distrusted ? 0 : work.verified);
    bool worth = unsaved_probes_ >= SAVE_AFTER_PROBES || natives_dirty_ ||
                 (unsaved_probes_ && source_.now_ms() - saved_at_ms_ >= PROCESS_LIST_MAX_AGE_MS);
    /* Only a complete map is written: confirmed processes alone would drop from the shared file
     * every other process's slots (and the tables' sizes), which later processes would probe again. */
    if (worth && store_ && complete_)
    {
        if (server_named())
        {
            store_->save(server_, map_);
            work.saved = true;
            natives_dirty_ = false;
            unsaved_probes_ = 0;
            saved_at_ms_ = source_.now_ms();
        }
    }
    return work;
}

} // namespace iphlp
