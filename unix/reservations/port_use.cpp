// SPDX-License-Identifier: LGPL-2.1-or-later
/* Ports in use; see port_use.h. */
#include "port_use.h"

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "scratch_buffer.h"
#include "sockets.h"

namespace iphlp {

namespace {

bool in_block(const SocketBuffer &records, uint16_t first, uint16_t last, bool skip_time_wait)
{
    for (const auto &rec : records)
    {
        uint16_t port = ntohs(rec.row.local_port);
        if (port < first || port > last) continue;
        if (skip_time_wait && rec.row.state == IPHLP_MIB_TCP_STATE_TIME_WAIT) continue;
        return true;
    }
    return false;
}

/* Whether this kernel's socket dump lists bound-only TCP sockets (Linux 6.8): a socket of our
 * own bound to an ephemeral port of 0.0.0.0 (no interface needs to be up), neither listening nor
 * connected, must show up. Asked once per process; older kernels ignore the state bit and list
 * nothing. */
bool kernel_lists_bound_sockets()
{
    static std::once_flag once;
    static bool lists = false;
    std::call_once(once, [] {
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) return;
        struct sockaddr_in a4;
        memset(&a4, 0, sizeof(a4));
        a4.sin_family = AF_INET;
        a4.sin_addr.s_addr = htonl(INADDR_ANY);
        socklen_t len = sizeof(a4);
        SocketBuffer records;
        if (bind(fd, reinterpret_cast<sockaddr *>(&a4), sizeof(a4)) == 0 &&
            getsockname(fd, reinterpret_cast<sockaddr *>(&a4), &len) == 0 &&
            read_sockets_netlink({IPHLP_TCP, IPHLP_INET4, IPHLP_FILTER_ALL, true}, records) == 0)
            lists = in_block(records, ntohs(a4.sin_port), ntohs(a4.sin_port), false);
        close(fd);
    });
    return lists;
}

/* Kernels before 6.8: a probe bind of the port without SO_REUSEADDR, dual-stack [::] (else
 * 0.0.0.0), which fails on every socket holding the port whatever its options. It also fails
 * on TIME_WAIT leftovers, so there such a port reads as in use (docs/reservations.md). The probe
 * holds the port for the microseconds between bind and close. */
PortUse probe_tcp_bind(uint16_t port)
{
    int fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int rc, err;
    const int off = 0;
    if (fd >= 0)
    {
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off));
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
    /* The bound-inactive dump needs netlink: where the tables come from /proc/net (netlink
     * refused, or the fallback forced), and on kernels before 6.8, the probe binds answer. */
    bool probe = proto == IPHLP_TCP && !kernel_lists_bound_sockets();
    for (uint32_t family : {IPHLP_INET4, IPHLP_INET6})
    {
        uint32_t source;
        if (read_sockets({proto, family, IPHLP_FILTER_ALL}, false, records, &source)) return PortUse::unknown;
        if (in_block(records, first, last, true)) return PortUse::in_use;
        if (proto != IPHLP_TCP || probe) continue;
        records.clear();
        if (source != IPHLP_SOURCE_NETLINK || read_sockets_netlink({proto, family, IPHLP_FILTER_ALL, true}, records))
            probe = true;
        else if (in_block(records, first, last, false))
            return PortUse::in_use;
    }
    if (probe)
        for (uint32_t port = first; port <= last; port++)
        {
            PortUse use = probe_tcp_bind(uint16_t(port));
            if (use != PortUse::free) return use;
        }
    return PortUse::free;
}

} // namespace iphlp
