// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The Winsock half of port reservations: SIO_ASSOCIATE_PORT_RESERVATION and bind (explicit and
 * implicit), unassociated binds into reserved blocks, SIO_ACQUIRE_PORT_RESERVATION and
 * SIO_RELEASE_PORT_RESERVATION, and the codes for bad tokens, buffers and sockets
 * (docs/windows-behavior.md says which are documented and which chosen). Wine's own ws2_32
 * answers all three codes with WSAEOPNOTSUPP and binds anywhere: under "--expect builtin"
 * those checks are expected to fail.
 */
#include "harness.h"

#include <iphlpapi.h>
#include <mstcpip.h>

#include <cstdlib>
#include <cstring>
#include <initializer_list>

namespace {

using CreateFn = ULONG(WINAPI *)(USHORT, USHORT, PULONG64);
using DeleteFn = ULONG(WINAPI *)(USHORT, USHORT);

/* A block of its own per process and protocol, away from conformance/reservations.cpp's. */
USHORT block_base() { return (USHORT)(36000 + (GetCurrentProcessId() % 300) * 16); }

struct Block
{
    int type; /* SOCK_STREAM or SOCK_DGRAM */
    USHORT start, count;
    ULONG64 token;
    bool created;
};

/* Creates a persistent block through iphlpapi (deleting a leftover of an earlier run first). */
bool create_block(Block &b, int type, USHORT start, USHORT count)
{
    HMODULE m = GetModuleHandleA("iphlpapi.dll");
    const bool tcp = type == SOCK_STREAM;
    auto create = (CreateFn)(void *)GetProcAddress(m, tcp ? "CreatePersistentTcpPortReservation"
                                                          : "CreatePersistentUdpPortReservation");
    auto remove = (DeleteFn)(void *)GetProcAddress(m, tcp ? "DeletePersistentTcpPortReservation"
                                                          : "DeletePersistentUdpPortReservation");
    b = {type, start, count, 0, false};
    if (!create || !remove) return false;
    remove(htons(start), count);
    b.created = create(htons(start), count, &b.token) == NO_ERROR;
    return b.created;
}

void delete_block(const Block &b)
{
    if (!b.created) return;
    auto remove = (DeleteFn)(void *)GetProcAddress(GetModuleHandleA("iphlpapi.dll"),
                                                   b.type == SOCK_STREAM ? "DeletePersistentTcpPortReservation"
                                                                         : "DeletePersistentUdpPortReservation");
    ok(remove(htons(b.start), b.count) == NO_ERROR, "the block %u+%u is deleted", b.start, b.count);
}

SOCKET new_socket(int type) { return socket(AF_INET, type, type == SOCK_STREAM ? IPPROTO_TCP : IPPROTO_UDP); }

/* WSAIoctl with a token in; returns 0 or the WSA error. */
int associate(SOCKET s, const void *in, DWORD in_len)
{
    DWORD returned = 0xdead;
    if (WSAIoctl(s, SIO_ASSOCIATE_PORT_RESERVATION, (void *)in, in_len, nullptr, 0, &returned, nullptr, nullptr) == 0)
        return 0;
    return WSAGetLastError();
}

int associate(SOCKET s, ULONG64 token) { return associate(s, &token, sizeof(token)); }

int bind_port(SOCKET s, USHORT port, const char *address = "0.0.0.0")
{
    sockaddr_in a = {};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = inet_addr(address);
    a.sin_port = htons(port);
    return bind(s, (sockaddr *)&a, sizeof(a)) == 0 ? 0 : WSAGetLastError();
}

USHORT local_port(SOCKET s)
{
    sockaddr_in a = {};
    int len = sizeof(a);
    return getsockname(s, (sockaddr *)&a, &len) == 0 ? ntohs(a.sin_port) : 0;
}

bool in_block(USHORT port, USHORT start, USHORT count) { return port >= start && port < start + count; }

void test_associate_bind()
{
    for (int type : {SOCK_STREAM, SOCK_DGRAM})
    {
        const char *proto = type == SOCK_STREAM ? "tcp" : "udp";
        Block b;
        bool created = create_block(b, type, (USHORT)(block_base() + (type == SOCK_DGRAM ? 8 : 0)), 3);
        todo_if(builtin_wine()) ok(created, "%s: a persistent block to consume", proto);
        if (!created) continue;
        SOCKET s[4];
        USHORT ports[4] = {};
        for (int i = 0; i < 3; i++)
        {
            s[i] = new_socket(type);
            int err = associate(s[i], b.token);
            ok(err == 0, "%s: socket %d associates with the block: %d", proto, i, err);
            err = bind_port(s[i], 0);
            ok(err == 0, "%s: socket %d binds to port 0: %d", proto, i, err);
            ports[i] = local_port(s[i]);
            ok(in_block(ports[i], b.start, b.count), "%s: socket %d got port %u of %u+%u", proto, i, ports[i], b.start,
               b.count);
        }
        ok(ports[0] != ports[1] && ports[1] != ports[2] && ports[0] != ports[2], "%s: three sockets, three ports",
           proto);
        /* The block is used up: the next associated socket finds no port. */
        s[3] = new_socket(type);
        ok(associate(s[3], b.token) == 0, "%s: a fourth socket associates", proto);
        int err = bind_port(s[3], 0);
        ok(err == WSAENOBUFS, "%s: a full block: bind fails with WSAENOBUFS: %d", proto, err);
        for (SOCKET x : s) closesocket(x);
        /* Closed sockets give their ports back. */
        SOCKET again = new_socket(type);
        associate(again, b.token);
        err = bind_port(again, 0);
        ok(err == 0 && in_block(local_port(again), b.start, b.count), "%s: a port is free again: %d", proto, err);
        closesocket(again);
        delete_block(b);
    }
}

void test_unassociated_bind()
{
    for (int type : {SOCK_STREAM, SOCK_DGRAM})
    {
        const char *proto = type == SOCK_STREAM ? "tcp" : "udp";
        Block b;
        bool created = create_block(b, type, (USHORT)(block_base() + (type == SOCK_DGRAM ? 8 : 0)), 3);
        todo_if(builtin_wine()) ok(created, "%s: a persistent block", proto);
        if (!created) continue;
        SOCKET s = new_socket(type);
        int err = bind_port(s, (USHORT)(b.start + 1));
        ok(err == WSAEACCES, "%s: an unassociated bind into the block fails with WSAEACCES: %d", proto, err);
        closesocket(s);
        s = new_socket(type);
        err = bind_port(s, (USHORT)(b.start + 1), "127.0.0.1");
        ok(err == WSAEACCES, "%s: also at a specific address: %d", proto, err);
        closesocket(s);
        /* The other protocol's port of the same number is not reserved. */
        s = new_socket(type == SOCK_STREAM ? SOCK_DGRAM : SOCK_STREAM);
        err = bind_port(s, (USHORT)(b.start + 1), "127.0.0.1");
        ok(err == 0, "%s: the same port of the other protocol binds: %d", proto, err);
        closesocket(s);
        /* Just outside the block. */
        s = new_socket(type);
        err = bind_port(s, (USHORT)(b.start + b.count), "127.0.0.1");
        ok(err == 0 || err == WSAEADDRINUSE, "%s: the port after the block is not refused: %d", proto, err);
        closesocket(s);
        delete_block(b);
        s = new_socket(type);
        err = bind_port(s, (USHORT)(b.start + 1), "127.0.0.1");
        ok(err == 0, "%s: after the delete the port binds: %d", proto, err);
        closesocket(s);
    }
}

void test_implicit_bind()
{
    Block b;
    bool created = create_block(b, SOCK_STREAM, block_base(), 3);
    todo_if(builtin_wine()) ok(created, "tcp: a persistent block");
    Block u;
    bool created_udp = create_block(u, SOCK_DGRAM, (USHORT)(block_base() + 8), 3);
    todo_if(builtin_wine()) ok(created_udp, "udp: a persistent block");
    if (created)
    {
        unsigned short port;
        SOCKET l = tcp_listener(AF_INET, "127.0.0.1", 0, &port);
        SOCKET c = new_socket(SOCK_STREAM);
        ok(associate(c, b.token) == 0, "tcp: associates");
        sockaddr_in to = {};
        to.sin_family = AF_INET;
        to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        to.sin_port = htons(port);
        int rc = connect(c, (sockaddr *)&to, sizeof(to));
        ok(rc == 0, "tcp: connect without bind: %d", rc ? WSAGetLastError() : 0);
        ok(in_block(local_port(c), b.start, b.count), "tcp: connect bound port %u of %u+%u", local_port(c), b.start,
           b.count);
        closesocket(c);
        c = new_socket(SOCK_STREAM);
        associate(c, b.token);
        rc = WSAConnect(c, (sockaddr *)&to, sizeof(to), nullptr, nullptr, nullptr, nullptr);
        ok(rc == 0 && in_block(local_port(c), b.start, b.count), "tcp: WSAConnect bound port %u: %d", local_port(c),
           rc ? WSAGetLastError() : 0);
        closesocket(c);
        closesocket(l);
        delete_block(b);
    }
    if (created_udp)
    {
        SOCKET r = new_socket(SOCK_DGRAM);
        bind_port(r, 0, "127.0.0.1");
        sockaddr_in to = {};
        to.sin_family = AF_INET;
        to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        to.sin_port = htons(local_port(r));
        SOCKET s = new_socket(SOCK_DGRAM);
        ok(associate(s, u.token) == 0, "udp: associates");
        int rc = sendto(s, "x", 1, 0, (sockaddr *)&to, sizeof(to));
        ok(rc == 1, "udp: sendto without bind: %d", rc == 1 ? 0 : WSAGetLastError());
        ok(in_block(local_port(s), u.start, u.count), "udp: sendto bound port %u of %u+%u", local_port(s), u.start,
           u.count);
        closesocket(s);
        s = new_socket(SOCK_DGRAM);
        associate(s, u.token);
        WSABUF buf = {1, (char *)"y"};
        DWORD sent = 0;
        rc = WSASendTo(s, &buf, 1, &sent, 0, (sockaddr *)&to, sizeof(to), nullptr, nullptr);
        ok(rc == 0 && in_block(local_port(s), u.start, u.count), "udp: WSASendTo bound port %u", local_port(s));
        closesocket(s);
        closesocket(r);
        delete_block(u);
    }
}

void test_associate_codes()
{
    SOCKET s = new_socket(SOCK_STREAM);
    ULONG64 zero = INVALID_PORT_RESERVATION_TOKEN;
    int err = associate(s, zero);
    todo_if(builtin_wine()) ok(err == WSAEINVAL, "INVALID_PORT_RESERVATION_TOKEN: WSAEINVAL: %d", err);
    err = associate(s, 0x8123456789abcdefull);
    todo_if(builtin_wine()) ok(err == WSAEINVAL, "an unknown token: WSAEINVAL: %d", err);
    ULONG64 token = 1;
    err = associate(s, &token, 4);
    todo_if(builtin_wine()) ok(err == WSAEFAULT, "a 4-byte input: WSAEFAULT: %d", err);
    err = associate(s, nullptr, 8);
    todo_if(builtin_wine()) ok(err == WSAEFAULT, "no input buffer: WSAEFAULT: %d", err);
    err = associate(INVALID_SOCKET, 1);
    todo_if(builtin_wine()) ok(err == WSAENOTSOCK, "not a socket: WSAENOTSOCK: %d", err);
    closesocket(s);
    Block b, u;
    bool created = create_block(b, SOCK_STREAM, block_base(), 3);
    todo_if(builtin_wine()) ok(created, "a persistent block");
    bool created_udp = create_block(u, SOCK_DGRAM, (USHORT)(block_base() + 8), 3);
    if (created)
    {
        s = new_socket(SOCK_STREAM);
        ok(bind_port(s, 0, "127.0.0.1") == 0, "an ordinary bind");
        err = associate(s, b.token);
        ok(err == WSAEINVAL, "an already bound socket: WSAEINVAL: %d", err);
        closesocket(s);
        if (created_udp)
        {
            s = new_socket(SOCK_STREAM);
            err = associate(s, u.token);
            ok(err == WSAEINVAL, "a UDP block's token on a TCP socket: WSAEINVAL: %d", err);
            closesocket(s);
        }
        delete_block(b);
    }
    delete_block(u);
}

int acquire(SOCKET s, const void *in, DWORD in_len, void *out, DWORD out_len, DWORD *returned = nullptr)
{
    DWORD r = 0;
    if (WSAIoctl(s, SIO_ACQUIRE_PORT_RESERVATION, (void *)in, in_len, out, out_len, &r, nullptr, nullptr) == 0)
    {
        if (returned) *returned = r;
        return 0;
    }
    return WSAGetLastError();
}

int release(SOCKET s, ULONG64 token)
{
    DWORD r = 0;
    if (WSAIoctl(s, SIO_RELEASE_PORT_RESERVATION, &token, sizeof(token), nullptr, 0, &r, nullptr, nullptr) == 0)
        return 0;
    return WSAGetLastError();
}

void test_runtime()
{
    for (int type : {SOCK_STREAM, SOCK_DGRAM})
    {
        const char *proto = type == SOCK_STREAM ? "tcp" : "udp";
        SOCKET s = new_socket(type);
        INET_PORT_RANGE range = {0, 4};
        INET_PORT_RESERVATION_INSTANCE inst = {};
        DWORD returned = 0;
        int err = acquire(s, &range, sizeof(range), &inst, sizeof(inst), &returned);
        todo_if(builtin_wine()) ok(err == 0, "%s: SIO_ACQUIRE_PORT_RESERVATION of 4 ports: %d", proto, err);
        if (err)
        {
            closesocket(s);
            continue;
        }
        const USHORT start = ntohs(inst.Reservation.StartPort);
        ok(returned == sizeof(inst), "%s: %lu bytes returned", proto, returned);
        ok(inst.Reservation.NumberOfPorts == 4 && start != 0 && inst.Token.Token != INVALID_PORT_RESERVATION_TOKEN,
           "%s: instance %u+%u", proto, start, inst.Reservation.NumberOfPorts);
        SOCKET c = new_socket(type);
        ok(associate(c, inst.Token.Token) == 0, "%s: another socket associates with the runtime block", proto);
        err = bind_port(c, 0);
        ok(err == 0 && in_block(local_port(c), start, 4), "%s: and binds to port %u of it: %d", proto, local_port(c),
           err);
        closesocket(c);
        c = new_socket(type);
        err = bind_port(c, (USHORT)(start + 2), "127.0.0.1");
        ok(err == WSAEACCES, "%s: an unassociated bind into the runtime block: WSAEACCES: %d", proto, err);
        closesocket(c);
        /* A block that overlaps it cannot be acquired. */
        INET_PORT_RANGE over = {htons((USHORT)(start + 1)), 2};
        INET_PORT_RESERVATION_INSTANCE other = {};
        err = acquire(s, &over, sizeof(over), &other, sizeof(other));
        ok(err == WSAEADDRINUSE, "%s: an overlapping acquire: WSAEADDRINUSE: %d", proto, err);
        err = release(s, inst.Token.Token);
        ok(err == 0, "%s: SIO_RELEASE_PORT_RESERVATION: %d", proto, err);
        err = release(s, inst.Token.Token);
        ok(err == WSAEINVAL, "%s: releasing it again: WSAEINVAL: %d", proto, err);
        c = new_socket(type);
        err = bind_port(c, (USHORT)(start + 2), "127.0.0.1");
        ok(err == 0, "%s: after the release the port binds: %d", proto, err);
        closesocket(c);
        c = new_socket(type);
        err = associate(c, inst.Token.Token);
        ok(err == WSAEINVAL, "%s: the released token no longer associates: %d", proto, err);
        closesocket(c);
        closesocket(s);
    }
}

void test_runtime_codes()
{
    SOCKET s = new_socket(SOCK_STREAM);
    INET_PORT_RANGE range = {0, 4};
    INET_PORT_RESERVATION_INSTANCE inst = {};
    int err = acquire(s, &range, 2, &inst, sizeof(inst));
    todo_if(builtin_wine()) ok(err == WSAEFAULT, "acquire, 2-byte input: WSAEFAULT: %d", err);
    err = acquire(s, &range, sizeof(range), &inst, 8);
    todo_if(builtin_wine()) ok(err == WSAEFAULT, "acquire, 8-byte output: WSAEFAULT: %d", err);
    err = acquire(s, &range, sizeof(range), nullptr, sizeof(inst));
    todo_if(builtin_wine()) ok(err == WSAEFAULT, "acquire, no output: WSAEFAULT: %d", err);
    INET_PORT_RANGE none = {0, 0};
    err = acquire(s, &none, sizeof(none), &inst, sizeof(inst));
    todo_if(builtin_wine()) ok(err == WSAEINVAL, "acquire, 0 ports: WSAEINVAL: %d", err);
    err = release(s, 0x8123456789abcdefull);
    todo_if(builtin_wine()) ok(err == WSAEINVAL, "release, an unknown token: WSAEINVAL: %d", err);
    DWORD r;
    err =
        WSAIoctl(s, SIO_RELEASE_PORT_RESERVATION, &range, 4, nullptr, 0, &r, nullptr, nullptr) ? WSAGetLastError() : 0;
    todo_if(builtin_wine()) ok(err == WSAEFAULT, "release, 4-byte input: WSAEFAULT: %d", err);
    /* With an OVERLAPPED: completed at once, and its event says so. */
    WSAOVERLAPPED ov = {};
    ov.hEvent = CreateEventA(nullptr, TRUE, FALSE, nullptr);
    DWORD bytes = 0;
    err = WSAIoctl(s, SIO_ACQUIRE_PORT_RESERVATION, &range, sizeof(range), &inst, sizeof(inst), &bytes, &ov, nullptr)
              ? WSAGetLastError()
              : 0;
    todo_if(builtin_wine())
        ok(err == 0 && WaitForSingleObject(ov.hEvent, 0) == WAIT_OBJECT_0 && ov.InternalHigh == sizeof(inst) &&
               ov.Internal == 0,
           "acquire with an OVERLAPPED: %d, its event set, %lu bytes", err, (unsigned long)ov.InternalHigh);
    if (!err) release(s, inst.Token.Token);
    CloseHandle(ov.hEvent);
    Block b;
    if (create_block(b, SOCK_STREAM, block_base(), 3))
    {
        INET_PORT_RANGE in_persistent = {htons(b.start), 2};
        err = acquire(s, &in_persistent, sizeof(in_persistent), &inst, sizeof(inst));
        ok(err == WSAEADDRINUSE, "acquire inside a persistent block: WSAEADDRINUSE: %d", err);
        err = release(s, b.token);
        ok(err == WSAEINVAL, "release of a persistent token: WSAEINVAL: %d", err);
        delete_block(b);
    }
    closesocket(s);
}

} // namespace

