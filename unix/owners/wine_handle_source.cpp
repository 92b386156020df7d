// SPDX-License-Identifier: LGPL-2.1-or-later
#include "wine_handle_source.h"

#include <algorithm>
#include <cstdio>
#include <climits>
#include <cstdlib>
#include <string>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <ctime>
#include <unistd.h>

#include "process_start.h"
#include "wine_ntdll.h"

namespace iphlp {

uint32_t WineHandleSource::own_pid()
{
    if (!own_pid_)
    {
        wine::ProcessBasicInfo info = {};
        if (!wine::query_information_process(wine::current_process(), wine::ProcessBasicInformation, &info,
                                             sizeof(info), nullptr))
            own_pid_ = (uint32_t)info.pid;
    }
    return own_pid_;
}

bool WineHandleSource::list_processes(std::vector<ProcessSlots> &out)
{
    processes_.clear();
    if (!list_wine_processes(processes_)) return false;
    for (const auto &p : processes_) out.push_back({p.pid, p.handle_slots, p.create_time});
    return true;
}

/* A handle to the Windows process PID with ACCESS, or null. */
static wine::HANDLE open_windows_process(uint32_t pid, uint32_t access)
{
    wine::HANDLE process = nullptr;
    wine::ObjectAttributes attr = {sizeof(attr), nullptr, nullptr, 0, nullptr, nullptr};
    wine::ClientId id = {(wine::HANDLE)(uintptr_t)pid, nullptr};
    return wine::open_process(&process, access, &attr, &id) ? nullptr : process;
}

/* Three server round trips a process (open, get_process_info, close), against the list's one
 * request plus /proc reads for every thread of every process. A process that has exited but is
 * still open somewhere can be opened: its exit time tells. */
bool WineHandleSource::still_running(const std::vector<ProcessSlots> &procs, std::vector<uint8_t> &alive)
{
    alive.assign(procs.size(), 0);
    for (size_t i = 0; i < procs.size(); i++)
    {
        wine::HANDLE process = open_windows_process(procs[i].pid, wine::PROCESS_QUERY_LIMITED_INFORMATION);
        if (!process) continue;
        wine::KernelUserTimes times = {};
        if (!wine::query_information_process(process, wine::ProcessTimes, &times, sizeof(times), nullptr))
            alive[i] = (uint64_t)times.create_time == procs[i].create_time && !times.exit_time;
        wine::close_handle(process);
    }
    return true;
}

#ifndef SO_COOKIE
#define SO_COOKIE 57 /* Linux 4.12 (asm-generic/socket.h) */
#endif

static ProbeResult socket_of(wine::HANDLE handle)
{
    int fd = -1;
    uint32_t options = 0;
    /* Fails for empty slots (STATUS_INVALID_HANDLE), non-file objects and files with no Unix fd
     * (console, device). */
    if (wine::NTSTATUS status = wine::server_handle_to_fd(handle, 0, &fd, &options))
        return {0, 0, status == wine::STATUS_INVALID_HANDLE ? SlotKind::empty : SlotKind::other};
    ProbeResult r = {0, 0, SlotKind::other};
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode))
    {
        r = {(uint64_t)st.st_ino, 0, SlotKind::socket};
        uint64_t cookie = 0;
        socklen_t len = sizeof(cookie);
        if (!getsockopt(fd, SOL_SOCKET, SO_COOKIE, &cookie, &len) && len == sizeof(cookie)) r.cookie = cookie;
    }
    close(fd);
    return r;
}

void WineHandleSource::probe(const HandleRef *refs, size_t count, ProbeResult *out)
{
    uint32_t self = own_pid();
    uint32_t open_pid = 0;
    wine::HANDLE process = nullptr;
    for (size_t i = 0; i < count; i++)
    {
        out[i] = {0, 0, SlotKind::empty};
        wine::HANDLE handle = (wine::HANDLE)(uintptr_t)refs[i].handle;
        if (refs[i].pid == self)
        {
            out[i] = socket_of(handle); /* our own handle: no duplicate needed */
            continue;
        }
        if (refs[i].pid != open_pid) /* refs come grouped by process */
        {
            if (process) wine::close_handle(process);
            process = nullptr;
            open_pid = refs[i].pid;
            process = open_windows_process(open_pid, wine::PROCESS_DUP_HANDLE);
        }
        if (!process) continue;
        wine::HANDLE dup = nullptr;
        /* An empty slot fails here: the server bounds-checks the handle value. */
        if (wine::duplicate_object(process, handle, wine::current_process(), &dup, 0, 0, wine::DUPLICATE_SAME_ACCESS))
            continue;
        out[i] = socket_of(dup);
        wine::close_handle(dup);
    }
    if (process) wine::close_handle(process);
}

uint64_t WineHandleSource::now_ms()
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static bool is_wineserver(int pid)
{
    char path[64], comm[32] = "";
    snprintf(path, sizeof(path), "/proc/%d/comm", pid);
    FILE *f = fopen(path, "re");
    if (!f) return false;
    bool found = fgets(comm, sizeof(comm), f) && !strncmp(comm, "wineserver", 10);
    fclose(f);
    return found;
}

/* The prefix directory ($WINEPREFIX, else ~/.wine), as Wine finds it. */
static bool prefix_stat(struct stat &st)
{
    const char *prefix = getenv("WINEPREFIX");
    std::string path;
    if (prefix && *prefix)
        path = prefix;
    else if (const char *home = getenv("HOME"))
        path = std::string(home) + "/.wine";
    else
        return false;
    return stat(path.c_str(), &st) == 0;
}

