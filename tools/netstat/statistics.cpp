// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * -s (per-protocol statistics), -e (interface counters) and -r (interfaces and routes), in
 * Windows' layouts (docs/netstat.md), from the iphlpapi functions this project forwards to
 * Wine's own implementation: GetIpStatisticsEx, GetIcmpStatisticsEx, GetTcpStatisticsEx,
 * GetUdpStatisticsEx, GetIfTable, GetAdaptersAddresses, GetIpForwardTable2.
 */
#include "netstat.h"

#include <netioapi.h>

#include <cstdio>
#include <cstring>
#include <map>
#include <vector>

namespace netstat {
namespace {

int stat_error(const char *function, DWORD err)
{
    Output::error("netstat: %s failed: %s (error %lu)", function, error_message(err).c_str(), err);
    return 1;
}

void title(Output &out, const char *text)
{
    out.blank();
    out.line("%s", text);
    out.blank();
}

/* "  Packets Received                   = 9147172": labels padded to 35 (IP), 36 (TCP), 22 (UDP). */
int ip_section(Output &out, ULONG family)
{
    MIB_IPSTATS s = {};
    DWORD err = GetIpStatisticsEx(&s, family);
    if (err != NO_ERROR)
        return stat_error(family == AF_INET ? "GetIpStatisticsEx(AF_INET)" : "GetIpStatisticsEx(AF_INET6)", err);
    title(out, family == AF_INET ? "IPv4 Statistics" : "IPv6 Statistics");
    const struct
    {
        const char *label;
        DWORD value;
    } rows[] = {
        {"Packets Received", s.dwInReceives},
        {"Received Header Errors", s.dwInHdrErrors},
        {"Received Address Errors", s.dwInAddrErrors},
        {"Datagrams Forwarded", s.dwForwDatagrams},
        {"Unknown Protocols Received", s.dwInUnknownProtos},
        {"Received Packets Discarded", s.dwInDiscards},
        {"Received Packets Delivered", s.dwInDelivers},
        {"Output Requests", s.dwOutRequests},
        {"Routing Discards", s.dwRoutingDiscards},
        {"Discarded Output Packets", s.dwOutDiscards},
        {"Output Packet No Route", s.dwOutNoRoutes},
        {"Reassembly Required", s.dwReasmReqds},
        {"Reassembly Successful", s.dwReasmOks},
        {"Reassembly Failures", s.dwReasmFails},
        {"Datagrams Successfully Fragmented", s.dwFragOks},
        {"Datagrams Failing Fragmentation", s.dwFragFails},
        {"Fragments Created", s.dwFragCreates},
    };
    for (const auto &r : rows) out.line("  %-35s= %lu", r.label, r.value);
    return 0;
}

/* "  Messages                  5873        9527" under "Received    Sent"; counts by ICMP type. */
int icmp_section(Output &out, ULONG family)
{
    MIB_ICMP_EX s = {};
    DWORD err = GetIcmpStatisticsEx(&s, family);
    if (err != NO_ERROR)
        return stat_error(family == AF_INET ? "GetIcmpStatisticsEx(AF_INET)" : "GetIcmpStatisticsEx(AF_INET6)", err);
    title(out, family == AF_INET ? "ICMPv4 Statistics" : "ICMPv6 Statistics");
    out.line("                            Received    Sent");
    auto row = [&](const char *label, DWORD in, DWORD sent) { out.line("  %-26s%-12lu%lu", label, in, sent); };
    const MIBICMPSTATS_EX &in = s.icmpInStats, &o = s.icmpOutStats;
    row("Messages", in.dwMsgs, o.dwMsgs);
    row("Errors", in.dwErrors, o.dwErrors);
    const struct
    {
        const char *label;
        unsigned type;
    } v4[] = {{"Destination Unreachable", 3},
              {"Time Exceeded", 11},
              {"Parameter Problems", 12},
              {"Source Quenches", 4},
              {"Redirects", 5},
              {"Echo Replies", 0},
              {"Echos", 8},
              {"Timestamps", 13},
              {"Timestamp Replies", 14},
              {"Address Masks", 17},
              {"Address Mask Replies", 18},
              {"Router Solicitations", 10},
              {"Router Advertisements", 9}},
      v6[] = {{"Destination Unreachable", 1},
              {"Packet Too Big", 2},
              {"Time Exceeded", 3},
              {"Parameter Problems", 4},
              {"Echos", 128},
              {"Echo Replies", 129},
              {"MLD Queries", 130},
              {"MLD Reports", 131},
              {"MLD Dones", 132},
              {"Router Solicitations", 133},
              {"Router Advertisements", 134},
              {"Neighbor Solicitations", 135},
              {"Neighbor Advertisements", 136},
              {"Redirects", 137},
              {"Router Renumberings", 138}};
    if (family == AF_INET)
        for (const auto &t : v4) row(t.label, in.rgdwTypeCount[t.type], o.rgdwTypeCount[t.type]);
    else
        for (const auto &t : v6) row(t.label, in.rgdwTypeCount[t.type], o.rgdwTypeCount[t.type]);
    return 0;
}

int tcp_section(Output &out, ULONG family)
{
    MIB_TCPSTATS s = {};
    DWORD err = GetTcpStatisticsEx(&s, family);
    if (err != NO_ERROR)
        return stat_error(family == AF_INET ? "GetTcpStatisticsEx(AF_INET)" : "GetTcpStatisticsEx(AF_INET6)", err);
    title(out, family == AF_INET ? "TCP Statistics for IPv4" : "TCP Statistics for IPv6");
    const struct
    {
        const char *label;
        DWORD value;
    } rows[] = {
        {"Active Opens", s.dwActiveOpens},
        {"Passive Opens", s.dwPassiveOpens},
        {"Failed Connection Attempts", s.dwAttemptFails},
        {"Reset Connections", s.dwEstabResets},
        {"Current Connections", s.dwCurrEstab},
        {"Segments Received", s.dwInSegs},
        {"Segments Sent", s.dwOutSegs},
        {"Segments Retransmitted", s.dwRetransSegs},
    };
    for (const auto &r : rows) out.line("  %-36s= %lu", r.label, r.value);
    return 0;
}

int udp_section(Output &out, ULONG family)
{
    MIB_UDPSTATS s = {};
    DWORD err = GetUdpStatisticsEx(&s, family);
    if (err != NO_ERROR)
        return stat_error(family == AF_INET ? "GetUdpStatisticsEx(AF_INET)" : "GetUdpStatisticsEx(AF_INET6)", err);
    title(out, family == AF_INET ? "UDP Statistics for IPv4" : "UDP Statistics for IPv6");
    out.line("  %-22s= %lu", "Datagrams Received", s.dwInDatagrams);
    out.line("  %-22s= %lu", "No Ports", s.dwNoPorts);
    out.line("  %-22s= %lu", "Receive Errors", s.dwInErrors);
    out.line("  %-22s= %lu", "Datagrams Sent", s.dwOutDatagrams);
    return 0;
}

} // namespace

int show_statistics(const Options &o, Output &out)
{
    const unsigned p = o.protocol ? o.protocol : ~0u;
    int rc = 0;
    if (p & PROTO_IP) rc |= ip_section(out, AF_INET);
    if (p & PROTO_IPV6) rc |= ip_section(out, AF_INET6);
    if (p & PROTO_ICMP) rc |= icmp_section(out, AF_INET);
    if (p & PROTO_ICMPV6) rc |= icmp_section(out, AF_INET6);
    if (p & PROTO_TCP) rc |= tcp_section(out, AF_INET);
    if (p & PROTO_TCPV6) rc |= tcp_section(out, AF_INET6);
    if (p & PROTO_UDP) rc |= udp_section(out, AF_INET);
    if (p & PROTO_UDPV6) rc |= udp_section(out, AF_INET6);
    /* With -p naming a connection protocol, Windows follows its statistics with that protocol's
     * connections (docs/netstat.md). */
    if (o.protocol & CONNECTION_PROTOCOLS) rc |= show_connections(o, out, true);
    return rc;
}

/* Windows sums the counters of its interfaces; loopback is left out here (Linux's lo counts
 * every loopback byte twice over, which no Windows adapter does). 32-bit MIB_IFROW counters,
 * summed in 32 bits, wrap as Windows' do. */
int show_interface_statistics(Output &out)
{
    std::vector<BYTE> buffer(sizeof(MIB_IFTABLE));
    DWORD err = ERROR_INSUFFICIENT_BUFFER;
    for (int attempt = 0; attempt < 8 && err == ERROR_INSUFFICIENT_BUFFER; attempt++)
    {
        ULONG size = (ULONG)buffer.size();
        err = GetIfTable(reinterpret_cast<MIB_IFTABLE *>(buffer.data()), &size, FALSE);
        if (err == ERROR_INSUFFICIENT_BUFFER) buffer.resize(size + 4096);
    }
    if (err != NO_ERROR) return stat_error("GetIfTable", err);
    const auto *table = reinterpret_cast<const MIB_IFTABLE *>(buffer.data());
    DWORD in_octets = 0, out_octets = 0, in_ucast = 0, out_ucast = 0, in_nucast = 0, out_nucast = 0, in_discards = 0,
          out_discards = 0, in_errors = 0, out_errors = 0, unknown = 0;
    for (DWORD i = 0; i < table->dwNumEntries; i++)
    {
        const MIB_IFROW &r = table->table[i];
        if (r.dwType == IF_TYPE_SOFTWARE_LOOPBACK) continue;
        in_octets += r.dwInOctets, out_octets += r.dwOutOctets;
        in_ucast += r.dwInUcastPkts, out_ucast += r.dwOutUcastPkts;
        in_nucast += r.dwInNUcastPkts, out_nucast += r.dwOutNUcastPkts;
        in_discards += r.dwInDiscards, out_discards += r.dwOutDiscards;
        in_errors += r.dwInErrors, out_errors += r.dwOutErrors;
        unknown += r.dwInUnknownProtos;
    }
    out.line("Interface Statistics");
    out.blank();
    out.line("                           Received            Sent");
    out.blank();
    out.line("%-20s%15lu%16lu", "Bytes", in_octets, out_octets);
    out.line("%-20s%15lu%16lu", "Unicast packets", in_ucast, out_ucast);
    out.line("%-20s%15lu%16lu", "Non-unicast packets", in_nucast, out_nucast);
    out.line("%-20s%15lu%16lu", "Discards", in_discards, out_discards);
    out.line("%-20s%15lu%16lu", "Errors", in_errors, out_errors);
    out.line("%-20s%15lu", "Unknown protocols", unknown);
    return 0;
}

/* ---- -r ---- */
namespace {

std::string text_of(const SOCKADDR_INET &a)
{
    char text[INET6_ADDRSTRLEN] = "?";
    if (a.si_family == AF_INET)
        inet_ntop(AF_INET, &a.Ipv4.sin_addr, text, sizeof(text));
    else
        inet_ntop(AF_INET6, &a.Ipv6.sin6_addr, text, sizeof(text));
    return text;
}

bool is_unspecified(const SOCKADDR_INET &a)
{
    static const BYTE zero[16] = {};
    return a.si_family == AF_INET ? a.Ipv4.sin_addr.S_un.S_addr == 0 : !memcmp(&a.Ipv6.sin6_addr, zero, 16);
}

std::string mask_of(UINT8 prefix_length)
{
    ULONG mask = 0;
    if (ConvertLengthToIpv4Mask(prefix_length, &mask) != NO_ERROR) return "?";
    in_addr a;
    a.S_un.S_addr = mask;
    char text[INET_ADDRSTRLEN] = "?";
    inet_ntop(AF_INET, &a, text, sizeof(text));
    return text;
}

const char *const rule = "===========================================================================";

} // namespace

int show_routes(Output &out)
{
    /* Interface list: "  4...02 00 0a 00 00 02 ......Description", 18 dots without a MAC. */
    std::vector<BYTE> buffer(16 * 1024);
    ULONG size = (ULONG)buffer.size();
    ULONG flags = GAA_FLAG_SKIP_ANYCAST | GAA_FLAG_SKIP_MULTICAST | GAA_FLAG_SKIP_DNS_SERVER;
    DWORD err =
        GetAdaptersAddresses(AF_UNSPEC, flags, nullptr, reinterpret_cast<IP_ADAPTER_ADDRESSES *>(buffer.data()), &size);
    if (err == ERROR_BUFFER_OVERFLOW)
    {
        buffer.resize(size);
        err = GetAdaptersAddresses(AF_UNSPEC, flags, nullptr, reinterpret_cast<IP_ADAPTER_ADDRESSES *>(buffer.data()),
                                   &size);
    }
    if (err != NO_ERROR) return stat_error("GetAdaptersAddresses", err);
    std::map<NET_IFINDEX, std::string> ipv4_of; /* first IPv4 address of each interface, the "Interface" column */
    out.line("%s", rule);
    out.line("Interface List");
    for (auto *a = reinterpret_cast<IP_ADAPTER_ADDRESSES *>(buffer.data()); a; a = a->Next)
    {
        std::string mac;
        char byte[4];
        for (ULONG i = 0; i < a->PhysicalAddressLength && i < 8; i++)
        {
            snprintf(byte, sizeof(byte), "%02x ", a->PhysicalAddress[i]);
            mac += byte;
        }
        if (mac.empty()) mac.assign(18, '.');
        char description[512] = "";
        if (a->Description)
            WideCharToMultiByte(CP_OEMCP, 0, a->Description, -1, description, sizeof(description), nullptr, nullptr);
        NET_IFINDEX index = a->IfIndex ? a->IfIndex : a->Ipv6IfIndex;
        out.line("%3lu...%s......%s", (unsigned long)index, mac.c_str(), description);
        for (auto *u = a->FirstUnicastAddress; u; u = u->Next)
            if (u->Address.lpSockaddr && u->Address.lpSockaddr->sa_family == AF_INET && !ipv4_of.count(a->IfIndex))
            {
                char text[INET_ADDRSTRLEN] = "?";
                inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in *>(u->Address.lpSockaddr)->sin_addr, text,
                          sizeof(text));
                ipv4_of[a->IfIndex] = text;
            }
    }
    out.line("%s", rule);

