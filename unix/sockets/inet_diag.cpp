// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The netlink reader: one NETLINK_SOCK_DIAG dump (inet_diag) per call. The kernel filters by
 * TCP state, libmnl walks the replies, and each socket message becomes one record appended to
 * the caller's buffer, straight from the receive buffer.
 */
#include "sockets.h"

#include <cerrno>
#include <climits>
#include <cstring>
#include <memory>

#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "ipv6_scope.h"
#include "netlink_messages.h"

namespace iphlp {

/* The kernel sends -errno; anything outside the errno range is not a kernel reply. */
int error_from_kernel(int32_t error)
{
    if (error < 0 && error >= -4095) return error;
    if (error > 0 && error <= 4095) /* libmnl accepts either sign; so do we */
        return -error;
    return -EBADMSG;
}

/*
 * mnl_nlmsg_ok() compares nlmsg_len as an int, so a length of 2 GiB or more passes it and
 * mnl_nlmsg_next() would then step outside the buffer. Check every length unsigned first; this
 * also tells "the buffer ends after a whole message" apart from "the last message is cut",
 * which mnl_cb_run() does not (it just stops).
 */
bool whole_messages(const void *buf, int len)
{
    auto nlh = static_cast<const nlmsghdr *>(buf);
    while (mnl_nlmsg_ok(nlh, len) && nlh->nlmsg_len <= static_cast<unsigned>(len)) nlh = mnl_nlmsg_next(nlh, &len);
    return len <= 0; /* < 0: the last message was not padded to 4 bytes, but is whole */
}

/* Records where the last attribute that fits ends (mnl_attr_parse_payload stops quietly at one
 * that does not). */
static int note_attribute_end(const nlattr *attr, void *data)
{
    *static_cast<const char **>(data) = reinterpret_cast<const char *>(attr) + MNL_ALIGN(attr->nla_len);
    return MNL_CB_OK;
}

/* We use no attribute, but one whose length runs past the message means the message is corrupt. */
bool attributes_well_formed(const nlmsghdr *nlh)
{
    const char *attrs = static_cast<const char *>(mnl_nlmsg_get_payload_offset(nlh, sizeof(inet_diag_msg)));
    size_t attrs_len = mnl_nlmsg_get_payload_len(nlh) - MNL_ALIGN(sizeof(inet_diag_msg));
    const char *end = attrs;
    mnl_attr_parse_payload(attrs, attrs_len, note_attribute_end, &end);
    return end >= attrs + attrs_len;
}

namespace {

struct DumpContext
{
    SocketBuffer &out;
    uint8_t family; /* AF_INET or AF_INET6: messages of the other family are not ours */
    bool tcp;
    uint32_t state_mask; /* linux_state_mask(); re-checked here so a parsed buffer obeys the query */
    int error;           /* -errno once a callback has failed */
};

int on_socket(const nlmsghdr *nlh, void *data)
{
    auto &ctx = *static_cast<DumpContext *>(data);
    if (nlh->nlmsg_type != SOCK_DIAG_BY_FAMILY || mnl_nlmsg_get_payload_len(nlh) < sizeof(inet_diag_msg) ||
        !attributes_well_formed(nlh))
    {
        ctx.error = -EBADMSG;
        return MNL_CB_ERROR;
    }
    auto msg = static_cast<const inet_diag_msg *>(mnl_nlmsg_get_payload(nlh));
    if (msg->idiag_family != ctx.family) return MNL_CB_OK;
    if (ctx.tcp && (msg->idiag_state >= 32 || !(ctx.state_mask >> msg->idiag_state & 1))) return MNL_CB_OK;

    SocketRecord &rec = ctx.out.emplace_back(); /* value-initialised: all zero */
    iphlp_socket_row &row = rec.row;
    size_t addr_len = ctx.family == AF_INET6 ? 16 : 4;
    memcpy(row.local_addr, msg->id.idiag_src, addr_len);
    memcpy(row.remote_addr, msg->id.idiag_dst, addr_len);
    row.local_port = msg->id.idiag_sport; /* already network order */
    row.remote_port = msg->id.idiag_dport;
    if (ctx.tcp) row.state = mib_tcp_state_from_linux(msg->idiag_state);
    if (ctx.family == AF_INET6)
    {
        /* idiag_if is the socket's bound device, which the kernel sets for link-local traffic. */
        if (is_ipv6_link_local(row.local_addr)) row.local_scope_id = msg->id.idiag_if;
        if (is_ipv6_link_local(row.remote_addr)) row.remote_scope_id = msg->id.idiag_if;
    }
    rec.inode = msg->idiag_inode;
    rec.cookie = msg->id.idiag_cookie[0] | static_cast<uint64_t>(msg->id.idiag_cookie[1]) << 32;
    return MNL_CB_OK;
}

int on_error(const nlmsghdr *nlh, void *data)
{
    auto &ctx = *static_cast<DumpContext *>(data);
    if (mnl_nlmsg_get_payload_len(nlh) < sizeof(nlmsgerr))
    {
        ctx.error = -EBADMSG;
        return MNL_CB_ERROR;
    }
    auto err = static_cast<const nlmsgerr *>(mnl_nlmsg_get_payload(nlh));
    if (err->error == 0) /* an acknowledgement: nothing follows it */
        return MNL_CB_STOP;
    ctx.error = error_from_kernel(err->error);
    return MNL_CB_ERROR;
}

/* NLMSG_DONE carries the dump's final status: negative if the dump itself failed midway. */
int on_done(const nlmsghdr *nlh, void *data)
{
    auto &ctx = *static_cast<DumpContext *>(data);
    if (mnl_nlmsg_get_payload_len(nlh) >= sizeof(int32_t))
    {
        int32_t status;
        memcpy(&status, mnl_nlmsg_get_payload(nlh), sizeof(status));
        if (status < 0)
        {
            ctx.error = error_from_kernel(status);
            return MNL_CB_ERROR;
        }
    }
    return MNL_CB_STOP;
}

/* Our own ERROR and DONE handlers, because libmnl's negate an unchecked int (INT_MIN) and ignore
 * the status NLMSG_DONE carries. NOOP and OVERRUN stay null: ignored. Not const because
 * mnl_cb_run2() takes a non-const array. */
static_assert(NLMSG_ERROR == 2 && NLMSG_DONE == 3, "control message types index this table");
mnl_cb_t control_callbacks[NLMSG_MIN_TYPE] = {nullptr, nullptr, on_error, on_done};

int send_dump_request(const mnl_socket *nl, const SocketQuery &query)
{
    alignas(nlmsghdr) char request[MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(inet_diag_req_v2))];
    nlmsghdr *nlh = mnl_nlmsg_put_header(request);
    nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
    nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    auto req = static_cast<inet_diag_req_v2 *>(mnl_nlmsg_put_extra_header(nlh, sizeof(inet_diag_req_v2)));
    req->sdiag_family = query.family == IPHLP_INET6 ? AF_INET6 : AF_INET;
    req->sdiag_protocol = query.proto == IPHLP_TCP ? IPPROTO_TCP : IPPROTO_UDP;
    req->idiag_states = linux_state_mask(query);
    return mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0 ? -errno : 0;
}

} // namespace

