/*
 * The unix calls between iphlpapi.dll (PE side, dll/) and iphlpbridge.so (Unix side, unix/).
 *
 * This header is compiled by MinGW for the PE side and by the host compiler for the Unix side.
 * Everything that crosses the boundary is a fixed-width field; pointers travel as uint64_t so
 * that a future i686 PE side (WoW64 thunks) sees the same layout. Every struct is checked with
 * static_assert below, and both sides include this file, so a layout drift fails the build.
 */
#ifndef IPHLP_UNIXLIB_H
#define IPHLP_UNIXLIB_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Index into __wine_unix_call_funcs[]; the order is the ABI. */
enum iphlp_unix_func
{
    unix_socket_table = 0,
    unix_reservation_create,
    unix_reservation_lookup,
    unix_reservation_delete,
    unix_reservation_list,
    /* Appended, never to move: the PE side asks it first and refuses a Unix side of another
     * build (cmake/build_id.cmake). */
    unix_build_id,
    unix_funcs_count
};

enum iphlp_proto { IPHLP_TCP = 0, IPHLP_UDP = 1 };
enum iphlp_family { IPHLP_INET4 = 4, IPHLP_INET6 = 6 };

/* Which TCP states to report. The kernel filters (inet_diag state mask), not us. */
enum iphlp_filter
{
    IPHLP_FILTER_ALL = 0,
    IPHLP_FILTER_LISTENER = 1,    /* LISTEN rows only */
    IPHLP_FILTER_CONNECTIONS = 2, /* every state except LISTEN */
};

/* iphlp_socket_table_params.flags */
#define IPHLP_WANT_OWNERS      0x1u /* resolve owning Windows PIDs (costly: only when asked) */
#define IPHLP_SORT             0x2u /* Order=TRUE: local addr, scope, port, remote addr, scope, port */
#define IPHLP_WANT_CREATE_TIME 0x4u /* fill create_time (OWNER_MODULE classes; with IPHLP_WANT_OWNERS) */
#define IPHLP_FORCE_PROCFS     0x8u /* test switch: skip netlink, read /proc/net/... */

/* iphlp_socket_table_params.source (out) */
#define IPHLP_SOURCE_NETLINK 1u
#define IPHLP_SOURCE_PROCFS  2u

/* MIB_TCP_STATE values (tcpmib.h); UDP rows carry 0. */
#define IPHLP_MIB_TCP_STATE_CLOSED     1u
#define IPHLP_MIB_TCP_STATE_LISTEN     2u
#define IPHLP_MIB_TCP_STATE_SYN_SENT   3u
#define IPHLP_MIB_TCP_STATE_SYN_RCVD   4u
#define IPHLP_MIB_TCP_STATE_ESTAB      5u
#define IPHLP_MIB_TCP_STATE_FIN_WAIT1  6u
#define IPHLP_MIB_TCP_STATE_FIN_WAIT2  7u
#define IPHLP_MIB_TCP_STATE_CLOSE_WAIT 8u
#define IPHLP_MIB_TCP_STATE_CLOSING    9u
#define IPHLP_MIB_TCP_STATE_LAST_ACK   10u
#define IPHLP_MIB_TCP_STATE_TIME_WAIT  11u

/*
 * One socket, protocol- and family-neutral. The PE side lays it out as MIB_TCPROW2,
 * MIB_TCP6ROW_OWNER_PID, MIB_UDPROW, ... Addresses and ports are in network byte order,
 * exactly as Windows reports them; an IPv4 address uses the first 4 bytes.
 */
struct iphlp_socket_row
{
    uint8_t  local_addr[16];
    uint8_t  remote_addr[16];
    uint32_t local_scope_id;
    uint32_t remote_scope_id;
    uint16_t local_port;  /* network order */
    uint16_t remote_port; /* network order */
    uint32_t state;       /* IPHLP_MIB_TCP_STATE_*, 0 for UDP */
    uint32_t owner_pid;   /* Windows PID; 0 = not a Wine process's socket, or not asked */
    uint32_t reserved;
    uint64_t create_time; /* FILETIME (100 ns since 1601) of the owner process, 0 if unknown */
};

