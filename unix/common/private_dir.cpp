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

} // namespace iphlp