/* buf must be 4-byte aligned (NLMSG_ALIGNTO), as any receive buffer is. */
int parse_inet_diag(const void *buf, size_t len, const SocketQuery &query, SocketBuffer &out)
{
    if (len > INT_MAX || !whole_messages(buf, static_cast<int>(len))) return -EBADMSG;
    DumpContext ctx{out, static_cast<uint8_t>(query.family == IPHLP_INET6 ? AF_INET6 : AF_INET),
                    query.proto == IPHLP_TCP, linux_state_mask(query), 0};
    /* seq and portid 0: no check. The dump runs on a socket of its own, nothing else arrives. */
    int ret = mnl_cb_run2(buf, len, 0, 0, on_socket, &ctx, control_callbacks, NLMSG_MIN_TYPE);
    if (ret < 0) return ctx.error ? ctx.error : -errno;
    return ret == MNL_CB_STOP ? 0 : 1;
}

int read_sockets_netlink(const SocketQuery &query, SocketBuffer &out)
{
    if ((query.proto != IPHLP_TCP && query.proto != IPHLP_UDP) ||
        (query.family != IPHLP_INET4 && query.family != IPHLP_INET6))
        return -EINVAL;

    /* A fresh socket per dump: a dump abandoned on error can never leak replies into the next
     * one. No bind(): sendto() binds it implicitly, two system calls fewer. */
    NetlinkSocket nl(mnl_socket_open2(NETLINK_SOCK_DIAG, SOCK_CLOEXEC), mnl_socket_close);
    if (!nl) return -errno;
    if (int ret = send_dump_request(nl.get(), query)) return ret;

    thread_local std::unique_ptr<char[]> buffer(new char[RECEIVE_BUFFER_SIZE]);
    for (;;)
    {
        ssize_t n = mnl_socket_recvfrom(nl.get(), buffer.get(), RECEIVE_BUFFER_SIZE);
        if (n < 0)
        {
            if (errno == EINTR) /* Wine's signals (suspend, APCs) can interrupt a blocking recv */
                continue;
            return -errno;
        }
        int ret = parse_inet_diag(buffer.get(), static_cast<size_t>(n), query, out);
        if (ret <= 0) return ret;
    }
}

} // namespace iphlp
