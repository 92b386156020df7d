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
 */
#include "forward_refresh.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

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

} // namespace

void refresh_forward_copy(const char *copy)
{
    struct stat st;
    /* Only the regular file install put there; a link or nothing is the user's business. */
    if (!copy || lstat(copy, &st) != 0 || !S_ISREG(st.st_mode)) return;
    std::string source = wine_own_iphlpapi(), fresh, current;
    if (source.empty() || !read_file(source, fresh) || fresh.size() < 2 || fresh.compare(0, 2, "MZ")) return;
    if (read_file(copy, current) && current == fresh) return;

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
