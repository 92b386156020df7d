// SPDX-License-Identifier: LGPL-2.1-or-later
/* What both socket-reader fuzz targets do with their input before their own checks. */
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>

#include "sockets.h"

/* An exactly-sized, freshly allocated copy of the input: aligned like a receive buffer, and the
 * sanitizer sees any read past its end. */
inline std::unique_ptr<char[]> exact_copy(const uint8_t *data, size_t size)
{
    std::unique_ptr<char[]> copy(new char[size]);
    memcpy(copy.get(), data, size);
    return copy;
}

/* FN(query) for every query shape a reader is asked: each protocol, family and state filter. */
template <typename Fn> void for_each_query(Fn fn)
{
    for (uint32_t proto : {IPHLP_TCP, IPHLP_UDP})
        for (uint32_t family : {IPHLP_INET4, IPHLP_INET6})
            for (uint32_t filter : {IPHLP_FILTER_ALL, IPHLP_FILTER_LISTENER, IPHLP_FILTER_CONNECTIONS})
                fn(iphlp::SocketQuery{proto, family, filter});
}
