// SPDX-License-Identifier: LGPL-2.1-or-later
/* Read-merge-write of the kernel's reserved port list; see kernel_reserved_ports.h. */
#include "kernel_reserved_ports.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <linux/magic.h>
#include <sys/statfs.h>
#include <unistd.h>
#include <vector>

namespace iphlp {

static bool parse_port(const std::string &text, size_t &pos, uint32_t &port)
{
    size_t begin = pos;
    port = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9')
    {
        port = port * 10 + static_cast<uint32_t>(text[pos] - '0');
        if (port > 65535) return false;
        pos++;
    }
    return pos > begin;
}

static void skip_space(const std::string &text, size_t &pos)
{
    while (pos < text.size() && (text[pos] == ' ' || text[pos] == '\t' || text[pos] == '\n')) pos++;
}

void add_ports(PortSet &ports, uint16_t first, uint16_t last);

bool parse_port_list(const std::string &text, PortSet &out)
{
    out.reset();
    size_t pos = 0;
    skip_space(text, pos);
    if (pos == text.size()) return true;
    for (;;)
    {
        uint32_t first, last;
        if (!parse_port(text, pos, first)) return false;
        last = first;
        if (pos < text.size() && text[pos] == '-')
        {
            pos++;
            if (!parse_port(text, pos, last) || last < first) return false;
        }
        add_ports(out, uint16_t(first), uint16_t(last));
        skip_space(text, pos);
        if (pos == text.size()) return true;
        if (text[pos] != ',') return false;
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
        if (!text.empty()) text += ',';
        text += std::to_string(first);
        if (last > first) text += '-' + std::to_string(last);
        first = last;
    }
    return text;
}

namespace {

bool is_procfs(int fd)
{
    struct statfs fs;
    return fstatfs(fd, &fs) == 0 && fs.f_type == PROC_SUPER_MAGIC;
}

void set_why(std::string *why, const std::string &text)
{
    if (why) *why = text;
}

/* The sysctl answers only a read at offset 0 (see the header), so the whole list must come from
 * one read: pread at 0 with a buffer that grows until the answer is shorter than it. The
 * longest possible list ("1,3,5,...,65535") is about 190 KB. A regular file is read the same
 * way, which also reads it whole. */
bool read_text(int fd, std::string &text, std::string *why)
{
    std::vector<char> buf(64 * 1024);
    for (;;)
    {
        ssize_t n;
        do n = pread(fd, buf.data(), buf.size(), 0);
        while (n < 0 && errno == EINTR);
        if (n < 0)
        {
            set_why(why, std::string("cannot read it: ") + strerror(errno));
            return false;
        }
        if (size_t(n) < buf.size())
        {
            text.assign(buf.data(), size_t(n));
            return true;
        }
        if (buf.size() >= 4 * 1024 * 1024)
        {
            set_why(why, "cannot read it: longer than 4 MB");
            return false;
        }
        buf.resize(buf.size() * 2);
    }
}

bool read_fd(int fd, PortSet &ports, std::string *why)
{
    std::string text;
    if (!read_text(fd, text, why)) return false;
    if (!parse_port_list(text, ports))
    {
        set_why(why, "cannot parse it");
        return false;
    }
    return true;
}

bool write_at(int fd, const std::string &piece, off_t offset)
{
    ssize_t n;
    do n = pwrite(fd, piece.data(), piece.size(), offset);
    while (n < 0 && errno == EINTR);
    return n == ssize_t(piece.size());
}

/* The sysctl: each piece fits one write, so each is applied whole (checked: a short count is a
 * failure). Offset 0 replaces, offset 1 ORs. */
bool write_sysctl(int fd, const PortSet &current, const PortSet &target, const KernelWriteHook &hook)
{
    bool replace = (current & ~target).any();
    /* A bare "\n" at offset 0 empties the list (an empty write would change nothing). */
    std::vector<std::string> pieces =
        split_port_list(format_port_list(replace ? target : target & ~current), SYSCTL_WRITE_MAX);
    for (size_t i = 0; i < pieces.size(); i++)
    {
        if (hook) hook(int(i));
        if (!write_at(fd, pieces[i], replace && i == 0 ? 0 : 1)) return false;
    }
    return true;
}

/* The stand-in file of the unit tests: rewritten whole. */
bool write_plain(int fd, const PortSet &target, const KernelWriteHook &hook)
{
    if (hook) hook(0);
    std::string text = format_port_list(target) + '\n';
    return ftruncate(fd, 0) == 0 && write_at(fd, text, 0);
}

} // namespace

std::vector<std::string> split_port_list(const std::string &text, size_t max)
{
    std::vector<std::string> pieces;
    size_t pos = 0;
    do {
        size_t end = text.size();
        if (end - pos > max - 1) /* room for the newline */
        {
            end = text.rfind(',', pos + max - 1);
            if (end == std::string::npos || end <= pos)
                end = text.size(); /* cannot happen for our output: an entry is <= 11 bytes */
        }
        pieces.push_back(text.substr(pos, end - pos) + '\n');
        pos = end < text.size() ? end + 1 : end;
    } while (pos < text.size());
    return pieces;
}

bool kernel_read(const std::string &path, PortSet &ports, std::string *why)
{
    if (path.empty())
    {
        set_why(why, "no path");
        return false;
    }
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
    {
        set_why(why, std::string("cannot open it: ") + strerror(errno));
        return false;
    }
    bool ok = read_fd(fd, ports, why);
    close(fd);
    return ok;
}

bool kernel_write(const std::string &path, const PortSet &current, const PortSet &target, PortSet &after,
                  const KernelWriteHook &hook)
{
    after.reset();
    if (path.empty()) return false;
    int fd = open(path.c_str(), O_RDWR | O_CLOEXEC);
    if (fd < 0) return false;
    bool proc = is_procfs(fd);
    if (current != target) proc ? write_sysctl(fd, current, target, hook) : write_plain(fd, target, hook);
    /* Whatever the writes answered, what counts is what the list now holds. */
    bool ok = read_fd(fd, after, nullptr) && after == target;
    close(fd);
    return ok;
}

bool kernel_writable(const std::string &path)
{
    return !path.empty() && faccessat(AT_FDCWD, path.c_str(), W_OK, AT_EACCESS) == 0;
}

/* Bit by bit: shifting a whole 65,536-bit set twice per block made parse_port_list of a
 * 1,500-entry list and the admission pass over thousands of rows take 70% of a call. */
void add_ports(PortSet &ports, uint16_t first, uint16_t last)
{
    for (uint32_t p = first; p <= last; p++) ports.set(p);
}

PortSet port_block(uint16_t first, uint16_t last)
{
    PortSet ports;
    add_ports(ports, first, last);
    return ports;
}

} // namespace iphlp
