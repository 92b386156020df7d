/*
 * A minimal harness in the style of Wine's conformance tests: ok(cond, fmt, ...) records a check
 * and prints failures as "file:line: Test failed: ..."; skip() says why a check could not run.
 * main() ends with the summary line "conformance: N passed, N failed". Runs unchanged on real
 * Windows and under Wine.
 */
#pragma once

#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>

#include <cstdarg>
#include <cstddef>
#include <cstdio>

struct conformance_test
{
    const char *name;
    void (*run)(void);
};

void ok_at(const char *file, int line, bool condition, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void skip_at(const char *file, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
#define ok(cond, ...) ok_at(__FILE__, __LINE__, (cond), __VA_ARGS__)
#define skip(...) skip_at(__FILE__, __LINE__, __VA_ARGS__)

/* Running under Wine (ntdll exports wine_get_version)? Some checks only make sense there. */
bool running_on_wine();

/* The tests of each file, collected in main.cpp. */
extern const conformance_test tcp_table2_tests[];
extern const conformance_test reservation_tests[];
extern const conformance_test forwarded_tests[];
extern const conformance_test extended_table_tests[];
extern const conformance_test tcp_estats_tests[];
extern const conformance_test reservation_persist_tests[]; /* run only when named */

/* Child processes for cross-process checks: this executable started as "child <role> ...". */
int child_main(int argc, char **argv);
int reservation_child(int argc, char **argv);
int estats_child(int argc, char **argv);

/* Helpers shared by the test files (sockets.cpp). */
SOCKET tcp_listener(int family, const char *address, unsigned short port, unsigned short *bound_port);
bool tcp_pair(int family, const char *address, SOCKET listener, unsigned short port, SOCKET *client, SOCKET *server);

/* Starts this program as a child with the given arguments; the child's stdout is a pipe the
 * caller reads with read_child_line(). With a token, the child is a copy of this program without
 * its manifest (see sockets.cpp), deleted again by stop_child(). */
struct child_process
{
    PROCESS_INFORMATION info;
    HANDLE out;
    char copy[MAX_PATH];
};
bool start_child(const char *args, child_process *child, HANDLE token = nullptr); /* token: run as it */
bool read_child_line(child_process *child, char *line, size_t size);
void stop_child(child_process *child);
