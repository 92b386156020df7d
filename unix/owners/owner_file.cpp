// SPDX-License-Identifier: LGPL-2.1-or-later
#include "owner_file.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "private_dir.h"

namespace iphlp {

namespace {

const char file_magic[8] = {'i', 'p', 'h', 'l', 'p', 'o', 'w', 'n'};
constexpr uint32_t FILE_VERSION = 2;
constexpr size_t MAX_FILE_SIZE = 64u << 20;

/* Fixed-width fields only: 32-bit and 64-bit processes of a prefix share the file. */
struct FileHeader
{
    char magic[8];
    uint32_t version;
    uint32_t processes;
    uint64_t prefix_dev, prefix_ino, server_pid, server_start;
    uint64_t slots;
    uint64_t natives;
    uint64_t checksum; /* of everything after the header */
};
static_assert(sizeof(FileHeader) == 72, "header layout");

struct FileProcess
{
    uint32_t pid;
    uint32_t slots;
    uint64_t create_time;
};
static_assert(sizeof(FileProcess) == 16, "process layout");

/* A slot: inode != 0 for a socket, else cookie says unprobed (0), empty (1) or another object
 * (2). A native socket: inode and cookie. */
struct FileSlot
{
    uint64_t inode;
    uint64_t cookie;
};
static_assert(sizeof(FileSlot) == 16, "slot layout");

uint64_t checksum(const unsigned char *data, size_t len)
{
    uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a over 64-bit words, then the tail bytes */
    size_t i = 0;
    for (; i + 8 <= len; i += 8)
    {
        uint64_t w;
        memcpy(&w, data + i, 8);
        h = (h ^ w) * 0x100000001b3ull;
    }
    for (; i < len; i++) h = (h ^ data[i]) * 0x100000001b3ull;
    return h;
}

std::string file_name(const ServerIdentity &server)
{
    char name[64];
    snprintf(name, sizeof(name), "owners-%llx-%llx", (unsigned long long)server.prefix_dev,
             (unsigned long long)server.prefix_ino);
    return name;
}

} // namespace

OwnerFile::OwnerFile(std::string dir) : dir_(std::move(dir))
{
    if (dir_.empty()) dir_ = cache_dir();
}

int OwnerFile::open_dir()
{
    /* Ours alone (common/private_dir.h): another user could otherwise plant or read the map. */
    return open_private_dir(AT_FDCWD, dir_.c_str(), true);
}

bool OwnerFile::load(const ServerIdentity &server, SharedMap &map)
{
    map.processes.clear();
    map.natives.clear();
    std::vector<KnownProcess> &out = map.processes;
    int dir = open_dir();
    if (dir < 0) return false;
    int fd = openat(dir, file_name(server).c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    close(dir);
    if (fd < 0) return false;
    struct stat st;
    std::vector<unsigned char> data;
    bool ok = !fstat(fd, &st) && S_ISREG(st.st_mode) && st.st_uid == geteuid() && !(st.st_mode & 022) &&
              (size_t)st.st_size >= sizeof(FileHeader) && (size_t)st.st_size <= MAX_FILE_SIZE;
    if (ok)
    {
        data.resize((size_t)st.st_size);
        size_t got = 0;
        while (got < data.size())
        {
            ssize_t n = pread(fd, data.data() + got, data.size() - got, (off_t)got);
            if (n <= 0) break;
            got += (size_t)n;
        }
        ok = got == data.size();
    }
    close(fd);
    if (!ok) return false;

    FileHeader h;
    memcpy(&h, data.data(), sizeof(h));
    const size_t body = data.size() - sizeof(h);
    if (memcmp(h.magic, file_magic, sizeof(file_magic)) || h.version != FILE_VERSION ||
        h.prefix_dev != server.prefix_dev || h.prefix_ino != server.prefix_ino || h.server_pid != server.server_pid ||
        h.server_start != server.server_start || h.processes > body / sizeof(FileProcess) ||
        h.slots > body / sizeof(FileSlot) || h.natives > body / sizeof(FileSlot) ||
        body != h.processes * sizeof(FileProcess) + (h.slots + h.natives) * sizeof(FileSlot) ||
        checksum(data.data() + sizeof(h), body) != h.checksum)
        return false;

    const unsigned char *procs = data.data() + sizeof(h);
    const unsigned char *slots = procs + h.processes * sizeof(FileProcess);
    uint64_t used = 0;
    out.resize(h.processes);
    for (uint32_t i = 0; i < h.processes; i++)
    {
        FileProcess fp;
        memcpy(&fp, procs + i * sizeof(fp), sizeof(fp));
        if ((i && fp.pid <= out[i - 1].pid) || fp.slots > h.slots - used)
        {
            out.clear();
            return false;
        }
        out[i].pid = fp.pid;
        out[i].create_time = fp.create_time;
        out[i].slots.resize(fp.slots);
        for (uint32_t k = 0; k < fp.slots; k++, used++)
        {
            FileSlot fs;
            memcpy(&fs, slots + used * sizeof(fs), sizeof(fs));
            SlotState &s = out[i].slots[k];
            if (fs.inode)
                s.kind = SlotKind::socket, s.inode = fs.inode, s.cookie = fs.cookie;
            else
                s.kind = fs.cookie == 1 ? SlotKind::empty : fs.cookie == 2 ? SlotKind::other : SlotKind::unprobed;
        }
    }
    if (used != h.slots)
    {
        out.clear();
        return false;
    }
    const unsigned char *natives = slots + h.slots * sizeof(FileSlot);
    map.natives.resize(h.natives);
    for (uint64_t i = 0; i < h.natives; i++)
    {
        FileSlot fs;
        memcpy(&fs, natives + i * sizeof(fs), sizeof(fs));
        map.natives[i] = {fs.inode, fs.cookie};
        if (!fs.inode || (i && fs.inode <= map.natives[i - 1].inode))
        {
            map.processes.clear();
            map.natives.clear();
            return false;
        }
    }
    return true;
}

void OwnerFile::save(const ServerIdentity &server, const SharedMap &map)
{
    const std::vector<KnownProcess> &processes = map.processes;
    uint64_t slots = 0;
    for (const auto &p : processes) slots += p.slots.size();
    size_t size =
        sizeof(FileHeader) + processes.size() * sizeof(FileProcess) + (slots + map.natives.size()) * sizeof(FileSlot);
    if (size > MAX_FILE_SIZE) return;
    std::vector<unsigned char> data(size);
    unsigned char *out = data.data() + sizeof(FileHeader);
    for (const auto &p : processes)
    {
        FileProcess fp = {p.pid, (uint32_t)p.slots.size(), p.create_time};
        memcpy(out, &fp, sizeof(fp));
        out += sizeof(fp);
    }
    for (const auto &p : processes)
        for (const auto &s : p.slots)
        {
            FileSlot fs = {0, 0};
            /* A borrowed entry goes back as read: this process has learned nothing about it. */
            if (s.kind == SlotKind::socket)
                fs = {s.inode, s.cookie};
            else
                fs.cookie = s.kind == SlotKind::empty ? 1 : s.kind == SlotKind::other ? 2 : 0;
            memcpy(out, &fs, sizeof(fs));
            out += sizeof(fs);
        }
    for (const auto &n : map.natives)
    {
        FileSlot fs = {n.inode, n.cookie};
        memcpy(out, &fs, sizeof(fs));
        out += sizeof(fs);
    }
    FileHeader h;
    memcpy(h.magic, file_magic, sizeof(h.magic));
    h.version = FILE_VERSION;
    h.processes = (uint32_t)processes.size();
    h.prefix_dev = server.prefix_dev;
    h.prefix_ino = server.prefix_ino;
    h.server_pid = server.server_pid;
    h.server_start = server.server_start;
    h.slots = slots;
    h.natives = map.natives.size();
    h.checksum = checksum(data.data() + sizeof(h), size - sizeof(h));
    memcpy(data.data(), &h, sizeof(h));

    int dir = open_dir();
    if (dir < 0) return;
    replace_file_at(dir, file_name(server), data.data(), data.size());
    close(dir);
}

bool OwnerFile::next_checks(const ServerIdentity &server, uint64_t count, uint64_t &start)
{
    int dir = open_dir();
    if (dir < 0) return false;
    /* O_NONBLOCK: a FIFO planted in its place must not hang the call (it is refused below). */
    int fd = openat(dir, (file_name(server) + ".checks").c_str(),
                    O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, 0600);
    close(dir);
    if (fd < 0) return false;
    struct stat st;
    bool ok = !fstat(fd, &st) && S_ISREG(st.st_mode) && st.st_nlink == 1 && st.st_uid == geteuid() &&
              !(st.st_mode & 022) && !flock(fd, LOCK_EX);
    if (ok)
    {
        uint64_t at = 0;
        /* A short or missing position (a new file) starts at 0; any 8 bytes are a position. */
        if (pread(fd, &at, sizeof(at), 0) != (ssize_t)sizeof(at)) at = 0;
        const uint64_t next = at + count;
        ok = pwrite(fd, &next, sizeof(next), 0) == (ssize_t)sizeof(next);
        start = at;
    }
    close(fd); /* and with it the lock */
    return ok;
}

} // namespace iphlp
