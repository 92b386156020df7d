// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * /proc/net/if_inet6: the procfs reader's source of IPv6 scope ids.
 */
#include "ipv6_scope.h"

#include <cerrno>
#include <cstring>

#include "proc_text.h"

namespace iphlp {
namespace {

using namespace proc_text;

/*
 * "fe800000000000000000000000000001 02 40 20 80     eth0": the address as 32 hex digits in
 * network byte order (%pi6), then the interface index in hex (%02x, wider when it needs to be);
 * prefix length, scope, flags and name follow and are not needed.
 */
bool parse_line(const char *p, const char *end, InterfaceAddress &entry)
{
    for (uint8_t &byte : entry.addr)
    {
        uint32_t value;
        if (!hex_fixed(p, end, 2, value)) return false;
        byte = static_cast<uint8_t>(value);
    }
    return field_end(p, end) && spaces(p, end) && hex_var(p, end, entry.ifindex);
}

} // namespace

int parse_if_inet6(const char *text, size_t len, InterfaceAddresses &out)
{
    const char *end = text + len;
    for (const char *line = text; line < end;)
    {
        auto eol = static_cast<const char *>(memchr(line, '\n', static_cast<size_t>(end - line)));
        InterfaceAddress entry;
        if (!eol || !parse_line(line, eol, entry)) return -EBADMSG;
        if (is_ipv6_link_local(entry.addr)) out.push_back(entry);
        line = eol + 1;
    }
    return 0;
}

void apply_link_local_scopes(const InterfaceAddresses &table, SocketRecord *first, SocketRecord *last)
{
    for (SocketRecord *rec = first; rec != last; ++rec)
    {
        iphlp_socket_row &row = rec->row;
        if (!is_ipv6_link_local(row.local_addr)) continue;
        for (const InterfaceAddress &entry : table)
        {
            if (memcmp(entry.addr, row.local_addr, sizeof(entry.addr)) == 0)
            {
                row.local_scope_id = entry.ifindex;
                if (is_ipv6_link_local(row.remote_addr)) row.remote_scope_id = entry.ifindex;
                break;
            }
        }
    }
}

} // namespace iphlp
