// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The unix calls between iphlpapi.dll (PE side, dll/) and iphlpbridge.so (Unix side, unix/).
 *
 * This header is compiled by MinGW for the PE side and by the host compiler for the Unix side.
 * Everything that crosses the boundary is a fixed-width field; pointers travel as uint64_t so
 * that the x86_64 and i686 PE sides (and a WoW64 thunk, should one come) see one layout. Every struct is checked with
 * static_assert below, and both sides include this file, so a layout drift fails the build.
 */
#ifndef IPHLP_UNIXLIB_H
#define IPHLP_UNIXLIB_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The unix calls, in table order: the order is the ABI. This one list makes both the enum below
 * (unix_NAME, the PE side's index) and the Unix side's __wine_unix_call_funcs[] (unix/unixlib.cpp,
 * whose entry for NAME is the function entry::NAME), so the two cannot drift apart. Entries are
 * only ever appended: build_id must keep its index, because the PE side asks it first and
 * refuses a Unix side of another build (cmake/build_id.cmake).
 */
#define IPHLP_UNIX_CALLS(X)                                                                                            \
    X(socket_table)       /* one kernel enumeration of a TCP or UDP table */                                           \
    X(reservation_create) /* the persistent port reservation store */                                                  \
    X(reservation_lookup)                                                                                              \
    X(reservation_delete)                                                                                              \
    X(reservation_list)                                                                                                \
    X(build_id)               /* the Unix side's build id, nothing else */                                             \
    X(tcp_connection)         /* one connection's tcp_info; ESTATS collection switches */                              \
    X(tcp_connection_destroy) /* SOCK_DESTROY: SetTcpEntry(MIB_TCP_STATE_DELETE_TCB) */                                \
    X(refresh_forward_copy)   /* keep the prefix's iphlpwine.dll the running Wine's */                                 \
    X(winsock_port_view)      /* the ws2_32 companion (ws2/, unix/winsock/), iphlp_winsock_params: */                  \
    X(winsock_token)          /*   the block of a reservation token */                                                 \
    X(winsock_port_check)     /*   is this port reserved right now? */                                                 \
    X(winsock_acquire)        /*   SIO_ACQUIRE_PORT_RESERVATION */                                                     \
    X(winsock_release)        /*   SIO_RELEASE_PORT_RESERVATION */                                                     \
    X(load_status)            /* did the bridge load the Unix side? dlerror()'s text when not */

enum iphlp_unix_func
{
#define IPHLP_UNIX_ENUM(name) unix_##name,
    IPHLP_UNIX_CALLS(IPHLP_UNIX_ENUM)
#undef IPHLP_UNIX_ENUM
        unix_funcs_count
};

enum iphlp_proto
{
    IPHLP_TCP = 0,
    IPHLP_UDP = 1
};
enum iphlp_family
{
    IPHLP_INET4 = 4,
    IPHLP_INET6 = 6
};

/* Which TCP states to report. The netlink reader hands the kernel the matching state mask (and
 * checks each row again); the /proc/net fallback filters as it parses. */
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
    uint8_t local_addr[16];
    uint8_t remote_addr[16];
    uint32_t local_scope_id;
    uint32_t remote_scope_id;
    uint16_t local_port;  /* network order */
    uint16_t remote_port; /* network order */
    uint32_t state;       /* IPHLP_MIB_TCP_STATE_*, 0 for UDP */
    uint32_t owner_pid;   /* Windows PID; 0 = not a Wine process's socket, or not asked */
    uint32_t reserved;
    /* FILETIME (100 ns since 1601) when this process first saw the socket: never before its
     * creation (docs/estats.md); 0 if unknown */
    uint64_t create_time;
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
    uint32_t flags;    /* IPHLP_WANT_* | IPHLP_SORT */
    uint64_t rows;     /* in: struct iphlp_socket_row[capacity] in the caller's address space */
    uint32_t capacity; /* in */
    uint32_t count;    /* out: number of matching sockets */
    uint32_t reserved[2];
};

/*
 * unix_reservation_create / _lookup / _delete. The Unix side returns STATUS_SUCCESS when the
 * call itself ran and puts the Windows error code in `result`, because those are answers, not
 * failures of the thunk. The codes it can answer (winerror.h values; the Unix side has no
 * winerror.h, the PE side checks each against it). A fixed uint32_t type in C++, so that they
 * mix with the uint32_t results they are compared with and returned as.
 */
