// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Persistent TCP/UDP port reservations. The six functions are looked up with GetProcAddress:
 * Wine 8.0's builtin iphlpapi does not export them (calling an import would abort the program),
 * and Windows Server 2008 R2 needs a hotfix for them.
 *
 * The store is machine-wide and persistent, so every test deletes what it created, and starts
 * by deleting leftovers of an interrupted earlier run.
 */
#include "harness.h"

#include <iphlpapi.h>

#include <cstdlib>
#include <cstring>
#include <initializer_list>

namespace {

using CreateFn = ULONG(WINAPI *)(USHORT, USHORT, PULONG64);
using DeleteFn = ULONG(WINAPI *)(USHORT, USHORT);

struct ProtocolApi
{
    const char *name;
    CreateFn create, lookup;
    DeleteFn remove;
};

bool load(ProtocolApi &tcp, ProtocolApi &udp)
{
    HMODULE m = GetModuleHandleA("iphlpapi.dll");
    tcp = {"tcp", (CreateFn)(void *)GetProcAddress(m, "CreatePersistentTcpPortReservation"),
           (CreateFn)(void *)GetProcAddress(m, "LookupPersistentTcpPortReservation"),
           (DeleteFn)(void *)GetProcAddress(m, "DeletePersistentTcpPortReservation")};
    udp = {"udp", (CreateFn)(void *)GetProcAddress(m, "CreatePersistentUdpPortReservation"),
           (CreateFn)(void *)GetProcAddress(m, "LookupPersistentUdpPortReservation"),
           (DeleteFn)(void *)GetProcAddress(m, "DeletePersistentUdpPortReservation")};
    bool all = tcp.create && tcp.lookup && tcp.remove && udp.create && udp.lookup && udp.remove;
    todo_if(builtin_wine()) ok(all, "iphlpapi.dll exports the six persistent reservation functions");
    return all;
}

/* A block in a quiet part of the port space, different per process so parallel runs of the
 * suite do not collide. Port numbers here are host order; the API takes htons(start). */
USHORT test_base()
{
    USHORT base = (USHORT)(41000 + (GetCurrentProcessId() % 400) * 40);
    /* A port whose two bytes are equal (51400 = 0xC8C8) reads the same in both byte orders. */
    return (base >> 8) == (base & 0xff) ? (USHORT)(base + 40) : base;
}

void cleanup(const ProtocolApi &api, USHORT start, USHORT count) { api.remove(htons(start), count); }

void test_parameters()
{
    ProtocolApi apis[2];
    if (!load(apis[0], apis[1])) return;
    for (const ProtocolApi &api : apis)
    {
        ULONG64 token = 0;
        ok(api.create(0, 10, &token) == ERROR_INVALID_PARAMETER, "%s create StartPort 0", api.name);
        ok(api.create(htons(1000), 0, &token) == ERROR_INVALID_PARAMETER, "%s create 0 ports", api.name);
        ok(api.create(htons(65530), 7, &token) == ERROR_INVALID_PARAMETER, "%s create past 65535", api.name);
        ok(api.create(htons(1000), 1, nullptr) == ERROR_INVALID_PARAMETER, "%s create NULL token", api.name);
        ok(api.lookup(0, 10, &token) == ERROR_INVALID_PARAMETER, "%s lookup StartPort 0", api.name);
        ok(api.lookup(htons(1000), 0, &token) == ERROR_INVALID_PARAMETER, "%s lookup 0 ports", api.name);
        ok(api.lookup(htons(1000), 1, nullptr) == ERROR_INVALID_PARAMETER, "%s lookup NULL token", api.name);
        ok(api.remove(0, 10) == ERROR_INVALID_PARAMETER, "%s delete StartPort 0", api.name);
        ok(api.remove(htons(1000), 0) == ERROR_INVALID_PARAMETER, "%s delete 0 ports", api.name);

        /* A block that ends exactly at 65535 is valid. */
        cleanup(api, 65530, 6);
        ULONG err = api.create(htons(65530), 6, &token);
        ok(err == NO_ERROR, "%s create 65530..65535: %lu", api.name, err);
        ok(api.remove(htons(65530), 6) == NO_ERROR, "%s delete 65530..65535", api.name);
    }
}

void test_rules()
{
    ProtocolApi apis[2];
    if (!load(apis[0], apis[1])) return;
    USHORT p = test_base();
    for (const ProtocolApi &api : apis)
    {
        for (USHORT s : {p, (USHORT)(p - 1), (USHORT)(p + 10), (USHORT)(p + 9)})
            for (USHORT n : {(USHORT)1, (USHORT)2, (USHORT)10}) cleanup(api, s, n);

        ULONG64 token = 0, looked_up = 0;
        ULONG err = api.create(htons(p), 10, &token);
        ok(err == NO_ERROR && token != 0, "%s create %u+10: %lu, token %llx", api.name, p, err, token);
        ok(api.lookup(htons(p), 10, &looked_up) == NO_ERROR && looked_up == token,
           "%s lookup returns the create token (%llx vs %llx)", api.name, looked_up, token);

        /* StartPort is network order: the host-order value names another block (test_base()
         * never has two equal bytes), one that runs past port 65535 for some test bases (then
         * the block itself is invalid). */
        ULONG expected = htons(p) + 10u <= 65536u ? ERROR_NOT_FOUND : ERROR_INVALID_PARAMETER;
        err = api.lookup(p, 10, &looked_up);
        ok(err == expected, "%s lookup with a host-order StartPort (%u): %lu, expected %lu", api.name, htons(p), err,
           expected);

        ULONG64 other;
        ok(api.create(htons(p), 10, &other) == ERROR_SHARING_VIOLATION, "%s same block twice", api.name);
        ok(api.create(htons(p + 9), 2, &other) == ERROR_SHARING_VIOLATION, "%s overlapping the last port", api.name);
        ok(api.create(htons(p - 1), 2, &other) == ERROR_SHARING_VIOLATION, "%s overlapping the first port", api.name);
        err = api.create(htons(p + 10), 10, &other);
        ok(err == NO_ERROR && other != token, "%s adjacent block: %lu, distinct token", api.name, err);

        /* Exact match only. */
        ok(api.lookup(htons(p), 5, &looked_up) == ERROR_NOT_FOUND, "%s lookup of a sub-range", api.name);
        ok(api.remove(htons(p), 5) == ERROR_NOT_FOUND, "%s delete of a sub-range", api.name);
        ok(api.remove(htons(p + 1), 10) == ERROR_NOT_FOUND, "%s delete of a shifted block", api.name);
        ok(api.remove(htons(p), 10) == NO_ERROR, "%s delete", api.name);
        ok(api.remove(htons(p), 10) == ERROR_NOT_FOUND, "%s delete twice", api.name);
        ok(api.lookup(htons(p), 10, &looked_up) == ERROR_NOT_FOUND, "%s lookup after delete", api.name);
        ok(api.remove(htons(p + 10), 10) == NO_ERROR, "%s delete adjacent block", api.name);
    }

    /* TCP and UDP are separate stores. */
    ULONG64 t1, t2;
    ok(apis[0].create(htons(p), 3, &t1) == NO_ERROR, "tcp block for the separation check");
    ok(apis[1].create(htons(p), 3, &t2) == NO_ERROR, "the same block in udp");
    ok(apis[1].lookup(htons(p), 3, &t2) == NO_ERROR, "udp lookup");
    ok(apis[0].remove(htons(p), 3) == NO_ERROR && apis[1].lookup(htons(p), 3, &t2) == NO_ERROR,
       "deleting the tcp block leaves the udp one");
    ok(apis[1].remove(htons(p), 3) == NO_ERROR, "udp delete");
}

void test_port_in_use()
{
    ProtocolApi tcp, udp;
    if (!load(tcp, udp)) return;
    unsigned short port;
    SOCKET l = tcp_listener(AF_INET, "127.0.0.1", 0, &port);
    ULONG64 token;
    ULONG err = tcp.create(htons(port), 1, &token);
    ok(err == ERROR_SHARING_VIOLATION, "tcp block over a listening port: %lu", err);
    if (err == NO_ERROR) tcp.remove(htons(port), 1);
    closesocket(l);

    SOCKET u = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
    sockaddr_in sin = {};
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int len = sizeof(sin);
    bind(u, (sockaddr *)&sin, sizeof(sin));
    getsockname(u, (sockaddr *)&sin, &len);
    err = udp.create(sin.sin_port, 1, &token);
    ok(err == ERROR_SHARING_VIOLATION, "udp block over a bound port: %lu", err);
    if (err == NO_ERROR) udp.remove(sin.sin_port, 1);
    closesocket(u);

    /* Sockets that are bound and neither listening nor connected, with and without
     * SO_REUSEADDR, on every kind of address: the port is in use (32). Under Wine every TCP
     * socket carries Linux's SO_REUSEADDR, which a probe bind with SO_REUSEADDR passed. */
    const struct
    {
        const char *name;
        int family;
        const char *addr;
        DWORD v6only;
    } places[] = {{"0.0.0.0", AF_INET, "0.0.0.0", 0},
                  {"127.0.0.1", AF_INET, "127.0.0.1", 0},
                  {"[::] dual-stack", AF_INET6, "::", 0},
                  {"[::] v6-only", AF_INET6, "::", 1},
                  {"[::1]", AF_INET6, "::1", 1}};
    for (int type : {SOCK_STREAM, SOCK_DGRAM})
        for (const auto &place : places)
            for (BOOL reuse : {FALSE, TRUE})
            {
                const ProtocolApi &api = type == SOCK_STREAM ? tcp : udp;
                SOCKET s = socket(place.family, type, 0);
                if (s == INVALID_SOCKET)
                {
                    skip("no %s socket for %s", place.name, api.name);
                    continue;
                }
                if (reuse) setsockopt(s, SOL_SOCKET, SO_REUSEADDR, (const char *)&reuse, sizeof(reuse));
                if (place.family == AF_INET6)
                    setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, (const char *)&place.v6only, sizeof(place.v6only));
                sockaddr_storage ss = {};
                int ss_len = place.family == AF_INET ? (int)sizeof(sockaddr_in) : (int)sizeof(sockaddr_in6);
                ss.ss_family = (ADDRESS_FAMILY)place.family;
                void *where = place.family == AF_INET ? (void *)&((sockaddr_in *)&ss)->sin_addr
                                                      : (void *)&((sockaddr_in6 *)&ss)->sin6_addr;
                inet_pton(place.family, place.addr, where);
                USHORT net_port = 0;
                if (bind(s, (sockaddr *)&ss, ss_len) == 0 && getsockname(s, (sockaddr *)&ss, &ss_len) == 0)
                    net_port =
                        place.family == AF_INET ? ((sockaddr_in *)&ss)->sin_port : ((sockaddr_in6 *)&ss)->sin6_port;
                if (!net_port)
                {
                    skip("cannot bind %s %s: %d", api.name, place.name, WSAGetLastError());
                    closesocket(s);
                    continue;
                }
                err = api.create(net_port, 1, &token);
                ok(err == ERROR_SHARING_VIOLATION, "%s block over a bound-only socket on %s%s: %lu", api.name,
                   place.name, reuse ? " with SO_REUSEADDR" : "", err);
                if (err == NO_ERROR) api.remove(net_port, 1);
                closesocket(s);
            }
}

