// SPDX-License-Identifier: LGPL-2.1-or-later
/* The kernel list's lock; the rules are in reservation_lock.h. */
#include "reservation_lock.h"

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <system_error>
#include <thread>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kernel_reserved_ports.h"
#include "reservation_rules.h"

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

std::string journal_name(const std::string &ns)
{
    std::string name = "ip_local_reserved_ports." + ns + ".journal";
    for (char &c : name)
        if (c == '/' || c == ':') c = '_';
    return name;
}

} // namespace

bool journal_replace(const std::string &dir, const std::string &ns, const std::string &target_text)
{
    int dfd = open_dir(dir);
    if (dfd < 0) return false;
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
    if (!ok) report_lock(dir + "/" + name, std::string("cannot write the journal: ") + strerror(errno));
    close(dfd);
    return ok;
}

void journal_done(const std::string &dir, const std::string &ns)
{
    int dfd = open_dir(dir);
    if (dfd < 0) return;
    unlinkat(dfd, journal_name(ns).c_str(), 0);
    close(dfd);
}

void journal_finish(const std::string &dir, const std::string &ns, const std::string &list_path,
                    const KernelWriteHook &hook)
{
    int dfd = open_dir(dir);
    if (dfd < 0) return;
    const std::string name = journal_name(ns);
    int fd = openat(dfd, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    close(dfd);
    if (fd < 0) return; /* the normal case: nothing left over */
    std::string text;
    char buf[65536];
    ssize_t n;
    struct stat st;
    bool ours = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == geteuid();
    while (ours && (n = read(fd, buf, sizeof(buf))) > 0) text.append(buf, size_t(n));
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
    if (uid == 0) return "/run/iphlp";
    const char *runtime = getenv("XDG_RUNTIME_DIR");
    struct stat st;
    if (runtime && runtime[0] == '/' && stat(runtime, &st) == 0 && trusted_dir(st))
        return std::string(runtime) + "/iphlp";
    return "/tmp/iphlp-" + std::to_string(uid);
}

ListLock::~ListLock()
{
    if (fd_ >= 0) close(fd_); /* releases the flock */
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
    if (dfd < 0) return WIN_ERROR_ACCESS_DENIED;
    int fd = openat(dfd, "ip_local_reserved_ports.lock", O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);
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
    /* flock has no timeout. Polling with LOCK_NB starved waiters: with 8 processes making 1,000
     * writes each, some waited past 3 s while the others kept winning the races. A blocked
     * flock waits in the kernel's queue instead, so under contention a helper thread blocks on it
     * while this one waits on a condition variable for at most timeout_ms. When the time is up,
     * the helper is left to finish on its own: it closes the descriptor (releasing the lock at
     * once) when it finally gets it. */
    if (flock(fd, LOCK_EX | LOCK_NB) != 0)
    {
        if (errno != EWOULDBLOCK && errno != EINTR)
        {
            report_lock(path, std::string("cannot lock it: ") + strerror(errno));
            close(fd);
            return WIN_ERROR_ACCESS_DENIED;
        }
        struct Wait
        {
            std::mutex mutex;
            std::condition_variable done_cv;
            bool done = false, locked = false, abandoned = false;
        };
        auto wait = std::make_shared<Wait>();
        try
        {
            std::thread([wait, fd] {
                int rc;
                while ((rc = flock(fd, LOCK_EX)) != 0 && errno == EINTR)
                    ;
                std::lock_guard<std::mutex> guard(wait->mutex);
                if (wait->abandoned)
                {
                    close(fd);
                    return;
                }
                wait->done = true;
                wait->locked = rc == 0;
                wait->done_cv.notify_one();
            }).detach();
        }
        catch (const std::system_error &)
        {
            report_lock(path, "cannot start a thread to wait for it");
            close(fd);
            return WIN_ERROR_ACCESS_DENIED;
        }
        std::unique_lock<std::mutex> guard(wait->mutex);
        if (!wait->done_cv.wait_for(guard, std::chrono::milliseconds(timeout_ms), [&] { return wait->done; }))
        {
            wait->abandoned = true; /* the helper owns fd from now on */
            report_lock(path, "still held by another process after " + std::to_string(timeout_ms) + " ms; giving up");
            return WIN_ERROR_TIMEOUT;
        }
        if (!wait->locked)
        {
            report_lock(path, "cannot lock it");
            close(fd);
            return WIN_ERROR_ACCESS_DENIED;
        }
    }
    fd_ = fd;
    return WIN_NO_ERROR;
}

} // namespace iphlp