#ifdef __cplusplus
enum : uint32_t
#else
enum
#endif
{
    WIN_NO_ERROR = 0,
    WIN_ERROR_ACCESS_DENIED = 5,
    WIN_ERROR_NOT_ENOUGH_MEMORY = 8,
    WIN_ERROR_SHARING_VIOLATION = 32,
    WIN_ERROR_NOT_SUPPORTED = 50,
    WIN_ERROR_INVALID_PARAMETER = 87,
    WIN_ERROR_OPEN_FAILED = 110, /* the store cannot be opened (permissions, missing dir) */
    WIN_ERROR_DISK_FULL = 112,
    WIN_ERROR_INSUFFICIENT_BUFFER = 122,
    WIN_ERROR_NOT_FOUND = 1168,
    WIN_ERROR_INTERNAL_ERROR = 1359,
    WIN_ERROR_FILE_CORRUPT = 1392, /* the store file is not a valid database */
    WIN_ERROR_TIMEOUT = 1460,      /* the kernel list's lock stayed held past its bound */
};

struct iphlp_reservation_params
{
    uint32_t proto;      /* enum iphlp_proto */
    uint16_t start_port; /* host order: the PE side converts the API's network-order StartPort */
    uint16_t num_ports;
    uint64_t token;  /* out (create, lookup) */
    uint32_t result; /* out: Win32 error code */
    uint32_t reserved;
};

/* iphlp_reservation_entry.flags; handed out unchanged as IPHLP_PORT_RESERVATION.Flags
 * (include/iphlp_private.h). */
#define IPHLP_RESERVATION_KERNEL_MIRRORED 0x1u /* every port is in ip_local_reserved_ports */