/* Another process sees the same reservation and the same token. */
void test_other_process()
{
    ProtocolApi tcp, udp;
    if (!load(tcp, udp)) return;
    USHORT p = (USHORT)(test_base() + 25);
    cleanup(tcp, p, 4);
    ULONG64 token = 0;
    ok(tcp.create(htons(p), 4, &token) == NO_ERROR, "create for the child");
    char args[64], line[128] = "";
    snprintf(args, sizeof(args), "reservation lookup %u 4", p);
    ChildProcess child;
    if (start_child(args, &child))
    {
        read_child_line(&child, line, sizeof(line));
        stop_child(&child);
    }
    unsigned long result = 99;
    unsigned long long child_token = 0;
    ok(sscanf(line, "%lu %llx", &result, &child_token) == 2 && result == NO_ERROR && child_token == token,
       "child's lookup: '%s', expected 0 %llx", line, token);
    ok(tcp.remove(htons(p), 4) == NO_ERROR, "delete after the child's lookup");
}

/* Create and Delete need an elevated caller, Lookup does not. Wine gives every process a full
 * (elevated) token; its linked token is the limited one a non-elevated caller would have. Both
 * a thread impersonating it and a whole process started with it are checked. */
void test_access()
{
    ProtocolApi tcp, udp;
    if (!load(tcp, udp)) return;
    HANDLE token;
    OpenProcessToken(GetCurrentProcess(), MAXIMUM_ALLOWED, &token);
    TOKEN_ELEVATION elevation = {};
    DWORD len;
    GetTokenInformation(token, TokenElevation, &elevation, sizeof(elevation), &len);
    USHORT p = (USHORT)(test_base() + 30);
    ULONG64 t;
    if (!elevation.TokenIsElevated)
    {
        ok(tcp.create(htons(p), 1, &t) == ERROR_ACCESS_DENIED, "create without elevation");
        CloseHandle(token);
        return;
    }
    TOKEN_LINKED_TOKEN linked = {};
    if (!GetTokenInformation(token, TokenLinkedToken, &linked, sizeof(linked), &len) || !linked.LinkedToken)
    {
        skip("no linked limited token");
        CloseHandle(token);
        return;
    }
    cleanup(tcp, p, 1);
    ok(tcp.create(htons(p), 1, &t) == NO_ERROR, "elevated create");

    ok(SetThreadToken(nullptr, linked.LinkedToken), "impersonate the limited token: %lu", GetLastError());
    ULONG64 other;
    ok(tcp.create(htons(p + 1), 1, &other) == ERROR_ACCESS_DENIED, "create with a limited token");
    ok(udp.create(htons(p + 1), 1, &other) == ERROR_ACCESS_DENIED, "udp create with a limited token");
    ok(tcp.remove(htons(p), 1) == ERROR_ACCESS_DENIED, "delete with a limited token");
    ok(udp.remove(htons(p), 1) == ERROR_ACCESS_DENIED, "udp delete with a limited token (checked before lookup)");
    ok(tcp.lookup(htons(p), 1, &other) == NO_ERROR && other == t, "lookup with a limited token");
    RevertToSelf();

    /* The limited token at each impersonation level, and the full one at SecurityAnonymous. At
     * the anonymous level OpenThreadToken fails (ERROR_CANT_OPEN_ANONYMOUS), and falling back to
     * the process token let a non-elevated thread Create: the check must fail closed. The linked
     * token is an identification-level token, which cannot be raised to the impersonation level
     * (1346): the levels are made from a primary copy of it. */
    HANDLE limited = nullptr;
    ok(DuplicateTokenEx(linked.LinkedToken, 0, nullptr, SecurityAnonymous, TokenPrimary, &limited),
       "primary copy of the limited token: %lu", GetLastError());
    const struct
    {
        HANDLE from;
        SECURITY_IMPERSONATION_LEVEL level;
        const char *what;
    } impersonations[] = {
        {limited, SecurityAnonymous, "limited, anonymous"},
        {limited, SecurityIdentification, "limited, identification"},
        {limited, SecurityImpersonation, "limited, impersonation"},
        {token, SecurityAnonymous, "full, anonymous"},
    };
    for (const auto &imp : impersonations)
    {
        HANDLE level_token = nullptr;
        if (!DuplicateTokenEx(imp.from, TOKEN_QUERY | TOKEN_IMPERSONATE, nullptr, imp.level, TokenImpersonation,
                              &level_token) ||
            !SetThreadToken(nullptr, level_token))
        {
            ok(0, "impersonate (%s): %lu", imp.what, GetLastError());
            continue;
        }
        ok(tcp.create(htons(p + 2), 1, &other) == ERROR_ACCESS_DENIED, "create impersonating %s", imp.what);
        ok(tcp.remove(htons(p), 1) == ERROR_ACCESS_DENIED, "delete impersonating %s", imp.what);
        RevertToSelf();
        CloseHandle(level_token);
    }
    if (limited) CloseHandle(limited);

    HANDLE primary = nullptr;
    ChildProcess child;
    char args[64], line[128] = "";
    snprintf(args, sizeof(args), "reservation access %u", p);
    if (!DuplicateTokenEx(linked.LinkedToken, 0, nullptr, SecurityAnonymous, TokenPrimary, &primary) ||
        !start_child(args, &child, primary))
        skip("cannot start a process with the limited token: %lu", GetLastError());
    else
    {
        read_child_line(&child, line, sizeof(line));
        stop_child(&child);
        unsigned long created = 99, deleted = 99, looked_up = 99, elevated = 99;
        unsigned long long seen = 0;
        ok(sscanf(line, "%lu %lu %lu %lu %llx", &elevated, &created, &deleted, &looked_up, &seen) == 5, "child: '%s'",
           line);
        /* Wine 10.0 starts the child with the parent's elevated token whatever token it is
         * given (checked with a program without manifest: the child reports TokenElevationType
         * 2 where Wine 8.0 and Windows give 3), so the limited process cannot be had there.
         * The impersonation checks above still cover the rule. */
        if (elevated == 1)
        {
            skip("CreateProcessAsUser ran the child elevated although it was given the limited token");
            /* Undo what the elevated child could do. */
            if (created == NO_ERROR) tcp.remove(htons((USHORT)(p + 2)), 1);
            if (deleted == NO_ERROR) tcp.create(htons(p), 1, &t);
        }
        else
        {
            ok(elevated == 0, "the child runs without elevation");
            ok(created == ERROR_ACCESS_DENIED && deleted == ERROR_ACCESS_DENIED,
               "limited process: create %lu, delete %lu", created, deleted);
            ok(looked_up == NO_ERROR && seen == t, "limited process: lookup %lu", looked_up);
        }
        CloseHandle(primary);
    }
    ok(tcp.remove(htons(p), 1) == NO_ERROR, "elevated delete");
    CloseHandle(linked.LinkedToken);
    CloseHandle(token);
}

