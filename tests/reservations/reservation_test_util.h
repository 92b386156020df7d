// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Shared fixtures of the reservation store tests: a private temporary directory holding the
 * store, a fake boot id and a fake kernel reserved-port list; stderr capture; file snapshots;
 * running code in a forked child.
 */
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <sys/stat.h>
#include <vector>

#include "kernel_reserved_ports.h"
#include "reservation_rules.h"

namespace restest {

/* A fresh mkdtemp directory with dir/store.sqlite3 (not created), dir/boot_id and
 * dir/reserved_ports (both created). The destructor removes the directory tree. */
struct Fixture
{
    explicit Fixture(const std::string &kernel_ports = "",
                     const std::string &boot_id = "11111111-2222-3333-4444-555555555555");
    ~Fixture();
    Fixture(const Fixture &) = delete;
    Fixture &operator=(const Fixture &) = delete;

    std::string dir;
    iphlp::StoreConfig cfg;
};

void write_file(const std::string &path, const std::string &content);
std::string read_file(const std::string &path);
bool file_exists(const std::string &path);
void remove_tree(const std::string &path);

/* The bytes, size and mtime of a file, to prove it was left alone. */
struct Snapshot
{
    bool exists = false;
    std::string bytes;
    struct timespec mtime = {};
    mode_t mode = 0;
};
Snapshot snapshot(const std::string &path);
bool same(const Snapshot &a, const Snapshot &b);

/* Redirects fd 2 into a temporary file until text() is called. The file is opened at
 * construction, so a child may drop privileges after that and still write to it. */
class StderrCapture
{
  public:
    StderrCapture();
    ~StderrCapture();
    std::string text(); /* restores stderr and returns what was written */

  private:
    int saved_ = -1;
    int file_ = -1;
};

/* Runs fn in a forked child and returns its exit status (fn's return value), or 128+signal.
 * CMocka's assertions must not run in a child (they would unwind into the child's copy of the
 * test runner), so children report through their exit status. */
int run_in_child(const std::function<int()> &fn);

/* Drops root for nobody (65534), for tests of permissions (root ignores mode bits). */
bool become_nobody();

/* A test that needs root (to become nobody, or to own what it checks): for another user it
 * says so on stdout and is skipped, and test_exit() makes the program exit 77, CTest's skip
 * (SKIP_RETURN_CODE), when nothing failed: never a failure, never a silent pass. */
void note_root_skip(const char *why);
int test_exit(int failures);
#define RESTEST_REQUIRE_ROOT(why)                                                                                      \
    do {                                                                                                               \
        if (geteuid() != 0)                                                                                            \
        {                                                                                                              \
            restest::note_root_skip(why);                                                                              \
            skip();                                                                                                    \
        }                                                                                                              \
    } while (0)

/* The last start..end of each reservation must not reach the next one's start. */
bool disjoint(const std::vector<iphlp::Reservation> &sorted);

/* Moves the whole test process into a new, empty network namespace (unshare(CLONE_NEWNET)), so
 * that KERNEL_LIST_PATH is a private list and the host's is never touched. false when not
 * permitted (not root): tests of the real list then skip (RESTEST_REQUIRE_PRIVATE_LIST). */
bool enter_private_netns();

/* The real kernel list: private to this program once enter_private_netns() succeeded. */
extern const char KERNEL_LIST_PATH[];

/* An administrator's list as a report had it: 1,500 separate ports, every other one from 10001
 * (9,000 bytes of text). */
iphlp::PortSet admin_ports();

/* Makes the real list exactly PORTS; false when it cannot be read or written. */
bool set_kernel_list(const iphlp::PortSet &ports);

/* enter_private_netns() succeeded in this process and the list there is writable. */
bool private_list_available();
#define RESTEST_REQUIRE_PRIVATE_LIST()                                                                                 \
    do {                                                                                                               \
        if (!restest::private_list_available())                                                                        \
        {                                                                                                              \
            restest::note_root_skip("writes the real ip_local_reserved_ports of a private network namespace");         \
            skip();                                                                                                    \
        }                                                                                                              \
    } while (0)

/* The ports the store records as added by itself to the kernel list, for the fixture's boot id
 * and this process's network namespace ("" when none recorded). */
std::string owned_ports(const iphlp::StoreConfig &cfg);

/* A random boot id in the kernel's format. */
std::string random_boot_id(uint64_t seed);

} // namespace restest
