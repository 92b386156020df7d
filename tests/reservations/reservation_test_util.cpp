// SPDX-License-Identifier: LGPL-2.1-or-later
/* Helpers of the reservation store tests; see reservation_test_util.h. */
#include "reservation_test_util.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>

#include <sqlite3.h>

#include "boot_token.h"
#include "reservation_mirror.h"
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace restest {

Fixture::Fixture(const std::string &kernel_ports, const std::string &boot_id)
{
    char templ[] = "/tmp/iphlp-res-XXXXXX";
    if (!mkdtemp(templ))
    {
        perror("mkdtemp");
        abort();
    }
    dir = templ;
    cfg.db_path = dir + "/store.sqlite3";
    cfg.boot_id_path = dir + "/boot_id";
    cfg.kernel_reserved_path = dir + "/reserved_ports";
    cfg.lock_dir = dir + "/lock";
    write_file(cfg.boot_id_path, boot_id + "\n");
    write_file(cfg.kernel_reserved_path, kernel_ports + "\n");
}

Fixture::~Fixture() { remove_tree(dir); }

void write_file(const std::string &path, const std::string &content)
{
    FILE *f = fopen(path.c_str(), "wb");
    if (!f || fwrite(content.data(), 1, content.size(), f) != content.size() || fclose(f) != 0)
    {
        perror(path.c_str());
        abort();
    }
}

/* One pread at offset 0 into a buffer that grows until the answer is shorter: the sysctl files
 * answer only a read at offset 0 (kernel_reserved_ports.h), so chunked reads cut long lists. */
std::string read_file(const std::string &path)
{
    std::string text;
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return text;
    std::vector<char> buf(64 * 1024);
    for (;;)
    {
        ssize_t n = pread(fd, buf.data(), buf.size(), 0);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 || size_t(n) < buf.size())
        {
            if (n > 0) text.assign(buf.data(), size_t(n));
            break;
        }
        buf.resize(buf.size() * 2);
    }
    close(fd);
    return text;
}

bool file_exists(const std::string &path)
{
    struct stat st;
    return lstat(path.c_str(), &st) == 0;
}

void remove_tree(const std::string &path)
{
    struct stat st;
    if (lstat(path.c_str(), &st) != 0) return;
    if (S_ISDIR(st.st_mode))
    {
        chmod(path.c_str(), 0700);
        if (DIR *d = opendir(path.c_str()))
        {
            while (struct dirent *e = readdir(d))
            {
                std::string name = e->d_name;
                if (name != "." && name != "..") remove_tree(path + "/" + name);
            }
            closedir(d);
        }
        rmdir(path.c_str());
    }
    else
        unlink(path.c_str());
}

Snapshot snapshot(const std::string &path)
{
    Snapshot snap;
    struct stat st;
    if (stat(path.c_str(), &st) != 0) return snap;
    snap.exists = true;
    snap.mtime = st.st_mtim;
    snap.mode = st.st_mode;
    if (S_ISREG(st.st_mode)) snap.bytes = read_file(path);
    return snap;
}

bool same(const Snapshot &a, const Snapshot &b)
{
    return a.exists == b.exists && a.bytes == b.bytes && a.mode == b.mode && a.mtime.tv_sec == b.mtime.tv_sec &&
           a.mtime.tv_nsec == b.mtime.tv_nsec;
}

StderrCapture::StderrCapture()
{
    char templ[] = "/tmp/iphlp-stderr-XXXXXX";
    file_ = mkstemp(templ);
    if (file_ < 0)
    {
        perror("mkstemp");
        abort();
    }
    unlink(templ);
    fflush(stderr);
    saved_ = dup(2);
    dup2(file_, 2);
}

StderrCapture::~StderrCapture()
{
    if (saved_ >= 0) text();
    close(file_);
}

