// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libFuzzer target for the procfs reader's parsers: the input is the text of a /proc/net/tcp-like
 * file (tests/fixtures/proc_net seeds the corpus), parsed once for every query shape, then as
 * /proc/net/if_inet6 whose scopes are applied to the rows found.
 */
#include <cerrno>
#include <cstring>
#include <memory>

#include "ipv6_scope.h"
#include "sockets.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* An exactly-sized copy, so the sanitizer sees any read past the end of the text. */
    std::unique_ptr<char[]> text(new char[size]);
    memcpy(text.get(), data, size);
    iphlp::SocketBuffer rows;
    for (uint32_t proto : {IPHLP_TCP, IPHLP_UDP})
        for (uint32_t family : {IPHLP_INET4, IPHLP_INET6})
            for (uint32_t filter : {IPHLP_FILTER_ALL, IPHLP_FILTER_LISTENER, IPHLP_FILTER_CONNECTIONS})
            {
                int ret = iphlp::parse_proc_net(text.get(), size, {proto, family, filter}, rows);
                if (ret != 0 && ret != -EBADMSG) __builtin_trap();
            }
    iphlp::InterfaceAddresses interfaces;
    int ret = iphlp::parse_if_inet6(text.get(), size, interfaces);
    if (ret != 0 && ret != -EBADMSG) __builtin_trap();
    iphlp::apply_link_local_scopes(interfaces, rows.data(), rows.data() + rows.size());
    return 0;
}
