// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Timing through the Windows API, run under Wine by bench/run.sh with either this project's
 * iphlpapi.dll or Wine's builtin.
 *
 *   tablebench tables RUNS       median of RUNS calls of GetTcpTable2(Order=TRUE) and
 *                                GetExtendedTcpTable(AF_INET, TCP_TABLE_OWNER_PID_ALL): "single"
 *                                is one call into a large enough buffer (one enumeration),
 *                                "pair" the usual size probe plus fill
 *   tablebench first             one GetTcpTable2(Order=TRUE) call, the first of this process
 *   tablebench probe             one GetTcpTable2(NULL, &size) size probe, the first of this process:
 *                                connecting to the Unix side (loading it) plus one count
 *   tablebench churn RUNS        median of RUNS calls of GetTcpTable2(Order=TRUE), each right after
 *                                this process opened one new loopback connection (to itself)
 *   tablebench hold N            hold N loopback connections inside Wine until stdin closes
 *   tablebench reservations RUNS median latency of Create/Lookup/DeletePersistentTcpPortReservation
 */
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>
#include <iphlpapi.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

static double now_us()
{
    static LARGE_INTEGER freq;
    if (!freq.QuadPart) QueryPerformanceFrequency(&freq);
    LARGE_INTEGER t;
    QueryPerformanceCounter(&t);
    return t.QuadPart * 1e6 / freq.QuadPart;
}

static double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v[v.size() / 2];
}

template <class Call> static void time_table(const char *name, int runs, Call call)
{
    ULONG size = 0;
    call(nullptr, &size);
    std::vector<char> buf(size + size / 4 + 4096);
    std::vector<double> single, pair;
    DWORD rows = 0;
    for (int i = 0; i < runs; i++)
    {
        ULONG s = (ULONG)buf.size();
        double t0 = now_us();
        ULONG err = call(buf.data(), &s);
        single.push_back(now_us() - t0);
        if (err) fprintf(stderr, "%s: error %lu\n", name, err);
        rows = *(DWORD *)buf.data();

        t0 = now_us();
        ULONG probe = 0;
        call(nullptr, &probe);
        s = (ULONG)buf.size();
        call(buf.data(), &s);
        pair.push_back(now_us() - t0);
    }
    printf("%s rows %lu single_us %.0f pair_us %.0f\n", name, rows, median(single), median(pair));
    fflush(stdout);
}

static int tables(int runs)
{
    time_table("GetTcpTable2", runs, [](void *t, ULONG *size) { return GetTcpTable2((PMIB_TCPTABLE2)t, size, TRUE); });
    time_table("GetExtendedTcpTable", runs, [](void *t, ULONG *size) {
        return (ULONG)GetExtendedTcpTable(t, size, FALSE, AF_INET, TCP_TABLE_OWNER_PID_ALL, 0);
    });
    return 0;
}

/* Rows of a table of up to this many connections fit the buffers below without a size probe. */
constexpr ULONG BIG_TABLE = 8u << 20;

static int first()
{
    std::vector<char> buf(BIG_TABLE);
    ULONG size = (ULONG)buf.size();
    double t0 = now_us();
    ULONG err = GetTcpTable2((PMIB_TCPTABLE2)buf.data(), &size, TRUE);
    double t = now_us() - t0;
    if (err) fprintf(stderr, "GetTcpTable2: error %lu\n", err);
    printf("first rows %lu us %.0f\n", err ? 0 : *(DWORD *)buf.data(), t);
    return err ? 1 : 0;
}

/* The size probe resolves no owners and copies no rows: what it costs beyond a later probe is
 * reaching the Unix side, which bench/load-cost.sh compares between builds. */
static int probe()
{
    ULONG size = 0;
    double t0 = now_us();
    ULONG err = GetTcpTable2(nullptr, &size, FALSE);
    double t = now_us() - t0;
    t0 = now_us();
    ULONG again = GetTcpTable2(nullptr, &size, FALSE);
    double t2 = now_us() - t0;
    if (err != ERROR_INSUFFICIENT_BUFFER || again != ERROR_INSUFFICIENT_BUFFER)
        fprintf(stderr, "GetTcpTable2 probe: error %lu, then %lu\n", err, again);
    printf("probe bytes %lu us %.0f second_us %.0f\n", size, t, t2);
    return err == ERROR_INSUFFICIENT_BUFFER ? 0 : 1;
}

static SOCKET loopback_listener(sockaddr_in &sin)
{
    SOCKET l = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    sin = {};
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int len = sizeof(sin);
    if (bind(l, (sockaddr *)&sin, sizeof(sin)) || listen(l, SOMAXCONN) || getsockname(l, (sockaddr *)&sin, &len))
        return INVALID_SOCKET;
    return l;
}