std::string StderrCapture::text()
{
    fflush(stderr);
    if (saved_ >= 0)
    {
        dup2(saved_, 2);
        close(saved_);
        saved_ = -1;
    }
    std::string out;
    char buf[4096];
    ssize_t n;
    off_t offset = 0;
    while ((n = pread(file_, buf, sizeof(buf), offset)) > 0)
    {
        out.append(buf, static_cast<size_t>(n));
        offset += n;
    }
    /* Let the test's own log show what the store said. */
    fputs(out.c_str(), stderr);
    return out;
}

int run_in_child(const std::function<int()> &fn)
{
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0)
    {
        int code = fn();
        fflush(stdout);
        fflush(stderr);
        _exit(code);
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
    {}
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

bool become_nobody()
{
    return setgroups(0, nullptr) == 0 && setgid(65534) == 0 && setuid(65534) == 0 && geteuid() == 65534;
}

namespace {
bool skipped_for_root = false;
}

void note_root_skip(const char *why)
{
    printf("  needs root (%s): skipped as uid %u\n", why, (unsigned)geteuid());
    fflush(stdout);
    skipped_for_root = true;
}

int test_exit(int failures)
{
    if (failures) return failures;
    if (skipped_for_root) printf("some tests need root and were skipped (see above): exit 77, CTest's skip\n");
    return skipped_for_root ? 77 : 0;
}

bool disjoint(const std::vector<iphlp::Reservation> &sorted)
{
    for (size_t i = 1; i < sorted.size(); i++)
    {
        uint32_t prev_end = uint32_t(sorted[i - 1].start_port) + sorted[i - 1].num_ports - 1;
        if (sorted[i].start_port <= prev_end) return false;
    }
    return true;
}

const char KERNEL_LIST_PATH[] = "/proc/sys/net/ipv4/ip_local_reserved_ports";

namespace {
bool in_private_netns = false;
}

bool enter_private_netns()
{
    if (unshare(CLONE_NEWNET) != 0) return false;
    in_private_netns = true;
    return true;
}

iphlp::PortSet admin_ports()
{
    iphlp::PortSet admin;
    for (unsigned i = 0; i < 1500; i++) admin.set(10001 + 2 * i);
    return admin;
}

bool set_kernel_list(const iphlp::PortSet &ports)
{
    iphlp::PortSet current, after;
    return iphlp::kernel_read(KERNEL_LIST_PATH, current) &&
           iphlp::kernel_write(KERNEL_LIST_PATH, current, ports, after);
}

bool private_list_available() { return in_private_netns && access(KERNEL_LIST_PATH, W_OK) == 0; }

std::string owned_ports(const iphlp::StoreConfig &cfg)
{
    std::string owned;
    sqlite3 *db = nullptr;
    if (sqlite3_open_v2(cfg.db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK)
    {
        sqlite3_stmt *stmt = nullptr;
        std::string key = iphlp::mirror_key(iphlp::read_boot_id(cfg.boot_id_path));
        if (sqlite3_prepare_v2(db, "SELECT owned FROM kernel_mirror WHERE ns = ?1", -1, &stmt, nullptr) == SQLITE_OK &&
            sqlite3_bind_text(stmt, 1, key.c_str(), -1, SQLITE_TRANSIENT) == SQLITE_OK &&
            sqlite3_step(stmt) == SQLITE_ROW)
            owned = reinterpret_cast<const char *>(sqlite3_column_text(stmt, 0));
        sqlite3_finalize(stmt);
    }
    sqlite3_close(db);
    return owned;
}

std::string random_boot_id(uint64_t seed)
{
    char id[40];
    uint64_t a = seed * 0x9e3779b97f4a7c15ull + 1, b = a * 0xbf58476d1ce4e5b9ull + 7;
    snprintf(id, sizeof(id), "%08x-%04x-%04x-%04x-%012llx", unsigned(a >> 32), unsigned(a >> 16) & 0xffff,
             unsigned(a) & 0xffff, unsigned(b >> 48), (unsigned long long)(b & 0xffffffffffffull));
    return id;
}

} // namespace restest
