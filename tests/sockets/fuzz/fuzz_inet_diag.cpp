// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libFuzzer target for parse_inet_diag: the input is one receive buffer of netlink messages
 * (the recorded dumps in tests/fixtures/inet_diag seed the corpus, so they are used as is, with
 * no leading selector byte), parsed once for every query shape, and as the answer to an exact
 * one-connection request (parse_tcp_connection, keyed by the first socket's own id when there
 * is one) and to a SOCK_DESTROY (parse_netlink_ack).
 */
#include <cstring>
#include <memory>

#include <linux/inet_diag.h>
#include <linux/netlink.h>

#include "fuzz_input.h"
#include "sockets.h"
#include "tcp_lookup.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    std::unique_ptr<char[]> buf = exact_copy(data, size);
    iphlp::SocketBuffer rows;
    for_each_query([&](const iphlp::SocketQuery &query) {
        rows.clear();
        int ret = iphlp::parse_inet_diag(buf.get(), size, query, rows);
        if (ret > 1 || ret < -4095) __builtin_trap(); /* outside the documented results */
    });

    iphlp_tcp_key key = {};
    if (size >= NLMSG_HDRLEN + sizeof(inet_diag_msg))
    {
        inet_diag_msg msg;
        memcpy(&msg, data + NLMSG_HDRLEN, sizeof(msg));
        memcpy(key.local_addr, msg.id.idiag_src, 16);
        memcpy(key.remote_addr, msg.id.idiag_dst, 16);
        key.local_port = msg.id.idiag_sport;
        key.remote_port = msg.id.idiag_dport;
    }
    for (uint32_t family : {IPHLP_INET4, IPHLP_INET6})
    {
        key.family = family;
        iphlp::TcpConnection conn;
        int ret = iphlp::parse_tcp_connection(buf.get(), size, key, conn);
        if (ret > 0 || ret < -4095 || (ret == 0 && conn.info_len > sizeof(conn.info))) __builtin_trap();
    }
    int ack = iphlp::parse_netlink_ack(buf.get(), size);
    if (ack > 0 || ack < -4095) __builtin_trap();
    return 0;
}
