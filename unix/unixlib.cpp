// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * iphlp-unix.so: the functions behind iphlpapi.dll's unix calls, one per entry of
 * enum iphlp_unix_func (include/unixlib.h). The loader Wine attaches (iphlpbridge.so,
 * bridge_loader.c) dlopen()s this library, finds the table by the exported symbol
 * iphlp_unix_funcs and forwards each call with the PE side's parameter struct.
 */
#include <arpa/inet.h>
#include <cstdio>
#include <cstdlib>
#include <mutex>

#include "call_guard.h"
#include "forward_refresh.h"
#include "iphlp_build_id.h"
#include "owner_resolver.h"
#include "port_use.h"
#include "port_view.h"
#include "runtime_blocks.h"
#include "winsock_blocks.h"
#include "reservation_rules.h"
#include "row_order.h"
#include "scratch_buffer.h"
#include "socket_times.h"
#include "sockets.h"
#include "tcp_connection.h"
#include "unixlib.h"
#include "owner_file.h"
#include "wine_handle_source.h"
#include "wine_ntdll.h"

using namespace iphlp;
using wine::NTSTATUS;

namespace {

/* The owner cache is shared by the threads of a process; resolving is serialized. */
std::mutex owner_mutex;
WineHandleSource wine_handles;
OwnerFile owner_file;
OwnerResolver owners(wine_handles, &owner_file);
SocketFirstSeen first_seen; /* guarded by owner_mutex */

bool debugging()
{
    static const bool enabled = [] {
        const char *v = getenv("IPHLP_DEBUG");
        return v && *v == '1';
    }();
    return enabled;
}

/* IPHLP_DEBUG=1: one line per table call on stderr, naming the reader that answered. */
void trace_table(const iphlp_socket_table_params &p, uint32_t source)
{
    if (!debugging()) return;
    fprintf(stderr, "iphlp: %s%s table: %u rows from %s\n", p.proto == IPHLP_TCP ? "tcp" : "udp",
            p.family == IPHLP_INET4 ? "4" : "6", p.count, source == IPHLP_SOURCE_NETLINK ? "netlink" : "procfs");
}

/* ... and what finding the owners took. */
void trace_owners(const OwnerWork &w)
{
    if (!debugging()) return;
    fprintf(stderr,
            "iphlp: owners: %u Wine sockets%s%s%s%s%s, %u handles probed (%u borrowed checked), %u without owner\n",
            w.wine_sockets,
            w.server_fds_unknown ? ", wineserver fds unreadable"
            : w.read_server_fds  ? ", wineserver fds read"
                                 : "",
            w.listed ? ", processes listed" : "", w.loaded ? ", shared map read" : "",
            w.confirmed ? ", its processes confirmed" : "", w.saved ? ", shared map written" : "", w.probed, w.verified,
            w.unresolved);
}

NTSTATUS read_socket_table(void *args)
{
    auto *params = static_cast<iphlp_socket_table_params *>(args);
    if (params->proto > IPHLP_UDP || (params->family != IPHLP_INET4 && params->family != IPHLP_INET6) ||
        params->filter > IPHLP_FILTER_CONNECTIONS || (params->capacity && !params->rows))
        return wine::STATUS_INVALID_PARAMETER;

    thread_local SocketBuffer records;
    ScratchScope<SocketRecord> release(records);
    SocketQuery query = {params->proto, params->family, params->filter};
    uint32_t source = 0;
    if (read_sockets(query, false, records, &source)) return wine::STATUS_UNSUCCESSFUL;
    /* After the enumeration: every socket it listed was created before this moment. */
    const uint64_t listed_by = filetime_now();

    params->count = (uint32_t)records.size();
    trace_table(*params, source);
    if (params->count > params->capacity) return wine::STATUS_BUFFER_OVERFLOW;
    if (params->flags & IPHLP_WANT_OWNERS)
    {
        std::lock_guard<std::mutex> lock(owner_mutex);
        trace_owners(owners.resolve(records));
        /* The first time this process saw each socket: never before its creation (socket_times.h).
         * Noted by every call that resolves owners (only owned rows cost anything), so that an
         * OWNER_PID call made before the OWNER_MODULE one already pins the time down. */
        first_seen.fill(records, params->proto * 2 + (params->family == IPHLP_INET6), listed_by,
                        params->filter == IPHLP_FILTER_ALL, params->flags & IPHLP_WANT_CREATE_TIME);
    }
    auto *out = reinterpret_cast<iphlp_socket_row *>(static_cast<uintptr_t>(params->rows));
    copy_rows(records, params->flags & IPHLP_SORT, out);
    return wine::STATUS_SUCCESS;
}

/* What "in use" means, including TCP sockets that are only bound: port_use.h. */
PortUse port_in_use(uint32_t proto, uint16_t first, uint16_t last) { return ports_in_use(proto, first, last); }

const StoreConfig &store_config()
{
    static const StoreConfig config = [] {
        StoreConfig c = default_store_config();
        c.port_in_use = port_in_use;
        c.runtime_ports = runtime_live_ports;
        return c;
    }();
    return config;
}

/* The parameters are copied in before and the results out after the store's calls, so that a
 * fault on the caller's memory never happens while the store holds its mutex or the kernel
 * list's lock: a read-only params page must not leave the mutex held forever. */
NTSTATUS reservation_call(void *args, int op)
{
    auto *p = static_cast<iphlp_reservation_params *>(args);
    const uint32_t proto = p->proto;
    const uint16_t start = p->start_port, count = p->num_ports;
    if (proto > IPHLP_UDP) return wine::STATUS_INVALID_PARAMETER;
    uint64_t token = 0;
    uint32_t result;
    switch (op)
    {
    case unix_reservation_create: result = reservation_create(store_config(), proto, start, count, &token); break;
    case unix_reservation_lookup: result = reservation_lookup(store_config(), proto, start, count, &token); break;
    default: result = reservation_delete(store_config(), proto, start, count); break;
    }
    /* A new or deleted block changes which binds the ws2_32 companion refuses (port_view.h). */
    if (result == WIN_NO_ERROR && op != unix_reservation_lookup) port_view_refresh(store_config());
    if (result == WIN_NO_ERROR && op != unix_reservation_delete) p->token = token;
    p->result = result;
    return wine::STATUS_SUCCESS;
}

/* The block of a token, or of a port (token 0), among blocks of both kinds. */
uint32_t find_block(const std::vector<PortBlock> &blocks, uint64_t token, uint32_t proto, uint16_t port,
                    PortBlock *found)
{
    for (const PortBlock &b : blocks)
        if (token ? b.token == token : (b.proto == proto && b.contains(port)))
        {
            *found = b;
            return WIN_NO_ERROR;
        }
    return WIN_ERROR_NOT_FOUND;
}

} // namespace

