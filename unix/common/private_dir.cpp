// SPDX-License-Identifier: LGPL-2.1-or-later
#include "private_dir.h"

#include <cerrno>
#include <cstdlib>
#include <fcntl.h>
#include <unistd.h>

namespace iphlp {

bool is_private_dir(const struct stat &st)
{
    return S_ISDIR(st.st_mode) && st.st_uid == geteuid() && (st.st_mode & (S_IWGRP | S_IWOTH)) == 0;
}

int open_private_dir(int at, const char *name, bool unreadable)
{
    if (mkdirat(at, name, geteuid() == 0 && !unreadable ? 0755 : 0700) != 0 && errno != EEXIST) return -1;
    int fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return -1;
    struct stat st;
    if (fstat(fd, &st) != 0 || !is_private_dir(st) || (unreadable && (st.st_mode & 077)))
    {
        close(fd);
        errno = EPERM;
        return -1;
    }
    return fd;
}

std::string runtime_dir()
{
    uid_t uid = geteuid();
    if (uid == 0) return "/run/iphlp";
    const char *runtime = getenv("XDG_RUNTIME_DIR");
    struct stat st;
    if (runtime && runtime[0] == '/' && stat(runtime, &st) == 0 && is_private_dir(st))
        return std::string(runtime) + "/iphlp";
    return "/tmp/iphlp-" + std::to_string(uid);
}

std::string cache_dir()
{
    if (const char *env = getenv("IPHLP_OWNER_DIR"); env && *env) return env;
    return "/tmp/iphlp-" + std::to_string(geteuid());
}

bool replace_file_at(int dir, const std::string &name, const void *data, size_t size)
{
    /* Hidden, so that a reader listing the directory (the ESTATS pruning) never takes it for a
     * record; per process, so that two writers never share one. */
    const std::string temp = "." + name + ".tmp" + std::to_string(getpid());
    unlinkat(dir, temp.c_str(), 0); /* left behind by a process of this PID that died while writing */
    int fd = openat(dir, temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) return false;
    const char *bytes = static_cast<const char *>(data);
    size_t put = 0;
    while (put < size)
    {
        ssize_t n = write(fd, bytes + put, size - put);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        put += size_t(n);
    }
    const bool written = put == size && close(fd) == 0;
    if (written && renameat(dir, temp.c_str(), dir, name.c_str()) == 0) return true;
    if (put != size) close(fd);
    unlinkat(dir, temp.c_str(), 0);
    return false;
}

} // namespace iphlp
