// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * A fault on the caller's memory during a reservation call must not leave the store's
 * process-wide mutex held. Were the token written while the mutex is held, a token (or
 * unix-call parameter block) on a read-only page would fault there, and every later
 * reservation call and every fork of the process would hang. Here the fault is caught with
 * siglongjmp, as Wine unwinds a faulting unix call, and the next calls must still return.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
extern "C" {
#include <cmocka.h>
}

#include <csetjmp>
#include <csignal>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "reservation_test_util.h"

using namespace iphlp;

namespace {

sigjmp_buf recover;

void on_fault(int) { siglongjmp(recover, 1); }

void fault_on_the_token_releases_the_store(void **)
{
    restest::Fixture fx;
    uint64_t token = 0;
    assert_int_equal(reservation_create(fx.cfg, IPHLP_TCP, 7000, 1, &token), WIN_NO_ERROR);
    int status = restest::run_in_child([&] {
        void *page = mmap(nullptr, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (page == MAP_FAILED) return 10;
        auto *read_only = static_cast<uint64_t *>(page);
        struct sigaction sa = {};
        sa.sa_handler = on_fault;
        sigaction(SIGSEGV, &sa, nullptr);
        int faults = 0;
        if (sigsetjmp(recover, 1) == 0)
            reservation_create(fx.cfg, IPHLP_TCP, 7001, 1, read_only);
        else
            faults++;
        if (sigsetjmp(recover, 1) == 0)
            reservation_lookup(fx.cfg, IPHLP_TCP, 7000, 1, read_only);
        else
            faults++;
        if (faults != 2) return 11;
        alarm(10); /* a hang is a failure, not a stuck test */
        uint64_t t = 0;
        if (reservation_lookup(fx.cfg, IPHLP_TCP, 7001, 1, &t) != WIN_NO_ERROR)
            return 12; /* the create that faulted on its token had done its work */
        if (reservation_delete(fx.cfg, IPHLP_TCP, 7001, 1) != WIN_NO_ERROR) return 13;
        pid_t pid = fork(); /* waits for the store mutex in the fork handler */
        if (pid == 0) _exit(0);
        return pid > 0 && waitpid(pid, nullptr, 0) == pid ? 0 : 14;
    });
    assert_int_equal(status, 0);
}

} // namespace

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fault_on_the_token_releases_the_store),
    };
    return cmocka_run_group_tests(tests, nullptr, nullptr);
}
