// SPDX-License-Identifier: LGPL-2.1-or-later
#include "estats_switches.h"

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <unordered_map>

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "boot_id.h"
#include "private_dir.h"
#include "tcp_lookup.h"

namespace iphlp {

namespace {

/*
 * The ESTATS switches. Windows keeps them with the connection, for every process; here they live
 * in a directory of this user (beside the reservation lock: /run/iphlp/estats for root, else
 * $XDG_RUNTIME_DIR/iphlp/estats or /tmp/iphlp-UID/estats), one small file per socket named by the
 * boot id, the network namespace and the socket's kernel cookie (unique within a boot), so every
 * process of the user sees what another enabled. Changes are read-modify-writes under flock on the directory, files are
 * replaced by rename. When the directory cannot be trusted or used, the switches stay in this
 * process (one line on stderr says so).
 */
struct Record
{
    uint32_t magic;
    uint32_t bits;
    iphlp_tcp_key key; /* to find out, later, whether the socket still exists */
};
constexpr uint32_t RECORD_MAGIC = 0x53545345; /* "ESTS" */

std::mutex switches_mutex;
std::string switch_dir_override; /* tests */
bool switch_dir_overridden = false;
std::unordered_map<uint64_t, Record> memory; /* fallback */
size_t prune_at = 256;

bool gone(const Record &r, uint64_t cookie)
{
    TcpConnection conn;
    int err = query_tcp_connection(r.key, conn);
    return err == -ENOENT || err == -EINVAL || (!err && conn.cookie != cookie);
}

int open_switch_dir()
{
    static bool reported = false;
    std::string dir = switch_dir_overridden ? switch_dir_override : runtime_dir();
    int fd = -1;
    if (!dir.empty())
    {
        int parent = open_private_dir(AT_FDCWD, dir.c_str());
        if (parent >= 0)
        {
            fd = open_private_dir(parent, "estats");
            close(parent);
        }
    }
    if (fd < 0 && !dir.empty() && !reported)
    {
        reported = true;
        fprintf(stderr, "iphlp: %s/estats cannot be used (%s); TCP ESTATS switches stay within this process\n",
                dir.c_str(), strerror(errno));
    }
    return fd;
}

/* File names are BOOT-NETNS-COOKIE: a cookie is unique within a boot, and the connection's key
 * only means something in its network namespace, so a process prunes only its namespace's files
 * (and any of an earlier boot). */
const std::string &boot_part()
{
    static const std::string part = [] {
        std::string id = read_boot_id(), clean;
        for (char c : id)
            if (isxdigit(static_cast<unsigned char>(c))) clean += c;
        return (clean.empty() ? std::string("noboot") : clean) + "-";
    }();
    return part;
}

std::string namespace_prefix()
{
    struct stat st;
    unsigned long long ns = stat("/proc/self/ns/net", &st) == 0 ? static_cast<unsigned long long>(st.st_ino) : 0;
    return boot_part() + std::to_string(ns) + "-";
}

std::string file_name(const std::string &prefix, uint64_t cookie)
{
    char hex[17];
    snprintf(hex, sizeof(hex), "%016llx", static_cast<unsigned long long>(cookie));
    return prefix + hex;
}

bool read_record(int dfd, const char *name, Record &r)
{
    int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return false;
    struct stat st;
    bool ok = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == geteuid() &&
              read(fd, &r, sizeof(r)) == static_cast<ssize_t>(sizeof(r)) && r.magic == RECORD_MAGIC;
    close(fd);
    return ok;
}

bool write_record(int dfd, const std::string &name, const Record &r)
{
    return replace_file_at(dfd, name, &r, sizeof(r));
}

/* Under the directory's flock: forget the files of sockets that are gone and of earlier boots.
 * Runs when the directory has doubled since the last pruning, so its cost (one exact lookup per
 * entry) is amortized over the Sets that grew it. */
size_t prune_dir(int dfd, bool prune)
{
    int copy = dup(dfd);
    DIR *d = copy >= 0 ? fdopendir(copy) : nullptr;
    if (!d)
    {
        if (copy >= 0) close(copy);
        return 0;
    }
    rewinddir(d); /* the copy shares the directory offset with dfd: an earlier pass left it at the end */
    size_t count = 0;
    const std::string prefix = namespace_prefix();
    while (dirent *e = readdir(d))
    {
        if (e->d_name[0] == '.') continue;
        std::string name = e->d_name;
        Record r;
        bool drop = false;
        if (prune)
        {
            if (name.compare(0, boot_part().size(), boot_part()) != 0)
                drop = true; /* an earlier boot's */
            else if (name.compare(0, prefix.size(), prefix) != 0)
                drop = false; /* another network namespace's: its processes judge it */
            else
                drop = !read_record(dfd, e->d_name, r) || gone(r, strtoull(name.c_str() + prefix.size(), nullptr, 16));
        }
        if (drop)
            unlinkat(dfd, e->d_name, 0);
        else
            count++;
    }
    closedir(d);
    return count;
}

uint32_t switches_in_memory(uint64_t cookie, uint32_t change, uint32_t values, const iphlp_tcp_key *key)
{
    auto it = memory.find(cookie);
    uint32_t current = it == memory.end() ? 0 : it->second.bits;
    if (!change) return current;
    current = (current & ~change) | (values & change);
    if (it != memory.end() && !current)
        memory.erase(it);
    else if (it != memory.end())
        it->second.bits = current;
    else if (current)
    {
        memory.emplace(cookie, Record{RECORD_MAGIC, current, key ? *key : iphlp_tcp_key{}});
        if (memory.size() >= prune_at)
        {
            for (auto m = memory.begin(); m != memory.end();) m = gone(m->second, m->first) ? memory.erase(m) : ++m;
            prune_at = memory.size() * 2 > 256 ? memory.size() * 2 : 256;
        }
    }
    return current;
}

} // namespace

void set_estats_switch_dir(const char *dir)
{
    std::lock_guard<std::mutex> lock(switches_mutex);
    switch_dir_overridden = dir != nullptr;
    switch_dir_override = dir ? dir : "";
    memory.clear();
    prune_at = 256;
}

uint32_t estats_switches(uint64_t cookie, uint32_t change, uint32_t values, const iphlp_tcp_key *key)
{
    std::lock_guard<std::mutex> lock(switches_mutex);
    int dfd = open_switch_dir();
    if (dfd < 0) return switches_in_memory(cookie, change, values, key);
    const std::string name = file_name(namespace_prefix(), cookie);
    Record r = {};
    if (!change)
    {
        uint32_t bits = read_record(dfd, name.c_str(), r) ? r.bits : 0;
        close(dfd);
        return bits;
    }
    flock(dfd, LOCK_EX); /* released by close() */
    bool existed = read_record(dfd, name.c_str(), r);
    uint32_t current = ((existed ? r.bits : 0) & ~change) | (values & change);
    if (!current)
        unlinkat(dfd, name.c_str(), 0);
    else
    {
        Record next = {RECORD_MAGIC, current, existed ? r.key : (key ? *key : iphlp_tcp_key{})};
        if (!write_record(dfd, name, next))
        {
            close(dfd);
            return switches_in_memory(cookie, change, values, key);
        }
        if (!existed && prune_dir(dfd, false) >= prune_at)
        {
            size_t left = prune_dir(dfd, true);
            prune_at = left * 2 > 256 ? left * 2 : 256;
        }
    }
    close(dfd);
    return current;
}

size_t estats_switches_size()
{
    std::lock_guard<std::mutex> lock(switches_mutex);
    int dfd = open_switch_dir();
    if (dfd < 0) return memory.size();
    size_t n = prune_dir(dfd, false);
    close(dfd);
    return n;
}

} // namespace iphlp