/* The server directory this prefix's wineserver works in: "server-DEV-INO" of the prefix
 * (wineserver chdirs there; the directory above it differs between Wine versions). */
static bool server_dir_name(char *name, size_t size)
{
    struct stat st;
    if (!prefix_stat(st)) return false;
    snprintf(name, size, "server-%llx-%llx", (unsigned long long)st.st_dev, (unsigned long long)st.st_ino);
    return true;
}

/* The holder of the lock wineserver keeps on the "lock" file of its server directory (it takes
 * it with F_SETLK at start-up so that a second server for the prefix refuses to run), which
 * F_GETLK names. The directory is found without knowing where this Wine keeps it (Debian's
 * Wines use $TMPDIR/wine-XXXXXX/server-DEV-INO, upstream /tmp/.wine-UID/server-DEV-INO): every
 * Wine process maps the shared user data page (0x7ffe0000, both bitnesses) from a file the server
 * made in that directory, and /proc/self/map_files names that file. Checked on Wine 8.0 and 10.0;
 * three system calls where the scan of /proc below took about 0.7 ms. 0 when not found. */
static int server_lock_holder(const char *want)
{
    char path[PATH_MAX];
    ssize_t n = readlink("/proc/self/map_files/7ffe0000-7ffe1000", path, sizeof(path) - 1);
    if (n <= 0) return 0;
    path[n] = 0;
    char *slash = strrchr(path, '/'); /* .../server-DEV-INO/tmpmap-XXXXXXXX (deleted) */
    if (!slash) return 0;
    *slash = 0;
    const char *dir = strrchr(path, '/');
    if (!dir || strcmp(dir + 1, want)) return 0; /* another prefix's server directory: not ours */
    strcpy(slash, "/lock");
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return 0;
    struct flock lock = {};
    lock.l_type = F_WRLCK;
    lock.l_whence = SEEK_SET;
    int pid = !fcntl(fd, F_GETLK, &lock) && lock.l_type != F_UNLCK && lock.l_pid > 0 ? lock.l_pid : 0;
    close(fd); /* releases no lock of wineserver's: POSIX locks belong to the process holding them */
    return pid;
}

/* Finds this prefix's wineserver: the holder of its server directory's lock (above); else the
 * peer of the Unix socket this process sends its server requests over (SO_PEERCRED; Wine 8.0,
 * on Wine 10.0 that socket comes from a socketpair the client made itself and the peer reads as
 * the client's own loader); else the wineserver process whose working directory is this prefix's
 * server directory (a scan of /proc). */
int WineHandleSource::wineserver_pid()
{
    if (server_pid_) return server_pid_;
    server_pid_ = -1;
    char want[96];
    bool named = server_dir_name(want, sizeof(want));
    if (named)
    {
        int pid = server_lock_holder(want);
        if (pid > 0 && is_wineserver(pid)) return server_pid_ = pid;
    }
    if (DIR *dir = opendir("/proc/self/fd"))
    {
        while (struct dirent *entry = readdir(dir))
        {
            int fd = atoi(entry->d_name);
            struct ucred cred;
            socklen_t len = sizeof(cred);
            if (fd <= 2 || getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) || cred.pid <= 0) continue;
            if (is_wineserver(cred.pid))
            {
                server_pid_ = cred.pid;
                break;
            }
        }
        closedir(dir);
    }
    if (server_pid_ > 0 || !named) return server_pid_;
    if (DIR *proc = opendir("/proc"))
    {
        while (struct dirent *entry = readdir(proc))
        {
            int pid = atoi(entry->d_name);
            if (pid <= 0 || !is_wineserver(pid)) continue;
            char path[64], cwd[PATH_MAX];
            snprintf(path, sizeof(path), "/proc/%d/cwd", pid);
            ssize_t n = readlink(path, cwd, sizeof(cwd) - 1);
            if (n <= 0) continue;
            cwd[n] = 0;
            const char *base = strrchr(cwd, '/');
            if (!strcmp(base ? base + 1 : cwd, want))
            {
                server_pid_ = pid;
                break;
            }
        }
        closedir(proc);
    }
    return server_pid_;
}

/* The wineserver instance: the prefix, and the server's PID with its start time (field 22 of
 * /proc/PID/stat, in clock ticks since boot), so that a restarted server or a reused PID never
 * matches a map made under another instance. */
bool WineHandleSource::server_identity(ServerIdentity &out)
{
    int pid = wineserver_pid();
    struct stat st;
    if (pid <= 0 || !prefix_stat(st)) return false;
    const uint64_t start = process_start_time(pid);
    if (!start) return false;
    out.prefix_dev = (uint64_t)st.st_dev;
    out.prefix_ino = (uint64_t)st.st_ino;
    out.server_pid = (uint64_t)pid;
    out.server_start = start;
    return true;
}

bool WineHandleSource::wine_socket_inodes(std::vector<uint64_t> &out)
{
    int pid = wineserver_pid();
    if (pid <= 0) return false;
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/fd", pid);
    int dirfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dirfd < 0)
    {
        server_pid_ = 0; /* gone (the server was restarted): look for it again next time */
        return false;
    }
    DIR *dir = fdopendir(dirfd);
    if (!dir)
    {
        close(dirfd);
        return false;
    }
    while (struct dirent *entry = readdir(dir))
    {
        char link[64];
        ssize_t n = readlinkat(dirfd, entry->d_name, link, sizeof(link) - 1);
        if (n < 9 || memcmp(link, "socket:[", 8)) continue;
        link[n] = 0;
        out.push_back(strtoull(link + 8, nullptr, 10));
    }
    closedir(dir);
    std::sort(out.begin(), out.end());
    return true;
}

} // namespace iphlp
