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
#include "fuzz_input.h"
#include "sockets.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    std::unique_ptr<char[]> text = exact_copy(data, size);
    iphlp::SocketBuffer rows;
    for_each_query([&](const iphlp::SocketQuery &query) {
        int ret = iphlp::parse_proc_net(text.get(), size, query, rows);
        if (ret != 0 && ret != -EBADMSG) __builtin_trap();
    });
    iphlp::InterfaceAddresses interfaces;
    int ret = iphlp::parse_if_inet6(text.get(), size, interfaces);
    if (ret != 0 && ret != -EBADMSG) __builtin_trap();
    iphlp::apply_link_local_scopes(interfaces, rows.data(), rows.data() + rows.size());
    return 0;
}