/* Persistence across a wineserver restart (or a reboot on Windows) takes two runs of this
 * program with the restart between them: "reservation_persist_create" keeps a block and writes
 * its token to %TEMP%, "reservation_persist_check" finds the same block and token, deletes it. */
const USHORT PERSIST_START = 40970, PERSIST_COUNT = 3;

void token_file(char *path, size_t size)
{
    char dir[MAX_PATH];
    GetTempPathA(sizeof(dir), dir);
    snprintf(path, size, "%siphlp-persist-token.txt", dir);
}

void test_persist_create()
{
    ProtocolApi tcp, udp;
    if (!load(tcp, udp)) return;
    cleanup(tcp, PERSIST_START, PERSIST_COUNT);
    ULONG64 token = 0;
    ok(tcp.create(htons(PERSIST_START), PERSIST_COUNT, &token) == NO_ERROR, "create the persistent block");
    char path[MAX_PATH];
    token_file(path, sizeof(path));
    FILE *f = fopen(path, "w");
    ok(f != nullptr, "write %s", path);
    if (f)
    {
        fprintf(f, "%llx\n", token);
        fclose(f);
    }
}

void test_persist_check()
{
    ProtocolApi tcp, udp;
    if (!load(tcp, udp)) return;
    char path[MAX_PATH];
    token_file(path, sizeof(path));
    unsigned long long saved = 0;
    FILE *f = fopen(path, "r");
    ok(f && fscanf(f, "%llx", &saved) == 1, "read the token saved before the restart");
    if (f) fclose(f);
    DeleteFileA(path);
    ULONG64 token = 0;
    ok(tcp.lookup(htons(PERSIST_START), PERSIST_COUNT, &token) == NO_ERROR, "the block survived the restart");
    ok(token == saved, "same token within one boot: %llx vs %llx", token, saved);
    ok(tcp.remove(htons(PERSIST_START), PERSIST_COUNT) == NO_ERROR, "delete the persistent block");
}

} // namespace

