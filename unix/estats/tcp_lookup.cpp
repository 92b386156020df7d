// SPDX-License-Identifier: LGPL-2.1-or-later
#include "tcp_lookup.h"

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

namespace {

constexpr uint8_t V4_MAPPED_PREFIX[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

/* Does the kernel's socket id name exactly the key's connection? */
bool same_connection(const inet_diag_msg &msg, const iphlp_tcp_key &key)
{
    if (msg.id.idiag_sport != key.local_port || msg.id.idiag_dport != key.remote_port) return false;
    const auto *src = reinterpret_cast<const uint8_t *>(msg.id.idiag_src);
    const auto *dst = reinterpret_cast<const uint8_t *>(msg.id.idiag_dst);
    if (key.family == IPHLP_INET6)
        return msg.idiag_family == AF_INET6 && !memcmp(src, key.local_addr, 16) && !memcmp(dst, key.remote_addr, 16);
    if (msg.idiag_family == AF_INET) return !memcmp(src, key.local_addr, 4) && !memcmp(dst, key.remote_addr, 4);
    /* A dual-stack IPv6 socket carrying an IPv4 connection: ::ffff:a.b.c.d on both ends. */
    return msg.idiag_family == AF_INET6 && !memcmp(src, V4_MAPPED_PREFIX, 12) && !memcmp(src + 12, key.local_addr, 4) &&
           !memcmp(dst, V4_MAPPED_PREFIX, 12) && !memcmp(dst + 12, key.remote_addr, 4);
}

struct InfoAttribute
{
    const void *payload = nullptr;
    uint16_t len = 0;
};

int note_info_attribute(const nlattr *attr, void *data)
{
    if (mnl_attr_get_type(attr) == INET_DIAG_INFO)
    {
        auto &info = *static_cast<InfoAttribute *>(data);
        info.payload = mnl_attr_get_payload(attr);
        info.len = mnl_attr_get_payload_len(attr);
    }
    return MNL_CB_OK;
}

void fill_request(inet_diag_req_v2 &req, const iphlp_tcp_key &key, uint64_t cookie)
{
    memset(&req, 0, sizeof(req));
    req.sdiag_family = key.family == IPHLP_INET6 ? AF_INET6 : AF_INET;
    req.sdiag_protocol = IPPROTO_TCP;
    req.idiag_ext = 1u << (INET_DIAG_INFO - 1);
    req.idiag_states = ~0u;
    req.id.idiag_sport = key.local_port;
    req.id.idiag_dport = key.remote_port;
    size_t addr_len = key.family == IPHLP_INET6 ? 16 : 4;
    memcpy(req.id.idiag_src, key.local_addr, addr_len);
    memcpy(req.id.idiag_dst, key.remote_addr, addr_len);
    /* The kernel looks link-local IPv6 connections up on this interface (0: any). */
    req.id.idiag_if = key.family == IPHLP_INET6 && is_ipv6_link_local(key.local_addr) ? key.local_scope_id : 0;
    req.id.idiag_cookie[0] = static_cast<uint32_t>(cookie);
    req.id.idiag_cookie[1] = static_cast<uint32_t>(cookie >> 32);
}

/* Send one request of `type` and receive one datagram into buf. Returns its length or -errno. */
ssize_t exchange(uint16_t type, uint16_t flags, const inet_diag_req_v2 &req, char *buf, size_t size)
{
    NetlinkSocket nl(mnl_socket_open2(NETLINK_SOCK_DIAG, SOCK_CLOEXEC), mnl_socket_close);
    if (!nl) return -errno;
    alignas(nlmsghdr) char request[MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(inet_diag_req_v2))];
    nlmsghdr *nlh = mnl_nlmsg_put_header(request);
    nlh->nlmsg_type = type;
    nlh->nlmsg_flags = flags;
    memcpy(mnl_nlmsg_put_extra_header(nlh, sizeof(req)), &req, sizeof(req));
    if (mnl_socket_sendto(nl.get(), nlh, nlh->nlmsg_len) < 0) return -errno;
    for (;;)
    {
        ssize_t n = mnl_socket_recvfrom(nl.get(), buf, size);
        if (n >= 0) return n;
        if (errno != EINTR) return -errno;
    }
}

} // namespace

