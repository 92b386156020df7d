// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The lock that serialises read-merge-writes of the kernel's reserved port list between
 * processes (several prefixes, several stores, several users with CAP_NET_ADMIN share one list
 * per network namespace; the store's own transaction only serialises one store).
 *
 * What it must not allow (as a 0644 file in /run/lock opened O_RDWR|O_CREAT without O_NOFOLLOW
 * would): another user holding it (every Create then hung), or
 * redirecting it (a planted symlink made root create a file elsewhere), or a non-file at the
 * path silently disabling it. Hence:
 *  - it lives in a directory only its user can write: /run/iphlp for root (created 0755, must
 *    be owned by root and writable by nobody else), otherwise $XDG_RUNTIME_DIR/iphlp or
 *    /tmp/iphlp-UID (created 0700, must be owned by that user, not group/other writable);
 *  - the file is opened relative to that directory with O_NOFOLLOW, created 0600, and must be a
 *    regular file owned by the caller;
 *  - waiting is bounded (LIST_LOCK_TIMEOUT_MS), after which the call fails with ERROR_TIMEOUT and
 *    a message on stderr instead of hanging (a helper thread blocks for an OFD lock, so
 *    waiters are served in the kernel's order, and is cancelled and joined at the deadline, so
 *    a timed-out call leaves no thread or descriptor behind; see wait_for_lock());
 *  - it is taken before the store's mutex and before BEGIN IMMEDIATE, so a process waiting for
 *    it holds neither the SQLite write lock nor anything fork() waits for.
 */
#pragma once

#include <cstdint>
#include <string>

#include "kernel_reserved_ports.h"

namespace iphlp {

constexpr int LIST_LOCK_TIMEOUT_MS = 3000;

/* The lock directory for this user: /run/iphlp for euid 0, else per user. */
std::string default_lock_dir();

/*
 * A replace of the list is not atomic when it takes several writes (kernel_reserved_ports.h), and
 * a process killed between them leaves the list cut short. The store's own journal lets the next
 * call of the same store finish it; but the lock then passes to whoever comes next, maybe a
 * process of another prefix (another store), which would take the cut list for the real one. So
 * the target of each replace is also written, under the lock, to a file beside the lock (one per
 * network namespace), and every process that takes the lock first ORs a leftover target back into
 * the list. The file is removed once the replace is read back complete.
 */
bool journal_replace(const std::string &dir, const std::string &ns, const std::string &target_text);
void journal_done(const std::string &dir, const std::string &ns);
/* Finishes a leftover replace of namespace ns on the list at list_path (additions only). */
void journal_finish(const std::string &dir, const std::string &ns, const std::string &list_path,
                    const KernelWriteHook &hook = {});

class ListLock
{
  public:
    ListLock() = default;
    ~ListLock();
    ListLock(const ListLock &) = delete;
    ListLock &operator=(const ListLock &) = delete;

    /* Takes the lock dir/ip_local_reserved_ports.lock, creating dir and file as described
     * above. Returns 0 (WIN_NO_ERROR), WIN_ERROR_TIMEOUT after timeout_ms, or
     * WIN_ERROR_ACCESS_DENIED when the directory or file fails its checks; failures are
     * reported on stderr. */
    uint32_t acquire(const std::string &dir, int timeout_ms = LIST_LOCK_TIMEOUT_MS);
    bool held() const { return fd_ >= 0; }

  private:
    int fd_ = -1;
};

} // namespace iphlp
