#include "owner_resolver.h"

#include <algorithm>

namespace iphlp {

static uint64_t cache_key(const HandleRef &ref) { return (uint64_t)ref.pid << 32 | ref.handle; }

bool OwnerResolver::is_wine_socket(uint64_t inode) const
{
    return std::binary_search(wine_inodes_.begin(), wine_inodes_.end(), inode);
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

void OwnerResolver::resolve(SocketBuffer &records)
{
    for (auto &rec : records) rec.row.owner_pid = 0;

    wine_inodes_.clear();
    wine_inodes_known_ = source_.wine_socket_inodes(wine_inodes_);
    targets_.clear();
    for (uint32_t i = 0; i < records.size(); i++)
    {
        uint64_t inode = records[i].inode;
        if (inode && (!wine_inodes_known_ || is_wine_socket(inode))) targets_.push_back({inode, i});
    }
    if (targets_.empty()) return; /* no Wine sockets in this table: nothing to look up */
    std::sort(targets_.begin(), targets_.end(), [](const Target &a, const Target &b) { return a.inode < b.inode; });
    if (!wine_inodes_known_)
    {
        for (const auto &t : targets_) wine_inodes_.push_back(t.inode);
    }

    handles_.clear();
    if (!source_.list_file_handles(handles_)) return;
    generation_++;

    /* Pass 1: what the cache already knows. */
    size_t unresolved = targets_.size();
    for (const auto &ref : handles_)
    {
        auto it = cache_.find(cache_key(ref));
        if (it == cache_.end()) continue;
        it->second.generation = generation_;
        if (!it->second.inode) continue;
        if (Target *t = find_target(it->second.inode))
        {
            if (!records[t->record].row.owner_pid) unresolved--;
            assign(t, ref.pid, records);
        }
    }

    /* Pass 2: a Wine socket is still unowned, so probe every handle the cache cannot vouch
     * for: new handles, non-sockets (the value may have been reused for a socket), and
     * sockets whose inode Wine no longer holds (closed, value reused). */
    if (unresolved)
    {
        to_probe_.clear();
        for (const auto &ref : handles_)
        {
            auto it = cache_.find(cache_key(ref));
            if (it == cache_.end() || !it->second.inode || !is_wine_socket(it->second.inode))
                to_probe_.push_back(ref);
        }
        probed_.assign(to_probe_.size(), 0);
        source_.probe(to_probe_.data(), to_probe_.size(), probed_.data());
        probes_ += to_probe_.size();
        for (size_t i = 0; i < to_probe_.size(); i++)
        {
            cache_[cache_key(to_probe_[i])] = {probed_[i], generation_};
            if (Target *t = find_target(probed_[i])) assign(t, to_probe_[i].pid, records);
        }
    }

    /* Forget handles that no longer exist. */
    for (auto it = cache_.begin(); it != cache_.end();)
        it = it->second.generation == generation_ ? std::next(it) : cache_.erase(it);
}

} // namespace iphlp
