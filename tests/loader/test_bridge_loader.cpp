// SPDX-License-Identifier: LGPL-2.1-or-later
/* The loader Wine attaches (unix/bridge_loader.c), without Wine: a copy of it in a directory of
 * its own, beside no Unix side, a fake one of this build, one of another build, and one that
 * needs a library that is not there. It answers build_id itself, forwards each call to the entry
 * of the same index, loads once however many threads make the first call, and otherwise answers
 * STATUS_DLL_NOT_FOUND with load_status naming what failed in dlerror()'s words.
 * Usage: test_bridge_loader LOADER_SO OWN_SO OTHER_SO NEEDS_MISSING_SO */
#include <dlfcn.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "iphlp_build_id.h"
#include "unixlib.h"

/* Last: cmocka's macros (fail, ...) would clash with the standard headers. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
extern "C" {
#include <cmocka.h>
}

namespace {

using Entry = int32_t (*)(void *);
constexpr int32_t STATUS_DLL_NOT_FOUND = (int32_t)0xc0000135;
constexpr int32_t FAKE_ANSWER = 0x1000; /* tests/loader/CMakeLists.txt */

const char *loader_so, *own_so, *other_so, *needs_missing_so;

/* A directory holding a copy of the loader and, if given, UNIX_SIDE as iphlp-unix.so. A copy
 * has an inode of its own, so dlopen() loads a fresh instance (fresh pthread_once) per test. */
struct LoaderCopy
{
    std::string dir;
    void *lib = nullptr;
    const Entry *table = nullptr;

    explicit LoaderCopy(const char *unix_side)
    {
        const char *tmp = getenv("TMPDIR");
        std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/iphlp-loader-XXXXXX";
        assert_non_null(mkdtemp(pattern.data()));
        dir = pattern;
        copy(loader_so, dir + "/iphlpbridge.so");
        if (unix_side) copy(unix_side, dir + "/iphlp-unix.so");
        lib = dlopen((dir + "/iphlpbridge.so").c_str(), RTLD_NOW | RTLD_LOCAL);
        assert_non_null(lib);
        table = reinterpret_cast<const Entry *>(dlsym(lib, "__wine_unix_call_funcs"));
        assert_non_null(table);
    }
    ~LoaderCopy()
    {
        unlink((dir + "/iphlpbridge.so").c_str());
        unlink((dir + "/iphlp-unix.so").c_str());
        rmdir(dir.c_str());
    }
    static void copy(const char *from, const std::string &to)
    {
        std::ifstream in(from, std::ios::binary);
        std::ofstream out(to, std::ios::binary);
        out << in.rdbuf();
        assert_true(in.good() && out.good());
    }
    int32_t call(unsigned func, void *args = nullptr) const { return table[func](args); }
    std::string load_status(int32_t *status) const
    {
        iphlp_load_status_params p;
        memset(&p, 'x', sizeof(p));
        *status = call(unix_load_status, &p);
        assert_non_null(memchr(p.text, 0, sizeof(p.text)));
        return p.text;
    }
};

bool contains(const std::string &text, const std::string &part) { return text.find(part) != std::string::npos; }

void test_build_id_is_the_loaders_own(void **)
{
    LoaderCopy copy(other_so); /* answered without loading, so the Unix side's build is not asked */
    iphlp_build_id_params id = {};
    assert_int_equal(copy.call(unix_build_id, &id), 0);
    assert_string_equal(id.id, IPHLP_BUILD_ID);
}

void test_forwards_each_call_to_its_entry(void **)
{
    LoaderCopy copy(own_so);
    int32_t status;
    assert_string_equal(copy.load_status(&status).c_str(), "");
    assert_int_equal(status, 0);
    assert_int_equal(copy.call(unix_socket_table), FAKE_ANSWER + unix_socket_table);
    assert_int_equal(copy.call(unix_winsock_release), FAKE_ANSWER + unix_winsock_release);
}

void test_one_load_for_concurrent_first_calls(void **)
{
    LoaderCopy copy(own_so);
    std::vector<int32_t> answers(8);
    std::vector<std::thread> threads;
    for (size_t i = 0; i < answers.size(); i++)
        threads.emplace_back([&, i] { answers[i] = copy.call(unix_reservation_list); });
    for (auto &t : threads) t.join();
    for (int32_t a : answers) assert_int_equal(a, FAKE_ANSWER + unix_reservation_list);
    void *unix_side = dlopen((copy.dir + "/iphlp-unix.so").c_str(), RTLD_NOW | RTLD_NOLOAD);
    assert_non_null(unix_side);
    auto *loads = static_cast<int *>(dlsym(unix_side, "fake_loads"));
    assert_non_null(loads);
    assert_int_equal(*loads, 1);
    dlclose(unix_side);
}

void test_missing_unix_side_is_named(void **)
{
    LoaderCopy copy(nullptr);
    int32_t status;
    const std::string text = copy.load_status(&status);
    assert_int_equal(status, STATUS_DLL_NOT_FOUND);
    assert_true(contains(text, copy.dir + "/iphlp-unix.so: cannot open shared object file"));
    assert_int_equal(copy.call(unix_socket_table), STATUS_DLL_NOT_FOUND);
}

void test_missing_library_is_named(void **)
{
    LoaderCopy copy(needs_missing_so);
    int32_t status;
    const std::string text = copy.load_status(&status);
    assert_int_equal(status, STATUS_DLL_NOT_FOUND);
    assert_true(contains(text, copy.dir + "/iphlp-unix.so: libiphlp_test_missing.so: cannot open shared object file"));
    assert_int_equal(copy.call(unix_reservation_create), STATUS_DLL_NOT_FOUND);
    /* The reason stays: every later caller (iphlpapi.dll after the companion) reads the same. */
    assert_string_equal(copy.load_status(&status).c_str(), text.c_str());
}

void test_unix_side_of_another_build_is_refused(void **)
{
    LoaderCopy copy(other_so);
    int32_t status;
    const std::string text = copy.load_status(&status);
    assert_int_equal(status, STATUS_DLL_NOT_FOUND);
    assert_true(contains(text, "is build 'other-build', iphlpbridge.so is build '" IPHLP_BUILD_ID "'"));
    assert_int_equal(copy.call(unix_socket_table), STATUS_DLL_NOT_FOUND);
}

} // namespace

int main(int argc, char **argv)
{
    if (argc != 5)
    {
        fprintf(stderr, "usage: test_bridge_loader LOADER_SO OWN_SO OTHER_SO NEEDS_MISSING_SO\n");
        return 2;
    }
    loader_so = argv[1], own_so = argv[2], other_so = argv[3], needs_missing_so = argv[4];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_build_id_is_the_loaders_own),
        cmocka_unit_test(test_forwards_each_call_to_its_entry),
        cmocka_unit_test(test_one_load_for_concurrent_first_calls),
        cmocka_unit_test(test_missing_unix_side_is_named),
        cmocka_unit_test(test_missing_library_is_named),
        cmocka_unit_test(test_unix_side_of_another_build_is_refused),
    };
    return cmocka_run_group_tests(tests, nullptr, nullptr);
}
