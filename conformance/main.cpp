// SPDX-License-Identifier: LGPL-2.1-or-later
#include "harness.h"

#include <cstdlib>
#include <cstring>

static LONG passed, failed, todo;
static bool expect_builtin;
/* Nesting of todo_if() blocks, and whether any level expects a failure. Checks run on the main
 * thread only; children report through pipes. */
static int todo_depth, todo_expected_depth;

void todo_push(bool expected_to_fail)
{
    todo_depth++;
    if (expected_to_fail && !todo_expected_depth) todo_expected_depth = todo_depth;
}

void todo_pop()
{
    if (todo_expected_depth == todo_depth) todo_expected_depth = 0;
    todo_depth--;
}

static void report(const char *file, int line, const char *what, const char *fmt, va_list args)
{
    printf("%s:%d: %s: ", file, line, what);
    vprintf(fmt, args);
    printf("\n");
    fflush(stdout);
}

void ok_at(const char *file, int line, bool condition, const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    if (todo_expected_depth)
    {
        if (condition)
        {
            InterlockedIncrement(&failed);
            report(file, line, "Test succeeded inside todo block", fmt, args);
        }
        else
        {
            InterlockedIncrement(&todo);
            report(file, line, "Test marked todo", fmt, args);
        }
    }
    else if (condition)
        InterlockedIncrement(&passed);
    else
    {
        InterlockedIncrement(&failed);
        report(file, line, "Test failed", fmt, args);
    }
    va_end(args);
}

void skip_at(const char *file, int line, const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    printf("%s:%d: Tests skipped: ", file, line);
    vprintf(fmt, args);
    printf("\n");
    va_end(args);
}

bool builtin_wine() { return expect_builtin; }

bool running_on_wine() { return GetProcAddress(GetModuleHandleA("ntdll.dll"), "wine_get_version") != nullptr; }

bool builtin_wine_before(int major)
{
    using version_fn = const char *(CDECL *)(void);
    static const auto get = (version_fn)(void *)GetProcAddress(GetModuleHandleA("ntdll.dll"), "wine_get_version");
    return expect_builtin && get && atoi(get()) < major;
}

struct Suite
{
    const ConformanceTest *tests;
    bool by_name_only;
};
static const Suite suites[] = {{tcp_table2_tests, false},         {reservation_tests, false},
                               {forwarded_tests, false},          {extended_table_tests, false},
                               {tcp_estats_tests, false},         {reservation_persist_tests, true},
                               {winsock_reservation_tests, false}};

int main(int argc, char **argv)
{
    setvbuf(stdout, nullptr, _IONBF, 0);
    WSADATA wsa;
    WSAStartup(MAKEWORD(2, 2), &wsa);
    if (argc > 1 && !strcmp(argv[1], "child")) return child_main(argc - 2, argv + 2);
    /* "--expect builtin": the known failures of Wine's own iphlpapi.dll are expected (todo). */
    if (argc > 2 && !strcmp(argv[1], "--expect"))
    {
        if (strcmp(argv[2], "builtin"))
        {
            printf("unknown expectation set '%s' (known: builtin)\n", argv[2]);
            return 2;
        }
        expect_builtin = true;
        argc -= 2;
        argv += 2;
    }

    /* "conformance [test ...]": run the named tests, or all of them. A name that matches no
     * test is a failure: a misspelt list must not pass by running nothing. */
    for (int i = 1; i < argc; i++)
    {
        bool known = false;
        for (const Suite &s : suites)
            for (const ConformanceTest *t = s.tests; t->name; t++) known |= !strcmp(argv[i], t->name);
        ok(known, "unknown test '%s'", argv[i]);
    }
    for (const Suite &s : suites)
    {
        for (const ConformanceTest *t = s.tests; t->name; t++)
        {
            bool wanted = argc < 2 && !s.by_name_only;
            for (int i = 1; i < argc; i++) wanted |= !strcmp(argv[i], t->name);
            if (!wanted) continue;
            printf("--- %s\n", t->name);
            t->run();
        }
    }
    if (expect_builtin) printf("expected failures of Wine's builtin (todo): %ld\n", (long)todo);
    printf("conformance: %ld passed, %ld failed\n", (long)passed, (long)failed);
    WSACleanup();
    return failed ? 1 : 0;
}
