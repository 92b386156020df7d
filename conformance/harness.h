// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * A minimal harness in the style of Wine's conformance tests: ok(cond, fmt, ...) records a check
 * and prints failures as "file:line: Test failed: ..."; skip() says why a check could not run.
 * main() ends with the summary line "conformance: N passed, N failed". Runs unchanged on real
 * Windows and under Wine.
 *
 * Expected failures, as Wine's todo_wine: a check inside todo_if(cond) with cond true is
 * expected to fail. It then counts as "todo"; if it passes, that is a failure ("Test succeeded
 * inside todo block"), so a fixed bug cannot go unnoticed. The conditions name the
 * implementation under test: builtin_wine() is true when the run was started with
 * "--expect builtin" (Wine's own iphlpapi.dll is the one being checked), and
 * builtin_wine_before(10) also needs that Wine's version to be older than 10. Without
 * "--expect", no check is expected to fail.
 * broken(cond), as in Wine's tests, accepts behaviour of an implementation that the suite does not
 * hold against it (it is true only when that implementation is the one under test).
 */
#pragma once

#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>

#include <cstdarg>
#include <cstddef>
#include <cstdio>
#include <cstdlib>

struct ConformanceTest
{
    const char *name;
    void (*run)(void);
};

void ok_at(const char *file, int line, bool condition, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void skip_at(const char *file, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
#define ok(cond, ...) ok_at(__FILE__, __LINE__, (cond), __VA_ARGS__)
#define skip(...)     skip_at(__FILE__, __LINE__, __VA_ARGS__)

/* Expected failures (see the top of this file). */
void todo_push(bool expected_to_fail);
void todo_pop();
#define todo_if(cond) for (int todo_once_ = (todo_push(cond), 1); todo_once_; todo_pop(), todo_once_ = 0)
bool builtin_wine();                 /* "--expect builtin": Wine's own iphlpapi.dll is under test */
bool builtin_wine_before(int major); /* ... and that Wine is older than MAJOR.0 */
#define broken(cond) (builtin_wine() && (cond))
/* Running under Wine (ntdll exports wine_get_version)? For Wine's own quirks outside iphlpapi
 * (its Winsock, say), which no expectation set covers. */
bool running_on_wine();

/* The tests of each file, collected in main.cpp. */
extern const ConformanceTest tcp_table2_tests[];
extern const ConformanceTest reservation_tests[];
extern const ConformanceTest forwarded_tests[];
extern const ConformanceTest extended_table_tests[];
extern const ConformanceTest tcp_estats_tests[];
extern const ConformanceTest reservation_persist_tests[]; /* run only when named */
extern const ConformanceTest winsock_reservation_tests[];

/* Child processes for cross-process checks: this executable started as "child <role> ...". */
int child_main(int argc, char **argv);
int reservation_child(int argc, char **argv);
int estats_child(int argc, char **argv);
int winsock_child(int argc, char **argv);

/* The size loop every real caller writes: call(table, &size) from a NULL table and size 0 until
 * the buffer fits (the table may grow between the probe and the fill). Returns the filled table
 * (free() it) and its buffer's size in *size_out, or nullptr; the last error is in *err. */
template <class Call> void *fetch_table(Call call, DWORD *err, DWORD *size_out = nullptr)
{
    DWORD size = 0;
    void *table = nullptr;
    while ((*err = call(table, &size)) == ERROR_INSUFFICIENT_BUFFER)
    {
        free(table);
        table = malloc(size);
    }
    if (size_out) *size_out = size;
    if (*err == NO_ERROR) return table;
    free(table);
    return nullptr;
}

/* Helpers shared by the test files (sockets.cpp). */
SOCKET tcp_listener(int family, const char *address, unsigned short port, unsigned short *bound_port);
bool tcp_pair(int family, const char *address, SOCKET listener, unsigned short port, SOCKET *client, SOCKET *server);

/* Starts this program as a child with the given arguments; the child's stdout is a pipe the
 * caller reads with read_child_line(). With a token, the child is a copy of this program without
 * its manifest (see sockets.cpp), deleted again by stop_child(). */
struct ChildProcess
{
    PROCESS_INFORMATION info;
    HANDLE out;
    char copy[MAX_PATH];
};
bool start_child(const char *args, ChildProcess *child, HANDLE token = nullptr); /* token: run as it */
bool read_child_line(ChildProcess *child, char *line, size_t size);
void stop_child(ChildProcess *child);
