#include "owner_resolver.h"

#include <algorithm>

namespace iphlp {

static uint64_t cache_key(uint32_t pid, uint32_t handle) { return (uint64_t)pid << 32 | handle; }
static uint32_t pid_of(uint64_t key) { return (uint32_t)(key >> 32); }

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

void OwnerResolver::resolve(SocketBuffer &records)
{
    for (auto &rec : records) rec.row.owner_pid = 0;

    wine_inodes_.clear();
    bool wine_known = source_.wine_socket_inodes(wine_inodes_);
    targets_.clear();
    for (uint32_t i = 0; i < records.size(); i++)
    {
        uint64_t inode = records[i].inode;
        if (inode && (!wine_known || std::binary_search(wine_inodes_.begin(), wine_inodes_.end(), inode)))
            targets_.push_back({inode, i});
    }
    if (targets_.empty()) return; /* no Wine sockets in this table: nothing to look up */
    std::sort(targets_.begin(), targets_.end(), [](const Target &a, const Target &b) { return a.inode < b.inode; });

    processes_.clear();
    if (!source_.list_processes(processes_)) return;
    /* Forget the handles of processes that have exited. */
    for (auto it = cache_.begin(); it != cache_.end();)
    {
        auto p = std::lower_bound(processes_.begin(), processes_.end(), pid_of(it->first),
                                  [](const ProcessSlots &proc, uint32_t pid) { return proc.pid < pid; });
        bool alive = p != processes_.end() && p->pid == pid_of(it->first);
        it = alive ? std::next(it) : cache_.erase(it);
    }
    if (assign_from_cache(records)) rescan(records);
}

} // namespace iphlp