/*
 * unix_socket_table: one kernel enumeration per call.
 * Returns STATUS_SUCCESS with rows[0..count) written when count <= capacity;
 * STATUS_BUFFER_OVERFLOW (0x80000005) with count set and nothing written otherwise
 * (capacity 0 is the cheap "how big?" probe: owners are not resolved for it);
 * another NTSTATUS on failure.
 */
struct iphlp_socket_table_params
{
    uint32_t proto;    /* enum iphlp_proto */
    uint32_t family;   /* enum iphlp_family */
    uint32_t filter;   /* enum iphlp_filter (TCP only) */
    uint32_t flags;    /* IPHLP_WANT_* | IPHLP_SORT | IPHLP_FORCE_PROCFS */
    uint64_t rows;     /* in: struct iphlp_socket_row[capacity] in the caller's address space */
    uint32_t capacity; /* in */
    uint32_t count;    /* out: number of matching sockets */
    uint32_t source;   /* out: IPHLP_SOURCE_* actually used */
    uint32_t reserved;
};

/*
 * unix_reservation_create / _lookup / _delete. The Unix side returns STATUS_SUCCESS when the
 * call itself ran and puts the Windows error code (NO_ERROR, ERROR_SHARING_VIOLATION,
 * ERROR_NOT_FOUND, ...) in `result`, because those are answers, not failures of the thunk.
 */
struct iphlp_reservation_params
{
    uint32_t proto;      /* enum iphlp_proto */
    uint16_t start_port; /* host order: the PE side converts the API's network-order StartPort */
    uint16_t num_ports;
    uint64_t token;      /* out (create, lookup) */
    uint32_t result;     /* out: Win32 error code */
    uint32_t reserved;
};

struct iphlp_reservation_entry
{
    uint16_t start_port; /* host order */
    uint16_t num_ports;
    uint32_t kernel_mirrored; /* 1 when the block was added to ip_local_reserved_ports */
    uint64_t token;
};

/* unix_reservation_list: like unix_socket_table, count is always set; entries are written
 * only when count <= capacity (result ERROR_INSUFFICIENT_BUFFER otherwise). Sorted by port. */
struct iphlp_reservation_list_params
{
    uint32_t proto;
    uint32_t capacity;
    uint64_t entries; /* struct iphlp_reservation_entry[capacity] */
    uint32_t count;   /* out */
    uint32_t result;  /* out: Win32 error code */
};

/* unix_build_id: the Unix side's IPHLP_BUILD_ID, NUL-terminated. forward_copy, when not 0, is
 * the Unix path (char *) of the prefix's iphlpwine.dll: the Unix side replaces that copy of
 * Wine's iphlpapi.dll when the running Wine's own differs (a Wine upgrade). The layout only
 * ever grows at the end. */
struct iphlp_build_id_params
{
    char id[64];           /* out */
    uint64_t forward_copy; /* in: const char *, or 0 */
};

#ifdef __cplusplus
}
#define IPHLP_STATIC_ASSERT(c, m) static_assert(c, m)
#else
#define IPHLP_STATIC_ASSERT(c, m) _Static_assert(c, m)
#endif

IPHLP_STATIC_ASSERT(sizeof(struct iphlp_socket_row) == 64, "iphlp_socket_row layout");
IPHLP_STATIC_ASSERT(__builtin_offsetof(struct iphlp_socket_row, local_port) == 40, "row ports");
IPHLP_STATIC_ASSERT(__builtin_offsetof(struct iphlp_socket_row, create_time) == 56, "row time");
IPHLP_STATIC_ASSERT(sizeof(struct iphlp_socket_table_params) == 40, "socket table params");
IPHLP_STATIC_ASSERT(__builtin_offsetof(struct iphlp_socket_table_params, rows) == 16, "rows ptr");
IPHLP_STATIC_ASSERT(sizeof(struct iphlp_reservation_params) == 24, "reservation params");
IPHLP_STATIC_ASSERT(__builtin_offsetof(struct iphlp_reservation_params, token) == 8, "token");
IPHLP_STATIC_ASSERT(sizeof(struct iphlp_reservation_entry) == 16, "reservation entry");
IPHLP_STATIC_ASSERT(sizeof(struct iphlp_reservation_list_params) == 24, "reservation list");
IPHLP_STATIC_ASSERT(sizeof(struct iphlp_build_id_params) == 72, "build id");

#endif /* IPHLP_UNIXLIB_H */
