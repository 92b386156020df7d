/*
 * libFuzzer target for parse_inet_diag: the input is one receive buffer of netlink messages
 * (the recorded dumps in tests/fixtures/inet_diag seed the corpus, so they are used as is, with
 * no leading selector byte), parsed once for every query shape.
 */
#include <cstring>
#include <memory>

#include "sockets.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* An exactly-sized, freshly allocated copy: aligned like a receive buffer, and the sanitizer
     * sees any read past its end. */
    std::unique_ptr<char[]> buf(new char[size]);
    memcpy(buf.get(), data, size);
    iphlp::SocketBuffer rows;
    for (uint32_t proto : {IPHLP_TCP, IPHLP_UDP})
        for (uint32_t family : {IPHLP_INET4, IPHLP_INET6})
            for (uint32_t filter : {IPHLP_FILTER_ALL, IPHLP_FILTER_LISTENER, IPHLP_FILTER_CONNECTIONS})
            {
                rows.clear();
                int ret = iphlp::parse_inet_diag(buf.get(), size, {proto, family, filter}, rows);
                if (ret > 1 || ret < -4095)
                    __builtin_trap(); /* outside the documented results */
            }
    return 0;
}
