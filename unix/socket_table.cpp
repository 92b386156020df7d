#include "socket_table.h"

#include <algorithm>
#include <arpa/inet.h>
#include <cstring>

namespace iphlp {

bool row_before(const iphlp_socket_row &a, const iphlp_socket_row &b)
{
    if (int c = memcmp(a.local_addr, b.local_addr, sizeof(a.local_addr))) return c < 0;
    if (a.local_scope_id != b.local_scope_id) return a.local_scope_id < b.local_scope_id;
    if (a.local_port != b.local_port) return ntohs(a.local_port) < ntohs(b.local_port);
    if (int c = memcmp(a.remote_addr, b.remote_addr, sizeof(a.remote_addr))) return c < 0;
    if (a.remote_scope_id != b.remote_scope_id) return a.remote_scope_id < b.remote_scope_id;
    return ntohs(a.remote_port) < ntohs(b.remote_port);
}

void copy_rows(const SocketBuffer &records, bool sort, iphlp_socket_row *out, std::vector<uint32_t> &order)
{
    if (!sort)
    {
        for (size_t i = 0; i < records.size(); i++) out[i] = records[i].row;
        return;
    }
    /* Sort 4-byte indices rather than moving 80-byte records around. */
    order.resize(records.size());
    for (uint32_t i = 0; i < order.size(); i++) order[i] = i;
    std::sort(order.begin(), order.end(),
              [&](uint32_t a, uint32_t b) { return row_before(records[a].row, records[b].row); });
    for (size_t i = 0; i < order.size(); i++) out[i] = records[order[i]].row;
}

} // namespace iphlp
