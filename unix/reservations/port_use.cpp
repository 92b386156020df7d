// SPDX-License-Identifier: LGPL-2.1-or-later
/* Ports in use; see port_use.h. */
#include "port_use.h"

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "scratch_buffer.h"
#include "sockets.h"

namespace iphlp {

namespace {

/* in_use when binding port fails with EADDRINUSE; unknown when no socket can be made. The
 * probe holds the port for the microseconds between bind and close: a program binding exactly
 * then without SO_REUSEADDR would fail, a window we accept for an administrative call. */
PortUse probe_tcp_bind(uint16_t port)
{
    /* [::] with IPV6_V6ONLY off conflicts with IPv4 and IPv6 binds alike; without IPv6, 0.0.0.0. */
    int fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int rc, err;
    const int on = 1, off = 0;
    if (fd >= 0)
    {
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off));
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
        struct sockaddr_in6 a6;
        memset(&a6, 0, sizeof(a6));
        a6.sin6_family = AF_INET6;
        a6.sin6_addr = in6addr_any;
        a6.sin6_port = htons(port);
        rc = bind(fd, reinterpret_cast<sockaddr *>(&a6), sizeof(a6));
        err = errno;
        close(fd);
        if (rc == 0) return PortUse::free;
        if (err == EADDRINUSE) return PortUse::in_use;
        if (err != EADDRNOTAVAIL && err != EAFNOSUPPORT) return PortUse::unknown;
    }
    fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return PortUse::unknown;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
    struct sockaddr_in a4;
    memset(&a4, 0, sizeof(a4));
    a4.sin_family = AF_INET;
    a4.sin_addr.s_addr = htonl(INADDR_ANY);
    a4.sin_port = htons(port);
    rc = bind(fd, reinterpret_cast<sockaddr *>(&a4), sizeof(a4));
    err = errno;
    close(fd);
    if (rc == 0) return PortUse::free;
    return err == EADDRINUSE ? PortUse::in_use : PortUse::unknown;
}

} // namespace

PortUse ports_in_use(uint32_t proto, uint16_t first, uint16_t last)
{
    thread_local SocketBuffer records;
    ScratchScope<SocketRecord> release(records);
    for (uint32_t family : {IPHLP_INET4, IPHLP_INET6})
    {
        uint32_t source;
        if (read_sockets({proto, family, IPHLP_FILTER_ALL}, false, records, &source)) return PortUse::unknown;
        for (const auto &rec : records)
        {
            uint16_t port = ntohs(rec.row.local_port);
            if (port >= first && port <= last && rec.row.state != IPHLP_MIB_TCP_STATE_TIME_WAIT) return PortUse::in_use;
        }
    }
    if (proto == IPHLP_TCP)
        for (uint32_t port = first; port <= last; port++)
        {
            PortUse use = probe_tcp_bind(uint16_t(port));
            if (use != PortUse::free) return use;
        }
    return PortUse::free;
}

} // namespace iphlp
