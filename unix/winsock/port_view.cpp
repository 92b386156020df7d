// SPDX-License-Identifier: LGPL-2.1-or-later
#include "port_view.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <mutex>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

#include "winsock_blocks.h"

namespace iphlp {

namespace {

class Fd
{
  public:
    explicit Fd(int fd) : fd_(fd) {}
    ~Fd()
    {
        if (fd_ >= 0) close(fd_);
    }
    int get() const { return fd_; }

  private:
    int fd_;
};

/* The store's own permissions decide who may write it; the view follows them, so that every
 * user who can read the store can read the view. */
mode_t view_mode(const std::string &db_path)
{
    struct stat st;
    if (stat(db_path.c_str(), &st) == 0) return st.st_mode & 0666;
    return 0644;
}

} // namespace

std::string port_view_path(const StoreConfig &cfg) { return cfg.db_path + "-ports"; }

PortViewSync port_view_sync(const StoreConfig &cfg)
{
    PortViewSync out;
    if (cfg.db_path.empty() || cfg.db_path[0] != '/')
    {
        out.blocks_result = out.view_result = WIN_ERROR_INVALID_PARAMETER;
        return out;
    }
    const std::string path = port_view_path(cfg);
    Fd fd(open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, view_mode(cfg.db_path)));
    if (fd.get() < 0)
        out.view_result = errno == EACCES || errno == EROFS ? WIN_ERROR_ACCESS_DENIED : WIN_ERROR_OPEN_FAILED;
    else if (flock(fd.get(), LOCK_EX) != 0)
        out.view_result = WIN_ERROR_OPEN_FAILED;
    const bool locked = out.view_result == WIN_ERROR_NOT_FOUND;
    out.blocks_result = all_blocks(cfg, out.blocks);
    if (out.blocks_result || !locked) return out;
    std::vector<uint8_t> bits(IPHLP_PORT_VIEW_BYTES, 0);
    for (const PortBlock &b : out.blocks)
        for (uint32_t p = b.start_port; p < uint32_t(b.start_port) + b.num_ports && p <= 65535; p++)
        {
            const uint32_t bit = b.proto * 65536u + p;
            bits[bit / 8] |= uint8_t(1u << (bit % 8));
        }
    /* Most calls find the view current (every change rewrites it); leaving it alone then spares
     * the write and keeps its modification time that of the last change. */
    std::vector<uint8_t> old(IPHLP_PORT_VIEW_BYTES, 0);
    if (pread(fd.get(), old.data(), old.size(), 0) == ssize_t(old.size()) && old == bits)
    {
        out.view_result = WIN_NO_ERROR;
        return out;
    }
    /* pwrite into the page cache: mapped readers see each byte change at once; a torn state
     * only mixes bits of two correct views. */
    out.view_result =
        pwrite(fd.get(), bits.data(), bits.size(), 0) == ssize_t(bits.size()) ? WIN_NO_ERROR : WIN_ERROR_DISK_FULL;
    return out;
}

uint32_t port_view_refresh(const StoreConfig &cfg)
{
    const PortViewSync sync = port_view_sync(cfg);
    return sync.blocks_result ? sync.blocks_result : sync.view_result;
}

uint32_t port_view_map(const StoreConfig &cfg, const uint8_t **view)
{
    static std::mutex mutex;
    static std::string mapped_path;
    static const uint8_t *mapped = nullptr;
    const std::string path = port_view_path(cfg);
    uint32_t rc = port_view_refresh(cfg);
    std::lock_guard<std::mutex> lock(mutex);
    if (mapped && mapped_path == path)
    {
        *view = mapped;
        return WIN_NO_ERROR;
    }
    if (rc) return rc;
    Fd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    if (fd.get() < 0) return WIN_ERROR_OPEN_FAILED;
    struct stat st;
    if (fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode) || st.st_size < off_t(IPHLP_PORT_VIEW_BYTES))
        return WIN_ERROR_FILE_CORRUPT;
    void *p = mmap(nullptr, IPHLP_PORT_VIEW_BYTES, PROT_READ, MAP_SHARED, fd.get(), 0);
    if (p == MAP_FAILED) return WIN_ERROR_NOT_ENOUGH_MEMORY;
    /* A view of an earlier path (another store) stays mapped: the PE side may still read it. */
    mapped = static_cast<const uint8_t *>(p);
    mapped_path = path;
    *view = mapped;
    return WIN_NO_ERROR;
}

} // namespace iphlp
