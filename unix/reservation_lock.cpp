/* The kernel list's lock; the rules are in reservation_lock.h. */
#include "reservation_lock.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kernel_reserved_ports.h"
#include "reservation_store.h"

namespace iphlp {

namespace {

void report_lock(const std::string &path, const std::string &reason)
{
    fprintf(stderr, "iphlp: kernel port list lock %s: %s\n", path.c_str(), reason.c_str());
}

/* A directory we may trust: ours, and nobody else can add, remove or rename entries in it. */
bool trusted_dir(const struct stat &st)
{
    return S_ISDIR(st.st_mode) && st.st_uid == geteuid() && (st.st_mode & (S_IWGRP | S_IWOTH)) == 0;
}

int open_dir(const std::string &dir)
{
    /* Created with the mode it must have; an existing one is checked, never chmod-ed (if someone
     * else made it, changing its mode would not make it ours). */
    if (mkdir(dir.c_str(), geteuid() == 0 ? 0755 : 0700) != 0 && errno != EEXIST)
    {
        report_lock(dir, std::string("cannot create the directory: ") + strerror(errno));
        return -1;
    }
    int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
    {
        report_lock(dir, std::string("cannot open the directory: ") + strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !trusted_dir(st))
    {
        report_lock(dir, "the directory is not owned by this user or is writable by others; not using it");
        close(fd);
        return -1;
    }
    return fd;
}

long long now_ms()
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

std::string journal_name(const std::string &ns)
{
    std::string name = "ip_local_reserved_ports." + ns + ".journal";
    for (char &c : name)
        if (c == '/' || c == ':')
            c = '_';
    return name;
}

} // namespace

bool journal_replace(const std::string &dir, const std::string &ns, const std::string &target_text)
{
    int dfd = open_dir(dir);
    if (dfd < 0)
        return false;
    const std::string name = journal_name(ns), tmp = name + ".tmp";
    /* Written beside and renamed, so a reader never sees half a journal. */
    int fd = openat(dfd, tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
    bool ok = fd >= 0;
    if (ok)
    {
        const std::string text = target_text + "\n";
        ok = write(fd, text.data(), text.size()) == ssize_t(text.size());
        ok = close(fd) == 0 && ok;
    }
    ok = ok && renameat(dfd, tmp.c_str(), dfd, name.c_str()) == 0;
    if (!ok)
        report_lock(dir + "/" + name, std::string("cannot write the journal: ") + strerror(errno));
    close(dfd);
    return ok;
}

void journal_done(const std::string &dir, const std::string &ns)
{
    int dfd = open_dir(dir);
    if (dfd < 0)
        return;
    unlinkat(dfd, journal_name(ns).c_str(), 0);
    close(dfd);
}

void journal_finish(const std::string &dir, const std::string &ns, const std::string &list_path,
                    const KernelWriteHook &hook)
{
    int dfd = open_dir(dir);
    if (dfd < 0)
        return;
    const std::string name = journal_name(ns);
    int fd = openat(dfd, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    close(dfd);
    if (fd < 0)
        return; /* the normal case: nothing left over */
    std::string text;
    char buf[65536];
    ssize_t n;
    struct stat st;
    bool ours = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == geteuid();
    while (ours && (n = read(fd, buf, sizeof(buf))) > 0)
        text.append(buf, size_t(n));
    close(fd);
    PortSet target, listed, after;
    if (ours && parse_port_list(text, target) && kernel_read(list_path, listed))
    {
        /* Everything written of the cut replace was part of target: ORing target completes it,
         * and adds back nothing anyone removed since (nobody could, without the lock). */
        if (!kernel_write(list_path, listed, listed | target, after, hook))
        {
            report_lock(dir + "/" + name, "cannot finish the interrupted update of " + list_path);
            return;
        }
        fprintf(stderr, "iphlp: %s: finished an update a killed process had left half done\n", list_path.c_str());
    }
    journal_done(dir, ns);
}

std::string default_lock_dir()
{
    uid_t uid = geteuid();
    if (uid == 0)
        return "/run/iphlp";
    const char *runtime = getenv("XDG_RUNTIME_DIR");
    struct stat st;
    if (runtime && runtime[0] == '/' && stat(runtime, &st) == 0 && trusted_dir(st))
        return std::string(runtime) + "/iphlp";
    return "/tmp/iphlp-" + std::to_string(uid);
}

ListLock::~ListLock()
{
    if (fd_ >= 0)
        close(fd_); /* releases the flock */
}

uint32_t ListLock::acquire(const std::string &dir, int timeout_ms)
{
    const std::string path = dir + "/ip_local_reserved_ports.lock";
    if (dir.empty() || dir[0] != '/')
    {
        report_lock(path, "no absolute lock directory configured");
        return WIN_ERROR_ACCESS_DENIED;
    }
    int dfd = open_dir(dir);
    if (dfd < 0)
        return WIN_ERROR_ACCESS_DENIED;
    int fd = openat(dfd, "ip_local_reserved_ports.lock", O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC,
                    0600);
    int err = errno;
    close(dfd);
    if (fd < 0)
    {
        report_lock(path, std::string("cannot open it: ") + strerror(err));
        return WIN_ERROR_ACCESS_DENIED;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid())
    {
        report_lock(path, "not a regular file of this user; not using it");
        close(fd);
        return WIN_ERROR_ACCESS_DENIED;
    }
    /* flock has no timeout: poll, starting fast (the lock is normally held for a few ms). */
    const long long deadline = now_ms() + timeout_ms;
    useconds_t pause = 200;
    while (flock(fd, LOCK_EX | LOCK_NB) != 0)
    {
        if (errno != EWOULDBLOCK && errno != EINTR)
        {
            report_lock(path, std::string("cannot lock it: ") + strerror(errno));
            close(fd);
            return WIN_ERROR_ACCESS_DENIED;
        }
        if (now_ms() >= deadline)
        {
            report_lock(path, "still held by another process after " + std::to_string(timeout_ms) +
                                  " ms; giving up");
            close(fd);
            return WIN_ERROR_TIMEOUT;
        }
        usleep(pause);
        if (pause < 20000)
            pause *= 2;
    }
    fd_ = fd;
    return WIN_NO_ERROR;
}

} // namespace iphlp
