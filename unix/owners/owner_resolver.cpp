// SPDX-License-Identifier: LGPL-2.1-or-later
#include "owner_resolver.h"

#include <algorithm>

namespace iphlp {

static uint64_t cache_key(uint32_t pid, uint32_t handle) { return (uint64_t)pid << 32 | handle; }
static uint32_t pid_of(uint64_t key) { return (uint32_t)(key >> 32); }

/* Remembered inodes before the table starts over (a machine churning through sockets must not
 * grow it without bound; starting over costs one read of wineserver's fd table). */
constexpr size_t max_known_inodes = 1u << 20;

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

OwnerResolver::Target *OwnerResolver::find_target(uint64_t inode)
{
    auto it = std::lower_bound(targets_.begin(), targets_.end(), inode,
                               [](const Target &t, uint64_t ino) { return t.inode < ino; });
    return it != targets_.end() && it->inode == inode ? &*it : nullptr;
}

void OwnerResolver::assign(Target *target, uint32_t pid, SocketBuffer &records)
{
    uint32_t &owner = records[target->record].row.owner_pid;
    if (!owner || pid == source_.own_pid()) owner = pid;
}

/* Returns how many targets are still without an owner. */
size_t OwnerResolver::assign_from_cache(SocketBuffer &records)
{
    for (const auto &entry : cache_)
        if (Target *t = find_target(entry.second)) assign(t, pid_of(entry.first), records);
    size_t unresolved = 0;
    for (const auto &t : targets_) unresolved += !records[t.record].row.owner_pid;
    return unresolved;
}

void OwnerResolver::rescan(SocketBuffer &records)
{
    refs_.clear();
    for (const auto &p : processes_)
        for (uint32_t slot = 1; slot <= p.slots; slot++) refs_.push_back({p.pid, slot * 4});
    probed_.assign(refs_.size(), 0);
    source_.probe(refs_.data(), refs_.size(), probed_.data());

    cache_.clear();
    for (const auto &t : targets_) records[t.record].row.owner_pid = 0;
    for (size_t i = 0; i < refs_.size(); i++)
    {
        if (!probed_[i]) continue;
        cache_[cache_key(refs_[i].pid, refs_[i].handle)] = probed_[i];
        if (Target *t = find_target(probed_[i])) assign(t, refs_[i].pid, records);
    }
}

OwnerWork OwnerResolver::resolve(SocketBuffer &records)
{
    OwnerWork work;
    bool unknown = false;
    for (auto &rec : records)
    {
        rec.row.owner_pid = 0;
        unknown |= rec.inode && kinds_.find(rec.inode) == InodeKinds::unknown;
    }
    bool wine_known = true;
    if (unknown)
    {
        /* Some inode was never seen: ask wineserver's fd table which of the new ones are Wine's. */
        wine_inodes_.clear();
        wine_known = source_.wine_socket_inodes(wine_inodes_);
        work.read_server_fds = true;
        work.server_fds_unknown = !wine_known;
        if (wine_known)
        {
            if (kinds_.size() > max_known_inodes) kinds_.clear();
            for (const auto &rec : records)
                if (rec.inode && kinds_.find(rec.inode) == InodeKinds::unknown)
                    kinds_.add(rec.inode, std::binary_search(wine_inodes_.begin(), wine_inodes_.end(), rec.inode));
        }
    }
    targets_.clear();
    for (uint32_t i = 0; i < records.size(); i++)
    {
        uint64_t inode = records[i].inode;
        /* Where wineserver's fd table cannot be read, every socket may be Wine's. */
        if (inode && (!wine_known || kinds_.find(inode) == InodeKinds::wine)) targets_.push_back({inode, i});
    }
    work.wine_sockets = (uint32_t)targets_.size();
    if (targets_.empty()) return work; /* no Wine sockets in this table: nothing to look up */
    std::sort(targets_.begin(), targets_.end(), [](const Target &a, const Target &b) { return a.inode < b.inode; });

    /* A recent process list vouches for cached answers: then no server query at all. */
    if (listed_ && source_.now_ms() - listed_at_ms_ < process_list_max_age_ms && !assign_from_cache(records))
        return work;
    for (const auto &t : targets_) records[t.record].row.owner_pid = 0;
    processes_.clear();
    listed_ = source_.list_processes(processes_);
    work.listed = true;
    if (!listed_) return work;
    listed_at_ms_ = source_.now_ms();
    /* Forget the handles of processes that have exited. */
    for (auto it = cache_.begin(); it != cache_.end();)
    {
        auto p = std::lower_bound(processes_.begin(), processes_.end(), pid_of(it->first),
                                  [](const ProcessSlots &proc, uint32_t pid) { return proc.pid < pid; });
        bool alive = p != processes_.end() && p->pid == pid_of(it->first);
        it = alive ? std::next(it) : cache_.erase(it);
    }
    if (assign_from_cache(records))
    {
        rescan(records);
        work.probed = (uint32_t)refs_.size();
        for (const auto &t : targets_) work.unresolved += !records[t.record].row.owner_pid;
    }
    return work;
}

} // namespace iphlp