    for (ADDRESS_FAMILY family : {(ADDRESS_FAMILY)AF_INET, (ADDRESS_FAMILY)AF_INET6})
    {
        MIB_IPFORWARD_TABLE2 *table = nullptr;
        err = GetIpForwardTable2(family, &table);
        if (err != NO_ERROR)
            return stat_error(family == AF_INET ? "GetIpForwardTable2(AF_INET)" : "GetIpForwardTable2(AF_INET6)", err);
        out.blank();
        out.line("%s", family == AF_INET ? "IPv4 Route Table" : "IPv6 Route Table");
        out.line("%s", rule);
        out.line("Active Routes:");
        if (family == AF_INET)
            out.line("Network Destination        Netmask          Gateway       Interface  Metric");
        else
            out.line(" If Metric Network Destination      Gateway");
        for (ULONG i = 0; i < table->NumEntries; i++)
        {
            const MIB_IPFORWARD_ROW2 &r = table->Table[i];
            std::string gateway = is_unspecified(r.NextHop) ? "On-link" : text_of(r.NextHop);
            if (family == AF_INET)
            {
                auto it = ipv4_of.find(r.InterfaceIndex);
                std::string interface_address = it != ipv4_of.end() ? it->second : std::to_string(r.InterfaceIndex);
                out.line("%17s%17s%17s%16s%7lu", text_of(r.DestinationPrefix.Prefix).c_str(),
                         mask_of(r.DestinationPrefix.PrefixLength).c_str(), gateway.c_str(), interface_address.c_str(),
                         r.Metric);
            }
            else
            {
                std::string destination =
                    text_of(r.DestinationPrefix.Prefix) + "/" + std::to_string(r.DestinationPrefix.PrefixLength);
                out.line("%3lu%7lu %-24s %s", (unsigned long)r.InterfaceIndex, r.Metric, destination.c_str(),
                         gateway.c_str());
            }
        }
        out.line("%s", rule);
        out.line("Persistent Routes:");
        out.line("  None");
        FreeMibTable(table);
    }
    return 0;
}

} // namespace netstat