/* The entries of iphlp_unix_funcs[], one per IPHLP_UNIX_CALLS name (include/unixlib.h). */
namespace entry {

NTSTATUS socket_table(void *args) { return read_socket_table(args); }
NTSTATUS reservation_create(void *args) { return reservation_call(args, unix_reservation_create); }
NTSTATUS reservation_lookup(void *args) { return reservation_call(args, unix_reservation_lookup); }
NTSTATUS reservation_delete(void *args) { return reservation_call(args, unix_reservation_delete); }

NTSTATUS reservation_list(void *args)
{
    auto *p = static_cast<iphlp_reservation_list_params *>(args);
    if (p->proto > IPHLP_UDP || (p->capacity && !p->entries)) return wine::STATUS_INVALID_PARAMETER;
    std::vector<Reservation> list;
    p->result = iphlp::reservation_list(store_config(), p->proto, list);
    if (p->result) return wine::STATUS_SUCCESS;
    p->count = (uint32_t)list.size();
    if (p->count > p->capacity)
    {
        p->result = WIN_ERROR_INSUFFICIENT_BUFFER;
        return wine::STATUS_SUCCESS;
    }
    auto *out = reinterpret_cast<iphlp_reservation_entry *>(static_cast<uintptr_t>(p->entries));
    for (size_t i = 0; i < list.size(); i++)
        out[i] = {list[i].start_port, list[i].num_ports,
                  list[i].kernel_mirrored ? IPHLP_RESERVATION_KERNEL_MIRRORED : 0u, list[i].token};
    return wine::STATUS_SUCCESS;
}

NTSTATUS tcp_connection(void *args)
{
    auto *p = static_cast<iphlp_tcp_connection_params *>(args);
    if (p->key.family != IPHLP_INET4 && p->key.family != IPHLP_INET6) return wine::STATUS_INVALID_PARAMETER;
    tcp_connection_call(*p);
    return wine::STATUS_SUCCESS;
}

NTSTATUS tcp_connection_destroy(void *args)
{
    auto *p = static_cast<iphlp_tcp_connection_params *>(args);
    if (p->key.family != IPHLP_INET4 && p->key.family != IPHLP_INET6) return wine::STATUS_INVALID_PARAMETER;
    tcp_connection_destroy_call(*p);
    return wine::STATUS_SUCCESS;
}

/* The id of this build (cmake/build_id.cmake); the same literal is readable in the file
 * ("iphlp build ID") for a person or a script checking which build is installed. */
const char BUILD_MARKER[] = "iphlp build " IPHLP_BUILD_ID;

NTSTATUS build_id(void *args)
{
    auto *p = static_cast<iphlp_build_id_params *>(args);
    /* Read through a volatile pointer: the answer must come from the string in the file (what
     * setup.sh and a person check), not from a copy the compiler folded into the code. */
    const char *volatile marker = BUILD_MARKER;
    const char *id = marker + sizeof("iphlp build ") - 1;
    snprintf(p->id, sizeof(p->id), "%s", id);
    return wine::STATUS_SUCCESS;
}

NTSTATUS refresh_forward_copy(void *args)
{
    auto *p = static_cast<iphlp_forward_copy_params *>(args);
    if (!p->path) return wine::STATUS_INVALID_PARAMETER;
    iphlp::refresh_forward_copy(reinterpret_cast<const char *>(static_cast<uintptr_t>(p->path)));
    return wine::STATUS_SUCCESS;
}

/* The ws2_32 companion's calls (include/unixlib.h). Parameters are copied in first and results
 * out last, as for the reservation calls above. */
NTSTATUS winsock_port_view(void *args)
{
    auto *p = static_cast<iphlp_winsock_params *>(args);
    const uint8_t *view = nullptr;
    const uint32_t result = port_view_map(store_config(), &view);
    p->view = result ? 0 : (uint64_t)(uintptr_t)view;
    p->result = result;
    return wine::STATUS_SUCCESS;
}

NTSTATUS winsock_token(void *args)
{
    auto *p = static_cast<iphlp_winsock_params *>(args);
    const uint64_t token = p->token;
    PortBlock b = {};
    std::vector<PortBlock> blocks;
    uint32_t result = token ? all_blocks(store_config(), blocks) : WIN_ERROR_NOT_FOUND;
    if (!result) result = find_block(blocks, token, 0, 0, &b);
    if (!result) *p = {b.token, 0, b.proto, b.start_port, b.num_ports, 0, 0};
    p->result = result;
    return wine::STATUS_SUCCESS;
}

NTSTATUS winsock_port_check(void *args)
{
    auto *p = static_cast<iphlp_winsock_params *>(args);
    const uint32_t proto = p->proto;
    const uint16_t port = p->start_port;
    if (proto > IPHLP_UDP) return wine::STATUS_INVALID_PARAMETER;
    /* One read of the blocks, under the view's lock: the answer comes from it, and a stale bit (a
     * dead process's runtime block, reclaimed by that read) is cleared from the same read. */
    const PortViewSync sync = port_view_sync(store_config());
    PortBlock b = {};
    const uint32_t found = sync.blocks_result ? sync.blocks_result : find_block(sync.blocks, 0, proto, port, &b);
    if (!found) *p = {b.token, 0, b.proto, b.start_port, b.num_ports, 0, 0};
    p->result = found == WIN_ERROR_NOT_FOUND ? WIN_NO_ERROR : found ? found : WIN_ERROR_ACCESS_DENIED;
    return wine::STATUS_SUCCESS;
}

NTSTATUS winsock_acquire(void *args)
{
    auto *p = static_cast<iphlp_winsock_params *>(args);
    const uint32_t proto = p->proto;
    const uint16_t start = p->start_port, count = p->num_ports;
    uint64_t token = 0;
    uint16_t first = 0;
    const uint32_t result = runtime_acquire(store_config(), proto, start, count, &token, &first);
    if (!result) port_view_refresh(store_config());
    if (!result)
    {
        p->token = token;
        p->start_port = first;
    }
    p->result = result;
    return wine::STATUS_SUCCESS;
}

NTSTATUS winsock_release(void *args)
{
    auto *p = static_cast<iphlp_winsock_params *>(args);
    const uint64_t token = p->token;
    const uint32_t result = runtime_release(store_config(), token);
    if (!result) port_view_refresh(store_config());
    p->result = result;
    return wine::STATUS_SUCCESS;
}

/* The loader answers this call itself (bridge_loader.c); this library, once loaded, is loaded. */
NTSTATUS load_status(void *args)
{
    static_cast<iphlp_load_status_params *>(args)->text[0] = 0;
    return wine::STATUS_SUCCESS;
}

} // namespace entry

/* Every entry behind the exception barrier (call_guard.h), in the order of IPHLP_UNIX_CALLS. The
 * only symbol the library exports (iphlp-unix.map). */
#define IPHLP_UNIX_ENTRY(name) guarded<entry::name>,
extern "C" __attribute__((visibility("default")))
const UnixEntry iphlp_unix_funcs[] = {IPHLP_UNIX_CALLS(IPHLP_UNIX_ENTRY)};
#undef IPHLP_UNIX_ENTRY
static_assert(sizeof(iphlp_unix_funcs) / sizeof(iphlp_unix_funcs[0]) == unix_funcs_count,
              "one entry per IPHLP_UNIX_CALLS name");
