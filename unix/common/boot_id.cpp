// SPDX-License-Identifier: LGPL-2.1-or-later
#include "boot_id.h"

#include <cerrno>
#include <fcntl.h>
#include <unistd.h>

namespace iphlp {

std::string read_boot_id(const std::string &path)
{
    /* Plain read(2) rather than iostreams: Lookup reads this on every call and must stay cheap. */
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return {};
    char buf[128];
    ssize_t n;
    do n = read(fd, buf, sizeof(buf));
    while (n < 0 && errno == EINTR);
    close(fd);
    if (n <= 0) return {};
    std::string id(buf, static_cast<size_t>(n));
    while (!id.empty() && (id.back() == '\n' || id.back() == ' ' || id.back() == '\r' || id.back() == '\t'))
        id.pop_back();
    return id;
}

} // namespace iphlp
