// SPDX-License-Identifier: LGPL-2.1-or-later
#include "tcp_connection.h"

#include <cerrno>
#include <cstring>

#include "estats_switches.h"
#include "tcp_lookup.h"
#include "unixlib.h" /* WIN_* */

namespace iphlp {

namespace {

/* Anything but "gone" on a lookup is the kernel refusing netlink itself (a sandbox): say so. */
uint32_t lookup_result(int err, const char *what)
{
    if (err == -ENOENT) return WIN_ERROR_NOT_FOUND;
    fprintf(stderr, "iphlp: %s: cannot ask the kernel for the connection (NETLINK_SOCK_DIAG: %s)\n", what,
            strerror(-err));
    return err == -ENOMEM ? WIN_ERROR_NOT_ENOUGH_MEMORY : WIN_ERROR_NOT_SUPPORTED;
}

} // namespace

void tcp_connection_call(iphlp_tcp_connection_params &params)
{
    const iphlp_tcp_key key = params.key;
    const uint32_t change = params.estats_change, values = params.estats_values;
    TcpConnection conn;
    int err = query_tcp_connection(key, conn);
    if (err)
    {
        params.result = lookup_result(err, "TCP extended statistics");
        return;
    }
    params.estats_enabled = estats_switches(conn.cookie, change, values, &key);
    params.linux_state = conn.linux_state;
    params.rqueue = conn.rqueue;
    params.wqueue = conn.wqueue;
    params.info_len = conn.info_len;
    params.cookie = conn.cookie;
    params.info = conn.info;
    params.result = WIN_NO_ERROR;
}

/* Linux's TCP states (include/net/tcp_states.h). */
constexpr unsigned LINUX_TCP_TIME_WAIT = 6, LINUX_TCP_LISTEN = 10;

uint32_t destroy_result(int err, FILE *log)
{
    switch (-err)
    {
    case 0: return WIN_NO_ERROR;
    case ENOENT: /* gone since the lookup */
    case ESTALE: /* the 4-tuple now names another socket: not the one asked for */ return WIN_ERROR_NOT_FOUND;
    case EPERM:
    case EACCES:
        if (log)
            fprintf(log,
                    "iphlp: SetTcpEntry: the kernel refused to close the connection: SOCK_DESTROY needs "
                    "CAP_NET_ADMIN in the network namespace (%s)\n",
                    strerror(-err));
        return WIN_ERROR_ACCESS_DENIED;
    case EOPNOTSUPP:
        if (log)
            fprintf(log,
                    "iphlp: SetTcpEntry: this kernel cannot close connections (SOCK_DESTROY: %s; "
                    "built without CONFIG_INET_DIAG_DESTROY?)\n",
                    strerror(-err));
        return WIN_ERROR_NOT_SUPPORTED;
    default:
        if (log) fprintf(log, "iphlp: SetTcpEntry: SOCK_DESTROY failed: %s\n", strerror(-err));
        return -err == ENOMEM ? WIN_ERROR_NOT_ENOUGH_MEMORY : WIN_ERROR_INTERNAL_ERROR;
    }
}

void tcp_connection_destroy_call(iphlp_tcp_connection_params &params)
{
    const iphlp_tcp_key key = params.key;
    TcpConnection conn;
    int err = query_tcp_connection(key, conn);
    if (err)
    {
        params.result = lookup_result(err, "SetTcpEntry");
        return;
    }
    /* SetTcpEntry "operates only on active connections" (Microsoft's SetTcpEntry page; MIB-II's
     * deleteTCB terminates "the corresponding connection"): a listener's row (its remote end
     * 0.0.0.0:0 finds the listener itself) and a TIME_WAIT leftover are no connection to close.
     * Before, SOCK_DESTROY closed the listener and removed the TIME_WAIT entry. */
    if (conn.linux_state == LINUX_TCP_LISTEN || conn.linux_state == LINUX_TCP_TIME_WAIT)
    {
        params.result = WIN_ERROR_NOT_FOUND;
        return;
    }
    err = destroy_tcp_connection(key, conn.cookie);
    params.kernel_errno = static_cast<uint32_t>(-err);
    params.result = destroy_result(err, stderr);
    if (params.result == WIN_NO_ERROR) estats_switches(conn.cookie, ~0u, 0);
}

} // namespace iphlp
