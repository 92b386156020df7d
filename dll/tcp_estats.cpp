// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * GetPerTcpConnectionEStats, GetPerTcp6ConnectionEStats, SetPerTcpConnectionEStats,
 * SetPerTcp6ConnectionEStats and SetTcpEntry: one TCP connection, found by its addresses and
 * ports. The Unix side looks it up with an exact NETLINK_SOCK_DIAG request and returns the
 * kernel's tcp_info; this file checks the arguments the Windows way and lays the numbers out as
 * the TCP_ESTATS_* structures. Which Linux value fills which field is listed in docs/estats.md;
 * a field Linux has no value for is 0.
 *
 * Argument rules (Microsoft's GetPerTcpConnectionEStats/SetPerTcpConnectionEStats pages):
 * Row NULL -> ERROR_INVALID_PARAMETER; a NULL buffer with a non-zero size ->
 * ERROR_INVALID_USER_BUFFER (Windows 7 and later); a version other than 0 (or Set's Offset) ->
 * ERROR_NOT_SUPPORTED; a buffer smaller than its structure -> ERROR_INSUFFICIENT_BUFFER; a
 * connection that does not exist -> ERROR_NOT_FOUND; Set without elevation -> ERROR_ACCESS_DENIED.
 * Our choices where the pages are silent: a type out of range, or one whose data Linux does not
 * have (SynOpts: neither who opened nor the peer's MSS is kept; Bandwidth: Windows' estimator has
 * no Linux counterpart), is ERROR_INVALID_PARAMETER; a buffer for a part the type does not have
 * (Ros of TcpConnectionEstatsData) is left alone; buffers larger than their structure are fine.
 * The collection switches start off and Get's Rod reads all zero while its type is off: Windows
 * collects nothing then (its page says the numbers are meaningless without a successful Set).
 */
#include <winsock2.h>
#include <ws2ipdef.h>
#include <iphlpapi.h>
#include <tcpestats.h>

#include <cstddef>
#include <cstring>

#include "elevation.h"
#include "socket_rows.h"
#include "unix_call.h"
#include "trace.h"

namespace {

struct EstatsLayout
{
    ULONG rw, ros, rod; /* sizes of the type's parts; 0 = the type has none */
};

/* The types whose data Linux has; the others answer like a type out of range. */
const EstatsLayout *layout_of(TCP_ESTATS_TYPE type)
{
    static const EstatsLayout none = {0, 0, 0};
    static const EstatsLayout layouts[] = {
        none, /* TcpConnectionEstatsSynOpts: not kept by Linux */
        {sizeof(TCP_ESTATS_DATA_RW_v0), 0, sizeof(TCP_ESTATS_DATA_ROD_v0)},
        {sizeof(TCP_ESTATS_SND_CONG_RW_v0), sizeof(TCP_ESTATS_SND_CONG_ROS_v0), sizeof(TCP_ESTATS_SND_CONG_ROD_v0)},
        {sizeof(TCP_ESTATS_PATH_RW_v0), 0, sizeof(TCP_ESTATS_PATH_ROD_v0)},
        {sizeof(TCP_ESTATS_SEND_BUFF_RW_v0), 0, sizeof(TCP_ESTATS_SEND_BUFF_ROD_v0)},
        {sizeof(TCP_ESTATS_REC_RW_v0), 0, sizeof(TCP_ESTATS_REC_ROD_v0)},
        {sizeof(TCP_ESTATS_OBS_REC_RW_v0), 0, sizeof(TCP_ESTATS_OBS_REC_ROD_v0)},
        none, /* TcpConnectionEstatsBandwidth: no Linux counterpart */
        {sizeof(TCP_ESTATS_FINE_RTT_RW_v0), 0, sizeof(TCP_ESTATS_FINE_RTT_ROD_v0)},
    };
    static_assert(sizeof(layouts) / sizeof(layouts[0]) == TcpConnectionEstatsMaximum, "one layout per type");
    if ((unsigned)type >= TcpConnectionEstatsMaximum || !layouts[type].rw) return nullptr;
    return &layouts[type];
}

iphlp_tcp_key key_of(const MIB_TCPROW *row)
{
    iphlp_tcp_key key = {};
    key.family = IPHLP_INET4;
    memcpy(key.local_addr, &row->dwLocalAddr, 4); /* already in network order in memory */
    memcpy(key.remote_addr, &row->dwRemoteAddr, 4);
    key.local_port = (UINT16)row->dwLocalPort; /* network order in the low 16 bits */
    key.remote_port = (UINT16)row->dwRemotePort;
    return key;
}

iphlp_tcp_key key_of(const MIB_TCP6ROW *row)
{
    iphlp_tcp_key key = {};
    key.family = IPHLP_INET6;
    memcpy(key.local_addr, &row->LocalAddr, 16);
    memcpy(key.remote_addr, &row->RemoteAddr, 16);
    key.local_scope_id = row->dwLocalScopeId;
    key.local_port = (UINT16)row->dwLocalPort;
    key.remote_port = (UINT16)row->dwRemotePort;
    return key;
}

/* params->result, or the Win32 error of a failed call. */
ULONG call_connection(iphlp_unix_func func, iphlp_tcp_connection_params *params)
{
    NTSTATUS status = iphlp_unix_call(func, params);
    return status ? win32_from_unix_status(status) : params->result;
}

ULONG clamp32(UINT64 v) { return v > 0xffffffffu ? 0xffffffffu : (ULONG)v; }
ULONG ms_from_us(UINT64 us) { return clamp32(us / 1000); }

/* Linux's "no value" is all ones (min_rtt before any sample): kept as such, not scaled. */
ULONG ms_or_unset(UINT32 us) { return us == 0xffffffffu ? 0xffffffffu : us / 1000; }

/* A window scale, or 0xFF (RFC 4898: -1) when the option was not negotiated. */
UCHAR scale_or_unset(const iphlp_linux_tcp_info &i, bool received)
{
    constexpr UINT8 tcpi_opt_wscale = 4; /* linux/tcp.h TCPI_OPT_WSCALE */
    if (!(i.options & tcpi_opt_wscale)) return 0xff;
    return received ? (i.wscale & 0x0f) : (i.wscale >> 4);
}

void fill_rod(TCP_ESTATS_TYPE type, const iphlp_tcp_connection_params &p, PUCHAR rod)
{
    const iphlp_linux_tcp_info &i = p.info;
    /* A field the kernel did not send reads 0 (the struct arrives zeroed past info_len). */
    switch (type)
    {
    case TcpConnectionEstatsData:
    {
        auto *d = reinterpret_cast<TCP_ESTATS_DATA_ROD_v0 *>(rod);
        d->DataBytesOut = i.bytes_sent;
        d->DataSegsOut = i.data_segs_out;
        d->DataBytesIn = i.bytes_received;
        d->DataSegsIn = i.data_segs_in;
        d->SegsOut = i.segs_out;
        d->SegsIn = i.segs_in;
        d->ThruBytesAcked = i.bytes_acked;
        d->ThruBytesReceived = i.bytes_received;
        break;
    }
    case TcpConnectionEstatsSndCong:
    {
        auto *d = reinterpret_cast<TCP_ESTATS_SND_CONG_ROD_v0 *>(rod);
        /* tcpi_busy_time is the sum of the three "chrono" times; the rest of it is time spent
         * sending with data queued, limited by neither window nor buffer: by the cwnd. */
        UINT64 other = i.rwnd_limited + i.sndbuf_limited;
        d->SndLimTimeRwin = ms_from_us(i.rwnd_limited);
        d->SndLimTimeCwnd = ms_from_us(i.busy_time > other ? i.busy_time - other : 0);
        d->SndLimTimeSnd = ms_from_us(i.sndbuf_limited);
        d->CurCwnd = clamp32((UINT64)i.snd_cwnd * i.snd_mss);
        /* Linux's "no threshold yet" is TCP_INFINITE_SSTHRESH (0x7fffffff segments). */
        d->CurSsthresh = i.snd_ssthresh >= 0x7fffffffu ? 0xffffffffu : clamp32((UINT64)i.snd_ssthresh * i.snd_mss);
        break;
    }
    case TcpConnectionEstatsPath:
    {
        auto *d = reinterpret_cast<TCP_ESTATS_PATH_ROD_v0 *>(rod);
        d->Timeouts = i.total_rto;
        d->CurTimeoutCount = i.retransmits;
        d->PktsRetrans = i.total_retrans;
        d->BytesRetrans = clamp32(i.bytes_retrans);
        d->RetranThresh = i.reordering;
        d->DsackDups = i.dsack_dups;
        d->SmoothedRtt = i.rtt / 1000;
        d->RttVar = i.rttvar / 1000;
        d->MinRtt = ms_or_unset(i.min_rtt);
        d->CurRto = i.rto / 1000;
        d->CurMss = i.snd_mss;
        break;
    }
    case TcpConnectionEstatsSendBuff:
    {
        auto *d = reinterpret_cast<TCP_ESTATS_SEND_BUFF_ROD_v0 *>(rod);
        d->CurRetxQueue = p.wqueue;
        d->CurAppWQueue = i.notsent_bytes;
        break;
    }
    case TcpConnectionEstatsRec:
    {
        auto *d = reinterpret_cast<TCP_ESTATS_REC_ROD_v0 *>(rod);
        d->CurRwinSent = i.rcv_wnd;
        d->CurAppRQueue = p.rqueue;
        d->WinScaleSent = scale_or_unset(i, false);
        break;
    }
    case TcpConnectionEstatsObsRec:
    {
        auto *d = reinterpret_cast<TCP_ESTATS_OBS_REC_ROD_v0 *>(rod);
        d->CurRwinRcvd = i.snd_wnd;
        d->WinScaleRcvd = scale_or_unset(i, true);
        break;
    }
    case TcpConnectionEstatsFineRtt:
    {
        auto *d = reinterpret_cast<TCP_ESTATS_FINE_RTT_ROD_v0 *>(rod);
        d->RttVar = i.rttvar;
        d->MinRtt = i.min_rtt;
        break;
    }
    default: break;
    }
}

ULONG get_estats(const iphlp_tcp_key *key, TCP_ESTATS_TYPE type, PUCHAR rw, ULONG rw_version, ULONG rw_size, PUCHAR ros,
                 ULONG ros_version, ULONG ros_size, PUCHAR rod, ULONG rod_version, ULONG rod_size)
{
    if (!key) return ERROR_INVALID_PARAMETER;
    if ((!rw && rw_size) || (!ros && ros_size) || (!rod && rod_size)) return ERROR_INVALID_USER_BUFFER;
    if (rw_version || ros_version || rod_version) return ERROR_NOT_SUPPORTED;
    const EstatsLayout *layout = layout_of(type);
    if (!layout) return ERROR_INVALID_PARAMETER;
    /* A part the type does not have is not written, whatever buffer comes with it. */
    if (!layout->ros) ros = nullptr;
    if ((rw && rw_size < layout->rw) || (ros && ros_size < layout->ros) || (rod && rod_size < layout->rod))
        return ERROR_INSUFFICIENT_BUFFER;

    iphlp_tcp_connection_params params = {};
    params.key = *key;
    ULONG err = call_connection(unix_tcp_connection, &params);
    if (err) return err;

    const bool enabled = params.estats_enabled >> type & 1;
    if (rw)
    {
        memset(rw, 0, layout->rw);
        rw[0] = enabled; /* every supported RW structure is one BOOLEAN EnableCollection */
    }
    if (ros) memset(ros, 0, layout->ros); /* SndCong's LimCwnd: Linux does not report the clamp */
    if (rod)
    {
        memset(rod, 0, layout->rod);
        if (enabled) fill_rod(type, params, rod);
    }
    return NO_ERROR;
}

ULONG set_estats(const iphlp_tcp_key *key, TCP_ESTATS_TYPE type, PUCHAR rw, ULONG rw_version, ULONG rw_size,
                 ULONG offset)
{
    if (!key) return ERROR_INVALID_PARAMETER;
    if (!rw && rw_size) return ERROR_INVALID_USER_BUFFER;
    if (rw_version || offset) return ERROR_NOT_SUPPORTED;
    const EstatsLayout *layout = layout_of(type);
    if (!layout || !rw) return ERROR_INVALID_PARAMETER;
    if (rw_size < layout->rw) return ERROR_INSUFFICIENT_BUFFER;
    if (!caller_is_elevated()) return ERROR_ACCESS_DENIED;

    iphlp_tcp_connection_params params = {};
    params.key = *key;
    params.estats_change = 1u << type;
    params.estats_values = rw[0] ? 1u << type : 0; /* EnableCollection: any non-zero BOOLEAN is TRUE */
    return call_connection(unix_tcp_connection, &params);
}

/* The connection key of ROW in STORAGE, or NULL for a NULL row (the functions answer 87). */
template <typename Row> const iphlp_tcp_key *key_or_null(const Row *row, iphlp_tcp_key &storage)
{
    if (!row) return nullptr;
    storage = key_of(row);
    return &storage;
}

} // namespace

/* One export per Windows name, IPv4 and IPv6 alike: the work is in get_estats and set_estats. */
extern "C" {

IPHLP_EXPORT(ULONG, GetPerTcpConnectionEStats,
             (PMIB_TCPROW Row, TCP_ESTATS_TYPE EstatsType, PUCHAR Rw, ULONG RwVersion, ULONG RwSize, PUCHAR Ros,
              ULONG RosVersion, ULONG RosSize, PUCHAR Rod, ULONG RodVersion, ULONG RodSize),
             (Row, EstatsType, Rw, RwVersion, RwSize, Ros, RosVersion, RosSize, Rod, RodVersion, RodSize))
{
    iphlp_tcp_key key;
    return get_estats(key_or_null(Row, key), EstatsType, Rw, RwVersion, RwSize, Ros, RosVersion, RosSize, Rod,
                      RodVersion, RodSize);
}

IPHLP_EXPORT(ULONG, GetPerTcp6ConnectionEStats,
             (PMIB_TCP6ROW Row, TCP_ESTATS_TYPE EstatsType, PUCHAR Rw, ULONG RwVersion, ULONG RwSize, PUCHAR Ros,
              ULONG RosVersion, ULONG RosSize, PUCHAR Rod, ULONG RodVersion, ULONG RodSize),
             (Row, EstatsType, Rw, RwVersion, RwSize, Ros, RosVersion, RosSize, Rod, RodVersion, RodSize))
{
    iphlp_tcp_key key;
    return get_estats(key_or_null(Row, key), EstatsType, Rw, RwVersion, RwSize, Ros, RosVersion, RosSize, Rod,
                      RodVersion, RodSize);
}

IPHLP_EXPORT(ULONG, SetPerTcpConnectionEStats,
             (PMIB_TCPROW Row, TCP_ESTATS_TYPE EstatsType, PUCHAR Rw, ULONG RwVersion, ULONG RwSize, ULONG Offset),
             (Row, EstatsType, Rw, RwVersion, RwSize, Offset))
{
    iphlp_tcp_key key;
    return set_estats(key_or_null(Row, key), EstatsType, Rw, RwVersion, RwSize, Offset);
}

IPHLP_EXPORT(ULONG, SetPerTcp6ConnectionEStats,
             (PMIB_TCP6ROW Row, TCP_ESTATS_TYPE EstatsType, PUCHAR Rw, ULONG RwVersion, ULONG RwSize, ULONG Offset),
             (Row, EstatsType, Rw, RwVersion, RwSize, Offset))
{
    iphlp_tcp_key key;
    return set_estats(key_or_null(Row, key), EstatsType, Rw, RwVersion, RwSize, Offset);
}

/*
 * SetTcpEntry: the only state a connection can be set to is MIB_TCP_STATE_DELETE_TCB (anything
 * else, or no row: ERROR_INVALID_PARAMETER). A caller without elevation gets 317
 * (ERROR_MR_MID_NOT_FOUND), the code Microsoft's page gives for a non-elevated application. The
 * connection is closed with the kernel's SOCK_DESTROY, which resets it (the peer sees a RST, the
 * owner's next call fails with ECONNABORTED). A connection that is not there: ERROR_NOT_FOUND.
 * The kernel's own refusal (no CAP_NET_ADMIN in the network namespace: ERROR_ACCESS_DENIED; a
 * kernel without SOCK_DESTROY: ERROR_NOT_SUPPORTED) comes with one line on stderr.
 */
IPHLP_EXPORT(DWORD, SetTcpEntry, (PMIB_TCPROW pTcpRow), (pTcpRow))
{
    if (!pTcpRow || pTcpRow->dwState != MIB_TCP_STATE_DELETE_TCB) return ERROR_INVALID_PARAMETER;
    if (!caller_is_elevated()) return ERROR_MR_MID_NOT_FOUND;
    iphlp_tcp_connection_params params = {};
    params.key = key_of(pTcpRow);
    return call_connection(unix_tcp_connection_destroy, &params);
}

} // extern "C"
