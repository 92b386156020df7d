// SPDX-License-Identifier: LGPL-2.1-or-later
/* The kernel list's lock; the rules are in reservation_lock.h. */
#include "reservation_lock.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <fcntl.h>
#include <pthread.h>
#include <ctime>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kernel_reserved_ports.h"
#include "private_dir.h"
#include "reservation_rules.h"

namespace iphlp {

namespace {

void report_lock(const std::string &path, const std::string &reason)
{
    fprintf(stderr, "iphlp: kernel port list lock %s: %s\n", path.c_str(), reason.c_str());
}

/* The lock's directory (private_dir.h), with what went wrong on stderr. */
int open_dir(const std::string &dir)
{
    int fd = open_private_dir(AT_FDCWD, dir.c_str());
    if (fd < 0)
        report_lock(dir, errno == EPERM
                             ? "the directory is not owned by this user or is writable by others; not using it"
                             : std::string("cannot create or open the directory: ") + strerror(errno));
    return fd;
}

/* The helper of wait_for_lock(): blocks in the kernel's queue for the lock. F_OFD_SETLKW, unlike
 * flock(), is a cancellation point, so the waiting thread can end it when the time is up. */
struct LockWait
{
    int fd;
    int rc = -1, err = 0;
};

void *block_for_lock(void *arg)
{
    auto *wait = static_cast<LockWait *>(arg);
    struct flock range = {};
    range.l_type = F_WRLCK;
    range.l_whence = SEEK_SET;
    int rc;
    while ((rc = fcntl(wait->fd, F_OFD_SETLKW, &range)) != 0 && errno == EINTR)
    {}
    wait->err = errno;
    wait->rc = rc;
    return nullptr;
}

struct timespec deadline_in(int ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += long(ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L)
    {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    return ts;
}

bool before(const struct timespec &deadline)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return now.tv_sec < deadline.tv_sec || (now.tv_sec == deadline.tv_sec && now.tv_nsec < deadline.tv_nsec);
}

/*
 * Takes the lock on fd within timeout_ms. Two locks, both released by close() and by the death
 * of the holder: an OFD lock, which waiters of this version queue for in the kernel (polling
 * starved waiters: with 8 processes making 1,000 writes each, some waited past 3 s while the
 * others kept winning), and the flock() that versions before it take, polled for the rest of the
 * time (only a process of an older version can hold it while we hold the OFD lock).
 *
 * The OFD wait runs in a helper thread joined with a deadline. When the time is up the helper is
 * cancelled (F_OFD_SETLKW is a cancellation point) and joined, so neither a thread nor the
 * descriptor outlives the call: a detached helper that closed the descriptor only when it got
 * the lock left both behind for as long as the holder held it.
 */
uint32_t wait_for_lock(int fd, const std::string &path, int timeout_ms, bool &fd_kept)
{
    fd_kept = true;
    const struct timespec deadline = deadline_in(timeout_ms);
    struct flock range = {};
    range.l_type = F_WRLCK;
    range.l_whence = SEEK_SET;
    if (fcntl(fd, F_OFD_SETLK, &range) != 0)
    {
        if (errno != EAGAIN && errno != EACCES && errno != EINTR)
        {
            report_lock(path, std::string("cannot lock it: ") + strerror(errno));
            return WIN_ERROR_ACCESS_DENIED;
        }
        auto *wait = new (std::nothrow) LockWait{fd};
        pthread_t helper;
        if (!wait || pthread_create(&helper, nullptr, block_for_lock, wait) != 0)
        {
            delete wait;
            report_lock(path, "cannot start a thread to wait for it");
            return WIN_ERROR_ACCESS_DENIED;
        }
        void *result = nullptr;
        if (pthread_clockjoin_np(helper, &result, CLOCK_MONOTONIC, &deadline) != 0)
        {
            pthread_cancel(helper);
            /* Cancellation interrupts the wait at once; the bound only guards against a
             * thread that somehow cannot be cancelled, which is then left to finish alone. */
            const struct timespec grace = deadline_in(1000);
            if (pthread_clockjoin_np(helper, &result, CLOCK_MONOTONIC, &grace) != 0)
            {
                pthread_detach(helper); /* it still uses wait and fd: both are left to it */
                fd_kept = false;
                report_lock(path, "the thread waiting for it cannot be ended");
                return WIN_ERROR_TIMEOUT;
            }
        }
        const int rc = wait->rc, err = wait->err;
        delete wait;
        if (result == PTHREAD_CANCELED)
        {
            report_lock(path, "still held by another process after " + std::to_string(timeout_ms) + " ms; giving up");
            return WIN_ERROR_TIMEOUT;
        }
        if (rc != 0)
        {
            report_lock(path, std::string("cannot lock it: ") + strerror(err));
            return WIN_ERROR_ACCESS_DENIED;
        }
    }
    for (useconds_t pause = 1000; flock(fd, LOCK_EX | LOCK_NB) != 0;)
    {
        if (errno != EWOULDBLOCK && errno != EINTR)
        {
            report_lock(path, std::string("cannot lock it: ") + strerror(errno));
            return WIN_ERROR_ACCESS_DENIED;
        }
        if (!before(deadline))
        {
            report_lock(path, "still held by another process after " + std::to_string(timeout_ms) + " ms; giving up");
            return WIN_ERROR_TIMEOUT;
        }
        usleep(pause);
        pause = pause < 50000 ? pause * 2 : pause;
    }
    return WIN_NO_ERROR;
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

std::string default_lock_dir() { return runtime_dir(); }

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
    bool fd_kept = true;
    uint32_t code = wait_for_lock(fd, path, timeout_ms, fd_kept);
    if (code != WIN_NO_ERROR)
    {
        if (fd_kept) close(fd);
        return code;
    }
    fd_ = fd;
    return WIN_NO_ERROR;
}

} // namespace iphlp
