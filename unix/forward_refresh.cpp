// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The prefix's iphlpwine.dll is a copy of the running Wine's own iphlpapi.dll: every export this
 * project does not implement is forwarded to it. A link cannot replace the copy (Wine refuses a
 * system32 file that links into its own library directory: c0000135), so after a Wine upgrade
 * the copy would keep the old Wine's functions until the user reinstalled. Instead, the first
 * unix call of each process compares the two and replaces the copy by rename when they differ;
 * the process that notices still runs with the copy it loaded, every later one with the new.
 *
 * The running Wine's library directory is where its ntdll.so is (this library links it, so
 * dladdr names the one Wine loaded): ARCH-unix/ntdll.so beside ARCH-windows/iphlpapi.dll.
 *
 * Comparing means reading both files (about 0.9 MB each on Wine 10.0), which took 3-28 ms of the
 * first table call of a fresh process on a loaded machine (measured 2026-12-06, Wine 10.0, load
 * average 10), more than the kernel dump of 4,000 sockets. So a comparison that found the two
 * equal is remembered in this user's cache directory (private_dir.h) with both files' identity
 * (device, inode, size, modification and change times, in ns): while both stat the same, neither
 * was written since (any write or replacement changes the change time or the inode, and the
 * change time cannot be set from user space), and the files are not read again. A file changed
 * within the last two seconds is never remembered: file times advance in clock ticks, so a write
 * in the same tick as the comparison could leave them unchanged.
 */
#include "forward_refresh.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <string>

#include "private_dir.h"

extern "C" void NtQueryPerformanceCounter(); /* any ntdll.so export: only its address is used */

namespace iphlp {
namespace {

bool read_file(const std::string &path, std::string &out)
{
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    out.clear();
    char buf[65536];
    ssize_t n;
    while ((n = read(fd, buf, sizeof(buf))) > 0) out.append(buf, (size_t)n);
    close(fd);
    return n == 0;
}

std::string wine_own_iphlpapi()
{
    Dl_info info{};
    if (!dladdr(reinterpret_cast<void *>(&NtQueryPerformanceCounter), &info) || !info.dli_fname) return {};
    std::string unix_dir = info.dli_fname; /* .../ARCH-unix/ntdll.so */
    size_t slash = unix_dir.rfind('/');
    if (slash == std::string::npos) return {};
    unix_dir.resize(slash); /* .../ARCH-unix */
    const std::string suffix = "-unix";
    if (unix_dir.size() < suffix.size() || unix_dir.compare(unix_dir.size() - suffix.size(), suffix.size(), suffix))
        return {};
    return unix_dir.substr(0, unix_dir.size() - suffix.size()) + "-windows/iphlpapi.dll";
}

/* What identifies one version of a file. Fixed-width fields: both bitnesses share the record. */
struct FileIdentity
{
    uint64_t dev, ino, size, mtime_ns, ctime_ns;
};
static_assert(sizeof(FileIdentity) == 40, "layout");

struct CheckedPair
{
    char magic[8];
    FileIdentity source, copy;
};
static_assert(sizeof(CheckedPair) == 88, "layout");
const char checked_magic[8] = {'i', 'p', 'h', 'l', 'p', 'f', 'w', '1'};

FileIdentity identity_of(const struct stat &st)
{
    return {(uint64_t)st.st_dev, (uint64_t)st.st_ino, (uint64_t)st.st_size,
            (uint64_t)st.st_mtim.tv_sec * 1000000000u + (uint64_t)st.st_mtim.tv_nsec,
            (uint64_t)st.st_ctim.tv_sec * 1000000000u + (uint64_t)st.st_ctim.tv_nsec};
}

/* One record per copy (named by its device and inode: a replaced copy has a new name). */
std::string checked_name(const struct stat &copy)
{
    char name[64];
    snprintf(name, sizeof(name), "forward-%llx-%llx", (unsigned long long)copy.st_dev, (unsigned long long)copy.st_ino);
    return name;
}

bool known_equal(const struct stat &source, const struct stat &copy)
{
    int dir = open_private_dir(AT_FDCWD, cache_dir().c_str(), true);
    if (dir < 0) return false;
    int fd = openat(dir, checked_name(copy).c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    close(dir);
    if (fd < 0) return false;
    CheckedPair rec, want = {{}, identity_of(source), identity_of(copy)};
    memcpy(want.magic, checked_magic, sizeof(want.magic));
    struct stat st;
    bool ok = !fstat(fd, &st) && S_ISREG(st.st_mode) && st.st_uid == geteuid() && !(st.st_mode & 022) &&
              pread(fd, &rec, sizeof(rec), 0) == (ssize_t)sizeof(rec) && !memcmp(&rec, &want, sizeof(rec));
    close(fd);
    return ok;
}

void remember_equal(const struct stat &source, const struct stat &copy)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    if (source.st_ctim.tv_sec + 2 > now.tv_sec || copy.st_ctim.tv_sec + 2 > now.tv_sec) return;
    int dir = open_private_dir(AT_FDCWD, cache_dir().c_str(), true);
    if (dir < 0) return;
    CheckedPair rec = {{}, identity_of(source), identity_of(copy)};
    memcpy(rec.magic, checked_magic, sizeof(rec.magic));
    replace_file_at(dir, checked_name(copy), &rec, sizeof(rec));
    close(dir);
}

} // namespace

void refresh_forward_copy(const char *copy)
{
    struct stat st, source_st;
    /* Only the regular file install put there; a link or nothing is the user's business. */
    if (!copy || lstat(copy, &st) != 0 || !S_ISREG(st.st_mode)) return;
    std::string source = wine_own_iphlpapi(), fresh, current;
    if (source.empty() || stat(source.c_str(), &source_st) != 0) return;
    if (known_equal(source_st, st)) return;
    if (!read_file(source, fresh) || fresh.size() < 2 || fresh.compare(0, 2, "MZ")) return;
    if (read_file(copy, current) && current == fresh)
    {
        /* The identities taken before reading: a write since then makes them differ. */
        remember_equal(source_st, st);
        return;
    }

    std::string tmp = std::string(copy) + ".iphlp-tmp." + std::to_string(getpid());
    int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, st.st_mode & 0777);
    bool ok = fd >= 0;
    for (size_t done = 0; ok && done < fresh.size();)
    {
        ssize_t n = write(fd, fresh.data() + done, fresh.size() - done);
        if (n <= 0)
            ok = false;
        else
            done += (size_t)n;
    }
    if (fd >= 0 && close(fd) != 0) ok = false;
    /* By rename: running programs map the old copy, which must never change under them. */
    if (ok && rename(tmp.c_str(), copy) == 0) return;
    int err = errno;
    if (fd >= 0) unlink(tmp.c_str());
    fprintf(stderr, "iphlpapi: could not refresh %s from %s (the Wine's iphlpapi.dll changed): %s\n", copy,
            source.c_str(), strerror(err));
}

} // namespace iphlp
