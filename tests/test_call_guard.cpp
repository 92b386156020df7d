// SPDX-License-Identifier: LGPL-2.1-or-later
/* The exception barrier of the unix-call entries (unix/call_guard.h): whatever an entry throws
 * becomes a status, and nothing unwinds out of the call. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
extern "C" {
#include <cmocka.h>
}

#include <new>
#include <stdexcept>

#include "call_guard.h"

using namespace iphlp;

static wine::NTSTATUS answers(void *args) { return *static_cast<wine::NTSTATUS *>(args); }
static wine::NTSTATUS runs_out_of_memory(void *) { throw std::bad_alloc(); }
static wine::NTSTATUS fails(void *) { throw std::runtime_error("a test failure"); }
static wine::NTSTATUS throws_anything(void *) { throw 42; }

static void test_passes_answers_through(void **)
{
    wine::NTSTATUS status = wine::STATUS_BUFFER_OVERFLOW;
    assert_int_equal(guarded<answers>(&status), wine::STATUS_BUFFER_OVERFLOW);
}

static void test_bad_alloc_is_no_memory(void **)
{
    assert_int_equal(guarded<runs_out_of_memory>(nullptr), wine::STATUS_NO_MEMORY);
}

static void test_other_exceptions_are_internal_errors(void **)
{
    assert_int_equal(guarded<fails>(nullptr), wine::STATUS_INTERNAL_ERROR);
    assert_int_equal(guarded<throws_anything>(nullptr), wine::STATUS_INTERNAL_ERROR);
}

static_assert(noexcept(guarded<fails>(nullptr)), "the barrier itself never throws");

int main()
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_passes_answers_through),
        cmocka_unit_test(test_bad_alloc_is_no_memory),
        cmocka_unit_test(test_other_exceptions_are_internal_errors),
    };
    return cmocka_run_group_tests(tests, nullptr, nullptr);
}
