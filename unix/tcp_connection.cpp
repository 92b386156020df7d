#include "tcp_connection.h"

#include <cerrno>
#include <cstring>
#include <mutex>
#include <unordered_map>

#include "reservation_store.h" /* WIN_* */
#include "socket_source.h"

namespace iphlp {

namespace {

std::mutex switches_mutex;
struct Switches
{
    uint32_t bits;
    iphlp_tcp_key key; /* to find out, later, whether the socket still exists */
};
std::unordered_map<uint64_t, Switches> switches; /* socket cookie -> ESTATS switches */
size_t prune_at = 256;

/* Forget the switches of sockets that are gone (a connection closed without SetTcpEntry or an
 * all-off Set). Runs when the table has doubled since the last pruning, so its cost is
 * amortized over the Sets that grew it: one exact lookup per entry. */
void prune_switches()
{
    for (auto it = switches.begin(); it != switches.end();)
    {
        TcpConnection conn;
        int err = query_tcp_connection(it->second.key, conn);
        if (err == -ENOENT || err == -EINVAL || (!err && conn.cookie != it->first))
            it = switches.erase(it);
        else
            ++it;
    }
    prune_at = switches.size() * 2 > 256 ? switches.size() * 2 : 256;
}

/* Anything but "gone" on a lookup is the kernel refusing netlink itself (a sandbox): say so. */
uint32_t lookup_result(int err, const char *what)
{
    if (err == -ENOENT) return WIN_ERROR_NOT_FOUND;
    fprintf(stderr, "iphlp: %s: cannot ask the kernel for the connection (NETLINK_SOCK_DIAG: %s)\n", what,
            strerror(-err));
    return err == -ENOMEM ? WIN_ERROR_NOT_ENOUGH_MEMORY : WIN_ERROR_NOT_SUPPORTED;
}

} // namespace

uint32_t estats_switches(uint64_t cookie, uint32_t change, uint32_t values, const iphlp_tcp_key *key)
{
    std::lock_guard<std::mutex> lock(switches_mutex);
    auto it = switches.find(cookie);
    uint32_t current = it == switches.end() ? 0 : it->second.bits;
    if (!change) return current;
    current = (current & ~change) | (values & change);
    if (it != switches.end() && !current)
        switches.erase(it);
    else if (it != switches.end())
        it->second.bits = current;
    else if (current)
    {
        switches.emplace(cookie, Switches{current, key ? *key : iphlp_tcp_key{}});
        if (switches.size() >= prune_at) prune_switches();
    }
    return current;
}

size_t estats_switches_size()
{
    std::lock_guard<std::mutex> lock(switches_mutex);
    return switches.size();
}

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

uint32_t destroy_result(int err, FILE *log)
{
    switch (-err)
    {
    case 0:
        return WIN_NO_ERROR;
    case ENOENT: /* gone since the lookup */
    case ESTALE: /* the 4-tuple now names another socket: not the one asked for */
        return WIN_ERROR_NOT_FOUND;
    case EPERM:
    case EACCES:
        if (log)
            fprintf(log, "iphlp: SetTcpEntry: the kernel refused to close the connection: SOCK_DESTROY needs "
                         "CAP_NET_ADMIN in the network namespace (%s)\n", strerror(-err));
        return WIN_ERROR_ACCESS_DENIED;
    case EOPNOTSUPP:
        if (log)
            fprintf(log, "iphlp: SetTcpEntry: this kernel cannot close connections (SOCK_DESTROY: %s; "
                         "built without CONFIG_INET_DIAG_DESTROY?)\n", strerror(-err));
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
    err = destroy_tcp_connection(key, conn.cookie);
    params.kernel_errno = static_cast<uint32_t>(-err);
    params.result = destroy_result(err, stderr);
    if (params.result == WIN_NO_ERROR) estats_switches(conn.cookie, ~0u, 0);
}

} // namespace iphlp
