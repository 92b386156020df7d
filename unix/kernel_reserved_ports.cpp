/* Read-merge-write of the kernel's reserved port list; see kernel_reserved_ports.h. */
#include "kernel_reserved_ports.h"

#include <algorithm>
#include <cerrno>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

namespace iphlp {

static bool parse_port(const std::string &text, size_t &pos, uint32_t &port)
{
    size_t begin = pos;
    port = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9')
    {
        port = port * 10 + static_cast<uint32_t>(text[pos] - '0');
        if (port > 65535)
            return false;
        pos++;
    }
    return pos > begin;
}

static void skip_space(const std::string &text, size_t &pos)
{
    while (pos < text.size() && (text[pos] == ' ' || text[pos] == '\t' || text[pos] == '\n'))
        pos++;
}

bool parse_port_list(const std::string &text, PortSet &out)
{
    out.reset();
    size_t pos = 0;
    skip_space(text, pos);
    if (pos == text.size())
        return true;
    for (;;)
    {
        uint32_t first, last;
        if (!parse_port(text, pos, first))
            return false;
        last = first;
        if (pos < text.size() && text[pos] == '-')
        {
            pos++;
            if (!parse_port(text, pos, last) || last < first)
                return false;
        }
        out |= port_block(uint16_t(first), uint16_t(last));
        skip_space(text, pos);
        if (pos == text.size())
            return true;
        if (text[pos] != ',')
            return false;
        pos++;
        skip_space(text, pos);
    }
}

std::string format_port_list(const PortSet &ports)
{
    /* _Find_first/_Find_next (libstdc++) skip whole words: a create formats the full list of
     * 65536 bits more than once, so a bit-by-bit scan would dominate its cost. */
    const PortSet gaps = ~ports;
    std::string text;
    for (size_t first = ports._Find_first(); first < ports.size(); first = ports._Find_next(first))
    {
        size_t last = std::min(gaps._Find_next(first), ports.size()) - 1;
        if (!text.empty())
            text += ',';
        text += std::to_string(first);
        if (last > first)
            text += '-' + std::to_string(last);
        first = last;
    }
    return text;
}

static bool read_list(const std::string &path, PortSet &ports)
{
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    std::string text;
    char buf[4096];
    for (;;)
    {
        ssize_t n = read(fd, buf, sizeof(buf));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
        {
            close(fd);
            return n == 0 && parse_port_list(text, ports);
        }
        text.append(buf, static_cast<size_t>(n));
    }
}

static bool write_list(const std::string &path, const PortSet &ports)
{
    /* One write(2) of the whole list: the sysctl handler parses a single buffer, and a bare "\n"
     * is how the list is emptied (a zero-byte write would leave it unchanged). */
    std::string text = format_port_list(ports) + '\n';
    int fd = open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
    if (fd < 0)
        return false;
    ssize_t n;
    do
        n = write(fd, text.data(), text.size());
    while (n < 0 && errno == EINTR);
    bool ok = n == static_cast<ssize_t>(text.size());
    return close(fd) == 0 && ok;
}

/*
 * The file is shared by every prefix and user of the machine (and by sysctl), while the store's
 * transaction only serializes the processes of one store: an flock held around each
 * read-merge-write keeps two prefixes from overwriting each other's ports. For the real /proc
 * file it lives in /run/lock; for the stand-in files of the tests, next to them. Without a lock
 * file (no /run/lock) the update still happens, unserialized.
 */
class ListLock
{
public:
    explicit ListLock(const std::string &path)
    {
        std::string lock = path.compare(0, 6, "/proc/") == 0 ? "/run/lock/iphlp-ip_local_reserved_ports.lock"
                                                              : path + ".lock";
        fd_ = open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0666);
        if (fd_ >= 0)
            while (flock(fd_, LOCK_EX) < 0 && errno == EINTR) {}
    }
    ~ListLock()
    {
        if (fd_ >= 0)
            close(fd_); /* releases the lock */
    }
    ListLock(const ListLock &) = delete;
    ListLock &operator=(const ListLock &) = delete;

private:
    int fd_ = -1;
};

PortSet port_block(uint16_t first, uint16_t last)
{
    return (~PortSet() >> (65535 - (last - first))) << first;
}

bool kernel_add(const std::string &path, const PortSet &wanted, PortSet &added)
{
    added.reset();
    if (path.empty())
        return false;
    ListLock lock(path);
    PortSet listed;
    if (!read_list(path, listed))
        return false;
    PortSet missing = wanted & ~listed;
    if (missing.none())
        return true;
    if (!write_list(path, listed | missing))
        return false;
    added = missing;
    return true;
}

bool kernel_remove(const std::string &path, const PortSet &ours)
{
    if (ours.none())
        return true;
    if (path.empty())
        return false;
    ListLock lock(path);
    PortSet listed;
    if (!read_list(path, listed))
        return false;
    if ((listed & ours).none())
        return true;
    return write_list(path, listed & ~ours);
}

} // namespace iphlp