/* "lookup PORT COUNT": print "result token". "access PORT": try create, delete and lookup of the
 * block [PORT] as this (limited) process and print "elevated create delete lookup token". */
int reservation_child(int argc, char **argv)
{
    ProtocolApi tcp, udp;
    if (argc < 2 || !load(tcp, udp)) return 2;
    USHORT port = htons((USHORT)atoi(argv[1]));
    ULONG64 token = 0;
    if (!strcmp(argv[0], "lookup") && argc >= 3)
    {
        ULONG err = tcp.lookup(port, (USHORT)atoi(argv[2]), &token);
        printf("%lu %llx\n", err, token);
    }
    else if (!strcmp(argv[0], "access"))
    {
        HANDLE self;
        TOKEN_ELEVATION elevation = {};
        DWORD len;
        OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &self);
        GetTokenInformation(self, TokenElevation, &elevation, sizeof(elevation), &len);
        CloseHandle(self);
        ULONG64 unused;
        ULONG created = tcp.create(htons((USHORT)(ntohs(port) + 2)), 1, &unused);
        ULONG deleted = tcp.remove(port, 1);
        ULONG looked_up = tcp.lookup(port, 1, &token);
        printf("%lu %lu %lu %lu %llx\n", elevation.TokenIsElevated, created, deleted, looked_up, token);
    }
    else
        return 2;
    fflush(stdout);
    Sleep(INFINITE);
    return 0;
}

const ConformanceTest reservation_tests[] = {
    {"reservation_parameters", test_parameters},   {"reservation_rules", test_rules},
    {"reservation_port_in_use", test_port_in_use}, {"reservation_other_process", test_other_process},
    {"reservation_access", test_access},           {nullptr, nullptr},
};

/* Only run when named: they are the two halves of the restart check. */
const ConformanceTest reservation_persist_tests[] = {
    {"reservation_persist_create", test_persist_create},
    {"reservation_persist_check", test_persist_check},
    {nullptr, nullptr},
};
