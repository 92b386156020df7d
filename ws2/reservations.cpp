// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The Winsock half of port reservations: the three control codes, binds inside reserved blocks
 * and the implicit binds of associated sockets. docs/windows-behavior.md lists the semantics
 * and codes followed, and their sources; docs/winsock.md the design and its costs.
 *
 * Hot paths (a program that uses no reservation): connect, WSAConnect, sendto, WSASendTo and
 * closesocket read one counter; bind to port 0 the same; bind to a port reads one bit of the
 * reserved-port view (mapped at the process's first explicit bind). Only a port inside a
 * reserved block costs a unix call.
 */
#include <winsock2.h>
#include <ws2tcpip.h>
#include <mstcpip.h>

#include "associations.h"
#include "bridge.h"
#include "real.h"

namespace {

/* Network and host order; ws2_32's own htons is not ours to import. WSAGetLastError is
 * GetLastError, in Wine as in Windows. */
inline USHORT swap16(USHORT v) { return (USHORT)(v << 8 | v >> 8); }

/* The protocol of a socket's reservations: TCP for stream sockets, UDP for datagram ones. */
bool socket_proto(SOCKET s, UINT32 *proto, int *error)
{
    int type = 0, len = sizeof(type);
    if (real.getsockopt(s, SOL_SOCKET, SO_TYPE, reinterpret_cast<char *>(&type), &len))
    {
        *error = (int)GetLastError();
        return false;
    }
    if (type != SOCK_STREAM && type != SOCK_DGRAM)
    {
        *error = WSAEINVAL;
        return false;
    }
    *proto = type == SOCK_STREAM ? IPHLP_TCP : IPHLP_UDP;
    return true;
}

bool is_bound(SOCKET s)
{
    sockaddr_storage ss;
    int len = sizeof(ss);
    return real.getsockname(s, reinterpret_cast<sockaddr *>(&ss), &len) == 0;
}

/* The port of an AF_INET/AF_INET6 address in host order, or -1 for anything else. */
int address_port(const sockaddr *name, int len)
{
    if (!name) return -1;
    if (name->sa_family == AF_INET && len >= (int)sizeof(sockaddr_in))
        return swap16(reinterpret_cast<const sockaddr_in *>(name)->sin_port);
    if (name->sa_family == AF_INET6 && len >= (int)sizeof(sockaddr_in6))
        return swap16(reinterpret_cast<const sockaddr_in6 *>(name)->sin6_port);
    return -1;
}

/* Binds to a free port of the block at the given address: what Windows' bind to port 0 does for
 * an associated socket. The search starts after the port handed out last (next fit, as
 * ephemeral ports are chosen): a port just closed sits in TIME_WAIT, which Wine lets a bind take
 * (it sets SO_REUSEADDR) but a connect to the same peer then refuses (WSAEADDRNOTAVAIL, seen on
 * Wine 8.0). No free port: WSAENOBUFS, Winsock's code for a bind to port 0 that finds no free
 * ephemeral port. */
volatile LONG next_offset = -1; /* the first bind takes the block's first port */

int bind_in_block(SOCKET s, const sockaddr *name, int len, const Ws2Association &a)
{
    sockaddr_in6 addr = {};
    const int size = name->sa_family == AF_INET ? (int)sizeof(sockaddr_in) : (int)sizeof(sockaddr_in6);
    memcpy(&addr, name, size);
    const UINT32 first = (UINT32)InterlockedIncrement(&next_offset);
    for (UINT32 i = 0; i < a.num_ports; i++)
    {
        const UINT32 offset = (first + i) % a.num_ports;
        /* sin_port and sin6_port sit at the same offset. */
        addr.sin6_port = swap16((USHORT)(a.start_port + offset));
        if (real.bind(s, reinterpret_cast<sockaddr *>(&addr), size) == 0)
        {
            InterlockedExchange(&next_offset, (LONG)offset);
            return 0;
        }
        const int error = (int)GetLastError();
        if (error != WSAEADDRINUSE && error != WSAEACCES) return SOCKET_ERROR;
    }
    return ws2_fail(WSAENOBUFS);
}

/* Before an implicit bind (connect, sendto on an unbound socket): an associated socket gets its
 * port from the block, at the wildcard address of the destination's family. */
int implicit_bind(SOCKET s, const sockaddr *to, int len)
{
    Ws2Association a;
    if (!ws2_associated_count || !ws2_association_get(s, &a) || !to) return 0;
    if (to->sa_family != AF_INET && to->sa_family != AF_INET6) return 0;
    if (is_bound(s)) return 0;
    sockaddr_in6 any = {};
    any.sin6_family = to->sa_family;
    return bind_in_block(s, reinterpret_cast<sockaddr *>(&any), 0, a);
}

bool view_bit(const volatile unsigned char *view, UINT32 proto, int port)
{
    const UINT32 bit = proto * 65536u + (UINT32)port;
    return view[bit / 8] & (1u << (bit % 8));
}

/* WSAIoctl's three reservation codes. Returns false to hand the call to Wine's own WSAIoctl:
 * when the Unix side is missing, Wine's answer (WSAEOPNOTSUPP) is what a program gets. */
bool reservation_ioctl(SOCKET s, DWORD code, void *in, DWORD in_len, void *out, DWORD out_len, DWORD *returned, int *rc)
{
    /* Without the Unix side, every answer is Wine's own, bad sockets and buffers included. */
    if (!ws2_unix_available()) return false;
    iphlp_winsock_params p = {};
    int error = 0;
    UINT32 proto = 0;
    /* The socket first: an invalid one gets Winsock's WSAENOTSOCK, as any ioctl does. */
    if (!socket_proto(s, &proto, &error))
    {
        *rc = ws2_fail(error);
        return true;
    }
    if (code == SIO_ASSOCIATE_PORT_RESERVATION || code == SIO_RELEASE_PORT_RESERVATION)
    {
        if (!in || in_len < sizeof(UINT64))
        {
            *rc = ws2_fail(WSAEFAULT);
            return true;
        }
        memcpy(&p.token, in, sizeof(UINT64));
        if (code == SIO_RELEASE_PORT_RESERVATION)
        {
            if (!ws2_unix_call(unix_winsock_release, &p)) return false;
            *rc = p.result == WIN_NO_ERROR              ? 0
                  : p.result == WIN_ERROR_ACCESS_DENIED ? ws2_fail(WSAEACCES)
                  : p.result == WIN_ERROR_NOT_FOUND     ? ws2_fail(WSAEINVAL)
                                                        : ws2_fail(WSAENOBUFS);
            if (!*rc && returned) *returned = 0;
            return true;
        }
        if (p.token == INVALID_PORT_RESERVATION_TOKEN)
        {
            *rc = ws2_fail(WSAEINVAL);
            return true;
        }
        if (!ws2_unix_call(unix_winsock_token, &p)) return false;
        /* An unknown token, a block of the other protocol, or a socket that is already bound
         * (the association must come before bind): WSAEINVAL. */
        if (p.result != WIN_NO_ERROR || p.proto != proto || is_bound(s))
        {
            *rc = ws2_fail(WSAEINVAL);
            return true;
        }
        if (!ws2_association_set(s, {p.token, p.proto, p.start_port, p.num_ports}))
        {
            *rc = ws2_fail(WSAENOBUFS);
            return true;
        }
        if (returned) *returned = 0;
        *rc = 0;
        return true;
    }
    /* SIO_ACQUIRE_PORT_RESERVATION: INET_PORT_RANGE in, INET_PORT_RESERVATION_INSTANCE out. */
    if (!in || in_len < sizeof(INET_PORT_RANGE) || !out || out_len < sizeof(INET_PORT_RESERVATION_INSTANCE))
    {
        *rc = ws2_fail(WSAEFAULT);
        return true;
    }
    INET_PORT_RANGE range;
    memcpy(&range, in, sizeof(range));
    if (range.NumberOfPorts == 0)
    {
        *rc = ws2_fail(WSAEINVAL);
        return true;
    }
    p.proto = proto;
    p.start_port = swap16(range.StartPort);
    p.num_ports = range.NumberOfPorts;
    if (p.start_port && (UINT32)p.start_port + p.num_ports - 1 > 65535)
    {
        *rc = ws2_fail(WSAEINVAL);
        return true;
    }
    if (!ws2_unix_call(unix_winsock_acquire, &p)) return false;
    switch (p.result)
    {
    case WIN_NO_ERROR: break;
    case WIN_ERROR_SHARING_VIOLATION: *rc = ws2_fail(WSAEADDRINUSE); return true;
    case WIN_ERROR_NOT_FOUND: *rc = ws2_fail(WSAENOBUFS); return true;
    case WIN_ERROR_INVALID_PARAMETER: *rc = ws2_fail(WSAEINVAL); return true;
    default: *rc = ws2_fail(WSAENOBUFS); return true;
    }
    INET_PORT_RESERVATION_INSTANCE instance = {};
    instance.Reservation.StartPort = swap16(p.start_port);
    instance.Reservation.NumberOfPorts = p.num_ports;
    instance.Token.Token = p.token;
    memcpy(out, &instance, sizeof(instance));
    if (returned) *returned = sizeof(instance);
    *rc = 0;
    return true;
}

} // namespace

extern "C" {

int WSAAPI bind(SOCKET s, const sockaddr *name, int len)
{
    const int port = address_port(name, len);
    if (port < 0) return real.bind(s, name, len);
    Ws2Association a;
    if (port == 0)
    {
        if (ws2_associated_count && ws2_association_get(s, &a)) return bind_in_block(s, name, len, a);
        return real.bind(s, name, len);
    }
    const volatile unsigned char *view = ws2_port_view();
    if (!view || !(view_bit(view, IPHLP_TCP, port) || view_bit(view, IPHLP_UDP, port))) return real.bind(s, name, len);
    /* The slow path: the port lies in a reserved block of some protocol. */
    UINT32 proto;
    int error;
    if (!socket_proto(s, &proto, &error) || !view_bit(view, proto, port)) return real.bind(s, name, len);
    if (ws2_associated_count && ws2_association_get(s, &a) && a.proto == proto && port >= a.start_port &&
        port < a.start_port + a.num_ports)
        return real.bind(s, name, len);
    iphlp_winsock_params p = {};
    p.proto = proto;
    p.start_port = (UINT16)port;
    if (ws2_unix_call(unix_winsock_port_check, &p) && p.result == WIN_ERROR_ACCESS_DENIED) return ws2_fail(WSAEACCES);
    return real.bind(s, name, len);
}

int WSAAPI connect(SOCKET s, const sockaddr *name, int len)
{
    if (ws2_associated_count && implicit_bind(s, name, len)) return SOCKET_ERROR;
    return real.connect(s, name, len);
}

int WSAAPI WSAConnect(SOCKET s, const sockaddr *name, int len, LPWSABUF caller_data, LPWSABUF callee_data, LPQOS sqos,
                      LPQOS gqos)
{
    if (ws2_associated_count && implicit_bind(s, name, len)) return SOCKET_ERROR;
    return real.wsa_connect(s, name, len, caller_data, callee_data, sqos, gqos);
}

int WSAAPI sendto(SOCKET s, const char *buf, int buf_len, int flags, const sockaddr *to, int to_len)
{
    if (ws2_associated_count && implicit_bind(s, to, to_len)) return SOCKET_ERROR;
    return real.sendto(s, buf, buf_len, flags, to, to_len);
}

int WSAAPI WSASendTo(SOCKET s, LPWSABUF buffers, DWORD count, LPDWORD sent, DWORD flags, const sockaddr *to, int to_len,
                     LPWSAOVERLAPPED overlapped, LPWSAOVERLAPPED_COMPLETION_ROUTINE completion)
{
    if (ws2_associated_count && implicit_bind(s, to, to_len)) return SOCKET_ERROR;
    return real.wsa_send_to(s, buffers, count, sent, flags, to, to_len, overlapped, completion);
}

int WSAAPI closesocket(SOCKET s)
{
    if (ws2_associated_count) ws2_association_drop(s);
    return real.closesocket(s);
}

int WSAAPI WSAIoctl(SOCKET s, DWORD code, LPVOID in, DWORD in_len, LPVOID out, DWORD out_len, LPDWORD returned,
                    LPWSAOVERLAPPED overlapped, LPWSAOVERLAPPED_COMPLETION_ROUTINE completion)
{
    if (code == SIO_ASSOCIATE_PORT_RESERVATION || code == SIO_ACQUIRE_PORT_RESERVATION ||
        code == SIO_RELEASE_PORT_RESERVATION)
    {
        int rc;
        DWORD bytes = 0;
        if (reservation_ioctl(s, code, in, in_len, out, out_len, &bytes, &rc))
        {
            if (returned) *returned = bytes;
            /* Completed at once: an OVERLAPPED caller's event says so too (a completion port or
             * routine gets nothing: see docs/windows-behavior.md). */
            if (overlapped)
            {
                overlapped->Internal = rc ? (ULONG_PTR)GetLastError() : 0;
                overlapped->InternalHigh = bytes;
                if (overlapped->hEvent) SetEvent(overlapped->hEvent);
            }
            return rc;
        }
    }
    return real.wsa_ioctl(s, code, in, in_len, out, out_len, returned, overlapped, completion);
}

} // extern "C"
