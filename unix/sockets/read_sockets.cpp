// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Which reader runs: netlink, unless it fails or the procfs path is forced for testing.
 */
#include "sockets.h"

#include <cstdlib>
#include <cstring>

namespace iphlp {
namespace {

/* Read on every call, not cached, so a test can flip it with setenv() between calls. */
bool procfs_forced_by_environment()
{
    const char *value = getenv("IPHLP_FORCE_PROCFS");
    return value && strcmp(value, "1") == 0;
}

} // namespace

/*
 * Unlike the read_sockets_* readers, which append, this starts from an empty buffer: it is the
 * entry point, and a failed netlink dump may have appended part of a table that procfs then
 * reads again. Any netlink failure falls back (refused socket, missing inet_diag module, an error
 * reply, a malformed reply): procfs is slower but answers the same question.
 */
int read_sockets(const SocketQuery &query, bool force_procfs, SocketBuffer &out, uint32_t *source)
{
    out.clear();
    if (!force_procfs && !procfs_forced_by_environment())
    {
        *source = IPHLP_SOURCE_NETLINK;
        if (read_sockets_netlink(query, out) == 0) return 0;
        out.clear();
    }
    *source = IPHLP_SOURCE_PROCFS;
    return read_sockets_procfs(query, out);
}

} // namespace iphlp
