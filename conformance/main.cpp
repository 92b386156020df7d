#include "harness.h"

#include <cstring>

static LONG passed, failed;

void ok_at(const char *file, int line, bool condition, const char *fmt, ...)
{
    if (condition)
    {
        InterlockedIncrement(&passed);
        return;
    }
    InterlockedIncrement(&failed);
    va_list args;
    va_start(args, fmt);
    printf("%s:%d: Test failed: ", file, line);
    vprintf(fmt, args);
    printf("\n");
    va_end(args);
    fflush(stdout);
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

bool running_on_wine()
{
    return GetProcAddress(GetModuleHandleA("ntdll.dll"), "wine_get_version") != nullptr;
}

struct suite
{
    const conformance_test *tests;
    bool by_name_only;
};
static const suite suites[] = {{tcp_table2_tests, false}, {reservation_tests, false}, {forwarded_tests, false}, {extended_table_tests, false}, {tcp_estats_tests, false}, {reservation_persist_tests, true}};

int main(int argc, char **argv)
{
    setvbuf(stdout, nullptr, _IONBF, 0);
    WSADATA wsa;
    WSAStartup(MAKEWORD(2, 2), &wsa);
    if (argc > 1 && !strcmp(argv[1], "child")) return child_main(argc - 2, argv + 2);

    /* "conformance [test ...]": run the named tests, or all of them. A name that matches no
     * test is a failure: a misspelt list must not pass by running nothing. */
    for (int i = 1; i < argc; i++)
    {
        bool known = false;
        for (const suite &s : suites)
            for (const conformance_test *t = s.tests; t->name; t++) known |= !strcmp(argv[i], t->name);
        ok(known, "unknown test '%s'", argv[i]);
    }
    for (const suite &s : suites)
    {
        for (const conformance_test *t = s.tests; t->name; t++)
        {
            bool wanted = argc < 2 && !s.by_name_only;
            for (int i = 1; i < argc; i++) wanted |= !strcmp(argv[i], t->name);
            if (!wanted) continue;
            printf("--- %s\n", t->name);
            t->run();
        }
    }
    printf("conformance: %ld passed, %ld failed\n", (long)passed, (long)failed);
    WSACleanup();
    return failed ? 1 : 0;
}
