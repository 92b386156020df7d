// SPDX-License-Identifier: LGPL-2.1-or-later
#include "row_order.h"

#include "scratch_buffer.h"

#include <algorithm>
#include <arpa/inet.h>
#include <cstring>
#include <endian.h>
#include <vector>

namespace iphlp {

namespace {

/*
 * The sort order as numbers compared in turn, built once per row so that a comparison is a few
 * integer compares instead of memcmp and byte swaps. The full key has six words: local address
 * (two big-endian halves, so numeric order), local scope id and port, then the same for the
 * remote end. When every row is IPv4-shaped (address bytes 4-15 and scope ids zero, as in all
 * IPv4 tables) the words that are always zero are left out: same order, a third of the bytes to
 * move while sorting.
 */
uint64_t big_endian_word(const uint8_t *bytes)
{
    uint64_t v;
    memcpy(&v, bytes, sizeof(v));
    return be64toh(v);
}

uint64_t address_and_port(const uint8_t *addr, uint16_t port_network_order)
{
    uint32_t v4;
    memcpy(&v4, addr, sizeof(v4));
    return (uint64_t)ntohl(v4) << 16 | ntohs(port_network_order);
}

struct FullKey
{
    uint64_t word[6];
    uint32_t index;

    FullKey(const iphlp_socket_row &row, uint32_t i) :
        word{big_endian_word(row.local_addr),
             big_endian_word(row.local_addr + 8),
             (uint64_t)row.local_scope_id << 16 | ntohs(row.local_port),
             big_endian_word(row.remote_addr),
             big_endian_word(row.remote_addr + 8),
             (uint64_t)row.remote_scope_id << 16 | ntohs(row.remote_port)},
        index(i)
    {}
    bool operator<(const FullKey &o) const
    {
        for (int i = 0; i < 6; i++)
            if (word[i] != o.word[i]) return word[i] < o.word[i];
        return false;
    }
};

struct Ipv4Key
{
    uint64_t local, remote;
    uint32_t index;

    Ipv4Key(const iphlp_socket_row &row, uint32_t i) :
        local(address_and_port(row.local_addr, row.local_port)),
        remote(address_and_port(row.remote_addr, row.remote_port)), index(i)
    {}
    bool operator<(const Ipv4Key &o) const { return local != o.local ? local < o.local : remote < o.remote; }
};

bool ipv4_shaped(const iphlp_socket_row &row)
{
    static const uint8_t zero[12] = {};
    return !row.local_scope_id && !row.remote_scope_id && !memcmp(row.local_addr + 4, zero, 12) &&
           !memcmp(row.remote_addr + 4, zero, 12);
}

template <class Key> void sorted_copy(const SocketBuffer &records, iphlp_socket_row *out)
{
    thread_local std::vector<Key> keys; /* reused: no allocation in steady state */
    keys.clear();
    for (uint32_t i = 0; i < records.size(); i++) keys.emplace_back(records[i].row, i);
    std::sort(keys.begin(), keys.end());
    for (size_t i = 0; i < keys.size(); i++) out[i] = records[keys[i].index].row;
    release_if_oversized(keys, keys.size());
}

} // namespace

bool row_before(const iphlp_socket_row &a, const iphlp_socket_row &b) { return FullKey(a, 0) < FullKey(b, 0); }

void copy_rows(const SocketBuffer &records, bool sort, iphlp_socket_row *out)
{
    if (!sort)
    {
        for (size_t i = 0; i < records.size(); i++) out[i] = records[i].row;
        return;
    }
    bool all_ipv4 =
        std::all_of(records.begin(), records.end(), [](const SocketRecord &r) { return ipv4_shaped(r.row); });
    if (all_ipv4)
        sorted_copy<Ipv4Key>(records, out);
    else
        sorted_copy<FullKey>(records, out);
}

} // namespace iphlp