struct iphlp_reservation_entry
{
    uint16_t start_port; /* host order */
    uint16_t num_ports;
    uint32_t flags; /* IPHLP_RESERVATION_* */
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

/*
 * Linux's struct tcp_info (uapi linux/tcp.h) up to tcpi_total_rto_time (Linux 6.7), spelled out
 * here so that neither side depends on the headers it was built with. The kernel only ever
 * appends fields; a field past the length the kernel sent (info_len) reads 0. The byte that holds
 * the two 4-bit window scales is `wscale`: snd_wscale in the low nibble, rcv_wscale in the high.
 */
struct iphlp_linux_tcp_info
{
    uint8_t state, ca_state, retransmits, probes, backoff, options, wscale, rate_flags;
    uint32_t rto, ato, snd_mss, rcv_mss;
    uint32_t unacked, sacked, lost, retrans, fackets;
    uint32_t last_data_sent, last_ack_sent, last_data_recv, last_ack_recv;
    uint32_t pmtu, rcv_ssthresh, rtt, rttvar, snd_ssthresh, snd_cwnd, advmss, reordering;
    uint32_t rcv_rtt, rcv_space;
    uint32_t total_retrans;
    uint64_t pacing_rate, max_pacing_rate, bytes_acked, bytes_received;
    uint32_t segs_out, segs_in;
    uint32_t notsent_bytes, min_rtt, data_segs_in, data_segs_out;
    uint64_t delivery_rate;
    uint64_t busy_time, rwnd_limited, sndbuf_limited;
    uint32_t delivered, delivered_ce;
    uint64_t bytes_sent, bytes_retrans;
    uint32_t dsack_dups, reord_seen;
    uint32_t rcv_ooopack;
    uint32_t snd_wnd;
    uint32_t rcv_wnd;
    uint32_t rehash;
    uint16_t total_rto, total_rto_recoveries;
    uint32_t total_rto_time;
} __attribute__((aligned(8)));

/* One TCP connection as MIB_TCPROW / MIB_TCP6ROW name it. Ports in network order. */
struct iphlp_tcp_key
{
    uint8_t local_addr[16]; /* IPv4: the first 4 bytes */
    uint8_t remote_addr[16];
    uint32_t local_scope_id; /* IPv6 link-local only: the interface the kernel looks it up on */
    uint16_t local_port;
    uint16_t remote_port;
    uint32_t family; /* enum iphlp_family */
    uint32_t reserved;
};

/* iphlp_tcp_connection_params.estats_*: one bit per TCP_ESTATS_TYPE (1 << type). */

/*
 * unix_tcp_connection: finds exactly the connection of `key` (same addresses and ports; the
 * kernel's lookup falls back to a listener, which is not taken for a connection) and reads its
 * tcp_info and queues. With estats_change non-zero, also sets the collection switches of the
 * types in estats_change to the bits of estats_values, remembered for this socket (its kernel
 * cookie) in this process. STATUS_SUCCESS with result NO_ERROR, ERROR_NOT_FOUND, ...
 *
 * unix_tcp_connection_destroy: the same lookup, then SOCK_DESTROY of that very socket (its
 * cookie). result: NO_ERROR, ERROR_NOT_FOUND, ERROR_ACCESS_DENIED (the kernel refused: no
 * CAP_NET_ADMIN), ERROR_NOT_SUPPORTED (kernel without SOCK_DESTROY); the refusals print one
 * line on stderr. kernel_errno is the kernel's answer (0 or a positive errno).
 */
struct iphlp_tcp_connection_params
{
    struct iphlp_tcp_key key; /* in */
    uint32_t estats_change;   /* in */
    uint32_t estats_values;   /* in */
    uint32_t estats_enabled;  /* out: the switches after this call */
    uint32_t result;          /* out: Win32 error code */
    uint32_t linux_state;     /* out: TCP_ESTABLISHED ... */
    uint32_t rqueue;          /* out: inet_diag idiag_rqueue (received, not yet read) */
    uint32_t wqueue;          /* out: inet_diag idiag_wqueue (sent, not yet acknowledged) */
    uint32_t info_len;        /* out: bytes of tcp_info the kernel sent (0: none) */
    uint32_t kernel_errno;    /* out */
    uint32_t reserved;
    uint64_t cookie;                  /* out: the socket's kernel cookie */
    struct iphlp_linux_tcp_info info; /* out */
};

/* unix_build_id: the Unix side's IPHLP_BUILD_ID, NUL-terminated. This layout is what every build's
 * PE side sends first, so it never changes: the second field is unused (0) since refreshing
 * iphlpwine.dll became its own call. */
struct iphlp_build_id_params
{
    char id[64];     /* out */
    uint64_t unused; /* in: 0 */
};

/* unix_refresh_forward_copy: path is the Unix path (char *) of the prefix's iphlpwine.dll; the
 * Unix side replaces that copy of Wine's iphlpapi.dll when the running Wine's own differs (a Wine
 * upgrade). Failures are reported on stderr and change nothing: the call always succeeds. */
struct iphlp_forward_copy_params
{
    uint64_t path; /* in: const char *, not 0 */
};

/* unix_load_status: iphlpbridge.so is a loader that dlopen()s the Unix side (iphlp-unix.so beside
 * it) on the first call that needs it (docs/design.md, "The loader"). This call makes that first
 * load happen and answers STATUS_SUCCESS with `text` empty when it worked, or STATUS_DLL_NOT_FOUND
 * with what failed (dlerror()'s words, naming a missing library) NUL-terminated in `text`. */
struct iphlp_load_status_params
{
    char text[1024]; /* out */
};

/*
 * The ws2_32 companion's calls, one parameter struct for all. result is a Win32 code.
 *
 * unix_winsock_port_view: maps the reserved-port view (unix/winsock/port_view.h) read-only into
 *   the process and returns its address in `view` (IPHLP_PORT_VIEW_BYTES: one bit per port, TCP
 *   then UDP); the ws2_32 companion tests its bits on every explicit bind without a unix call.
 * unix_winsock_token: in token; out proto, start_port, num_ports of the persistent or live
 *   runtime block it names (ERROR_NOT_FOUND otherwise).
 * unix_winsock_port_check: in proto, start_port; result NO_ERROR when the port lies in no block
 *   (reclaiming runtime blocks of processes that are gone first), ERROR_ACCESS_DENIED when it
 *   does, with token, start_port and num_ports of that block.
 * unix_winsock_acquire: in proto, start_port (0: any), num_ports; out token, start_port.
 * unix_winsock_release: in token; NO_ERROR, ERROR_NOT_FOUND, ERROR_ACCESS_DENIED (another
 *   process's block).
 */
#define IPHLP_PORT_VIEW_BYTES 16384u /* 65536 bits for TCP, then 65536 for UDP */
struct iphlp_winsock_params
{
    uint64_t token;      /* in/out */
    uint64_t view;       /* out: const uint8_t * (unix_winsock_port_view) */
    uint32_t proto;      /* in/out: enum iphlp_proto */
    uint16_t start_port; /* in/out, host order */
    uint16_t num_ports;  /* in/out */
    uint32_t result;     /* out: Win32 error code */
    uint32_t reserved;
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
/* The offsets of Linux's uapi struct tcp_info (checked against linux/tcp.h on x86_64 and i386). */
IPHLP_STATIC_ASSERT(__builtin_offsetof(struct iphlp_linux_tcp_info, rto) == 8, "tcp_info rto");
IPHLP_STATIC_ASSERT(__builtin_offsetof(struct iphlp_linux_tcp_info, pacing_rate) == 104, "tcp_info pacing");
IPHLP_STATIC_ASSERT(__builtin_offsetof(struct iphlp_linux_tcp_info, bytes_acked) == 120, "tcp_info acked");
IPHLP_STATIC_ASSERT(__builtin_offsetof(struct iphlp_linux_tcp_info, busy_time) == 168, "tcp_info busy");
IPHLP_STATIC_ASSERT(__builtin_offsetof(struct iphlp_linux_tcp_info, bytes_sent) == 200, "tcp_info sent");
IPHLP_STATIC_ASSERT(__builtin_offsetof(struct iphlp_linux_tcp_info, snd_wnd) == 228, "tcp_info snd_wnd");
IPHLP_STATIC_ASSERT(__builtin_offsetof(struct iphlp_linux_tcp_info, total_rto) == 240, "tcp_info total_rto");
IPHLP_STATIC_ASSERT(sizeof(struct iphlp_linux_tcp_info) == 248, "tcp_info size");
IPHLP_STATIC_ASSERT(sizeof(struct iphlp_tcp_key) == 48, "tcp key");
IPHLP_STATIC_ASSERT(__builtin_offsetof(struct iphlp_tcp_connection_params, cookie) == 88, "connection cookie");
IPHLP_STATIC_ASSERT(__builtin_offsetof(struct iphlp_tcp_connection_params, info) == 96, "connection info");
IPHLP_STATIC_ASSERT(sizeof(struct iphlp_tcp_connection_params) == 344, "connection params");
/* The table's order is the ABI: each entry keeps its index for good (new ones are appended), and
 * moving one is a build error here, not a mismatch found at run time. */
IPHLP_STATIC_ASSERT(unix_socket_table == 0 && unix_reservation_create == 1 && unix_reservation_lookup == 2 &&
                        unix_reservation_delete == 3 && unix_reservation_list == 4,
                    "the unix calls keep their indices");
IPHLP_STATIC_ASSERT(unix_build_id == 5, "build_id keeps the index every build's PE side asks first");
IPHLP_STATIC_ASSERT(unix_tcp_connection == 6 && unix_tcp_connection_destroy == 7 && unix_refresh_forward_copy == 8 &&
                        unix_winsock_port_view == 9 && unix_winsock_token == 10 && unix_winsock_port_check == 11 &&
                        unix_winsock_acquire == 12 && unix_winsock_release == 13 && unix_load_status == 14 &&
                        unix_funcs_count == 15,
                    "the unix calls keep their indices; a new one goes last");
IPHLP_STATIC_ASSERT(sizeof(struct iphlp_build_id_params) == 72, "build id");
IPHLP_STATIC_ASSERT(sizeof(struct iphlp_forward_copy_params) == 8, "forward copy");
IPHLP_STATIC_ASSERT(sizeof(struct iphlp_load_status_params) == 1024, "load status");
IPHLP_STATIC_ASSERT(sizeof(struct iphlp_winsock_params) == 32, "winsock params");
IPHLP_STATIC_ASSERT(__builtin_offsetof(struct iphlp_winsock_params, proto) == 16, "winsock proto");

#endif /* IPHLP_UNIXLIB_H */