/* One loopback connection to the listener l: both ends go to keep. */
static bool connect_pair(SOCKET l, const sockaddr_in &sin, std::vector<SOCKET> &keep)
{
    SOCKET c = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    if (connect(c, (const sockaddr *)&sin, sizeof(sin))) return false;
    SOCKET s = accept(l, nullptr, nullptr);
    if (s == INVALID_SOCKET) return false;
    keep.push_back(c);
    keep.push_back(s);
    return true;
}

static int churn(int runs)
{
    sockaddr_in sin;
    SOCKET l = loopback_listener(sin);
    if (l == INVALID_SOCKET) return 1;
    std::vector<char> buf(BIG_TABLE);
    std::vector<double> steady, after;
    std::vector<SOCKET> keep;
    ULONG err = 0;
    for (int i = 0; i < 3 + runs; i++)
    {
        ULONG size = (ULONG)buf.size();
        double t0 = now_us();
        err |= GetTcpTable2((PMIB_TCPTABLE2)buf.data(), &size, TRUE);
        if (i >= 3) steady.push_back(now_us() - t0);
        if (!connect_pair(l, sin, keep)) return 1;
        size = (ULONG)buf.size();
        t0 = now_us();
        err |= GetTcpTable2((PMIB_TCPTABLE2)buf.data(), &size, TRUE);
        if (i >= 3) after.push_back(now_us() - t0);
    }
    if (err) fprintf(stderr, "GetTcpTable2 failed\n");
    printf("churn rows %lu steady_us %.0f after_new_us %.0f\n", *(DWORD *)buf.data(), median(steady), median(after));
    linger reset = {1, 0};
    for (SOCKET s : keep) setsockopt(s, SOL_SOCKET, SO_LINGER, (const char *)&reset, sizeof(reset));
    return err ? 1 : 0;
}

static int hold(int n)
{
    sockaddr_in sin;
    SOCKET l = loopback_listener(sin);
    if (l == INVALID_SOCKET) return 1;
    std::vector<SOCKET> keep;
    for (int i = 0; i < n; i++)
        if (!connect_pair(l, sin, keep)) return 1;
    printf("ready %d\n", n);
    fflush(stdout);
    char c;
    DWORD got;
    while (ReadFile(GetStdHandle(STD_INPUT_HANDLE), &c, 1, &got, nullptr) && got)
    {}
    /* Reset rather than close gracefully: no TIME_WAIT rows left behind for the next scenario. */
    linger reset = {1, 0};
    for (SOCKET s : keep) setsockopt(s, SOL_SOCKET, SO_LINGER, (const char *)&reset, sizeof(reset));
    return 0;
}

static int reservations(int runs)
{
    using CreateFn = ULONG(WINAPI *)(USHORT, USHORT, PULONG64);
    using DeleteFn = ULONG(WINAPI *)(USHORT, USHORT);
    HMODULE m = GetModuleHandleA("iphlpapi.dll");
    auto create = (CreateFn)(void *)GetProcAddress(m, "CreatePersistentTcpPortReservation");
    auto lookup = (CreateFn)(void *)GetProcAddress(m, "LookupPersistentTcpPortReservation");
    auto remove = (DeleteFn)(void *)GetProcAddress(m, "DeletePersistentTcpPortReservation");
    if (!create || !lookup || !remove)
    {
        printf("reservations not exported\n");
        return 0;
    }
    std::vector<double> c, l, d;
    const USHORT base = 47000;
    for (int i = 0; i < runs; i++)
    {
        USHORT port = htons((USHORT)(base + (i % 100) * 10));
        ULONG64 token;
        double t0 = now_us();
        ULONG err = create(port, 5, &token);
        c.push_back(now_us() - t0);
        t0 = now_us();
        err |= lookup(port, 5, &token);
        l.push_back(now_us() - t0);
        t0 = now_us();
        err |= remove(port, 5);
        d.push_back(now_us() - t0);
        if (err) fprintf(stderr, "reservation round %d failed\n", i);
    }
    printf("create_us %.0f lookup_us %.1f delete_us %.0f\n", median(c), median(l), median(d));
    return 0;
}

int main(int argc, char **argv)
{
    WSADATA wsa;
    WSAStartup(MAKEWORD(2, 2), &wsa);
    int n = argc > 2 ? atoi(argv[2]) : 0;
    if (argc > 1 && !strcmp(argv[1], "tables")) return tables(n ? n : 11);
    if (argc > 1 && !strcmp(argv[1], "hold")) return hold(n ? n : 1000);
    if (argc > 1 && !strcmp(argv[1], "first")) return first();
    if (argc > 1 && !strcmp(argv[1], "probe")) return probe();
    if (argc > 1 && !strcmp(argv[1], "churn")) return churn(n ? n : 11);
    if (argc > 1 && !strcmp(argv[1], "reservations")) return reservations(n ? n : 201);
    fprintf(stderr, "usage: tablebench tables|first|probe|churn|hold|reservations N\n");
    return 2;
}