int parse_tcp_connection(const void *buf, size_t len, const iphlp_tcp_key &key, TcpConnection &out)
{
    if (len > INT_MAX || !whole_messages(buf, static_cast<int>(len)) || len < sizeof(nlmsghdr)) return -EBADMSG;
    /* The kernel answers an exact request with one message: the socket, or an error. */
    auto nlh = static_cast<const nlmsghdr *>(buf);
    if (nlh->nlmsg_type == NLMSG_ERROR)
    {
        if (mnl_nlmsg_get_payload_len(nlh) < sizeof(nlmsgerr)) return -EBADMSG;
        auto err = static_cast<const nlmsgerr *>(mnl_nlmsg_get_payload(nlh));
        return err->error ? error_from_kernel(err->error) : -EBADMSG; /* an ack carries no socket */
    }
    if (nlh->nlmsg_type != SOCK_DIAG_BY_FAMILY || mnl_nlmsg_get_payload_len(nlh) < sizeof(inet_diag_msg) ||
        !attributes_well_formed(nlh))
        return -EBADMSG;
    auto msg = static_cast<const inet_diag_msg *>(mnl_nlmsg_get_payload(nlh));
    if (!same_connection(*msg, key)) return -ENOENT;

    InfoAttribute info;
    mnl_attr_parse(nlh, sizeof(inet_diag_msg), note_info_attribute, &info);
    memset(&out, 0, sizeof(out));
    out.linux_state = msg->idiag_state;
    out.rqueue = msg->idiag_rqueue;
    out.wqueue = msg->idiag_wqueue;
    out.cookie = msg->id.idiag_cookie[0] | static_cast<uint64_t>(msg->id.idiag_cookie[1]) << 32;
    /* Older kernels send a shorter tcp_info, newer ones a longer one: keep what both know. */
    out.info_len = info.len < sizeof(out.info) ? info.len : sizeof(out.info);
    if (out.info_len) memcpy(&out.info, info.payload, out.info_len);
    return 0;
}

int parse_netlink_ack(const void *buf, size_t len)
{
    if (len > INT_MAX || len < sizeof(nlmsghdr) || !whole_messages(buf, static_cast<int>(len))) return -EBADMSG;
    auto nlh = static_cast<const nlmsghdr *>(buf);
    if (nlh->nlmsg_type != NLMSG_ERROR || mnl_nlmsg_get_payload_len(nlh) < sizeof(nlmsgerr)) return -EBADMSG;
    auto err = static_cast<const nlmsgerr *>(mnl_nlmsg_get_payload(nlh));
    return err->error ? error_from_kernel(err->error) : 0;
}

int query_tcp_connection(const iphlp_tcp_key &key, TcpConnection &out)
{
    if (key.family != IPHLP_INET4 && key.family != IPHLP_INET6) return -EINVAL;
    inet_diag_req_v2 req;
    fill_request(req, key, ~0ull); /* INET_DIAG_NOCOOKIE in both halves: any socket */
    thread_local std::unique_ptr<char[]> buffer(new char[RECEIVE_BUFFER_SIZE]);
    ssize_t n = exchange(SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST, req, buffer.get(), RECEIVE_BUFFER_SIZE);
    if (n < 0) return static_cast<int>(n);
    return parse_tcp_connection(buffer.get(), static_cast<size_t>(n), key, out);
}

int destroy_tcp_connection(const iphlp_tcp_key &key, uint64_t cookie)
{
    if (key.family != IPHLP_INET4 && key.family != IPHLP_INET6) return -EINVAL;
    inet_diag_req_v2 req;
    fill_request(req, key, cookie);
    alignas(nlmsghdr) char buffer[1024]; /* an error message quotes the request: well under 1 KiB */
    ssize_t n = exchange(SOCK_DESTROY, NLM_F_REQUEST | NLM_F_ACK, req, buffer, sizeof(buffer));
    if (n < 0) return static_cast<int>(n);
    return parse_netlink_ack(buffer, static_cast<size_t>(n));
}

} // namespace iphlp