/* "child runtime-hold": acquires 4 TCP ports, prints "acquired START TOKEN", and waits to be
 * killed (tests/run-winsock.sh kills it with SIGKILL and checks that the block is reclaimed). */
int winsock_child(int argc, char **argv)
{
    /* "child runtime-hold bind PORT": one unassociated TCP bind at 127.0.0.1:PORT, "bind ERR". */
    if (argc == 2 && !strcmp(argv[0], "bind"))
    {
        SOCKET b = new_socket(SOCK_STREAM);
        printf("bind %d\n", bind_port(b, (USHORT)atoi(argv[1]), "127.0.0.1"));
        closesocket(b);
        return 0;
    }
    SOCKET s = new_socket(SOCK_STREAM);
    INET_PORT_RANGE range = {0, 4};
    INET_PORT_RESERVATION_INSTANCE inst = {};
    int err = acquire(s, &range, sizeof(range), &inst, sizeof(inst));
    if (err)
    {
        printf("error %d\n", err);
        return 1;
    }
    printf("acquired %u %08lx%08lx\n", ntohs(inst.Reservation.StartPort), (unsigned long)(inst.Token.Token >> 32),
           (unsigned long)inst.Token.Token);
    fflush(stdout);
    Sleep(INFINITE);
    return 0;
}

const ConformanceTest winsock_reservation_tests[] = {
    {"winsock_associate_bind", test_associate_bind},
    {"winsock_unassociated_bind", test_unassociated_bind},
    {"winsock_implicit_bind", test_implicit_bind},
    {"winsock_associate_codes", test_associate_codes},
    {"winsock_runtime", test_runtime},
    {"winsock_runtime_codes", test_runtime_codes},
    {nullptr, nullptr},
};
