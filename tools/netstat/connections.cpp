// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The "Active Connections" tables: -a -b -f -n -o -p -q -t -y, and -x.
 *
 * Rows come from GetExtendedTcpTable / GetExtendedUdpTable, OWNER_PID classes (OWNER_MODULE
 * with -b, whose rows GetOwnerModuleFrom*Entry takes), asked sorted, in Windows' order: TCP over
 * IPv4, TCP over IPv6, UDP over IPv4, UDP over IPv6. The column layouts are Windows' message
 * strings as documented in docs/netstat.md ("  %-5s  %-21s  %-21s  %-12s    %u"): values
 * longer than a column push the rest of the line right, as they do on Windows.
 */
#include "netstat.h"

#include <cstdio>
#include <cstring>
#include <map>
#include <unordered_map>
#include <vector>

namespace netstat {

const char *tcp_state_name(DWORD state)
{
    switch (state)
    {
    case MIB_TCP_STATE_CLOSED: return "CLOSED";
    case MIB_TCP_STATE_LISTEN: return "LISTENING";
    case MIB_TCP_STATE_SYN_SENT: return "SYN_SENT";
    case MIB_TCP_STATE_SYN_RCVD: return "SYN_RECEIVED";
    case MIB_TCP_STATE_ESTAB: return "ESTABLISHED";
    case MIB_TCP_STATE_FIN_WAIT1: return "FIN_WAIT_1";
    case MIB_TCP_STATE_FIN_WAIT2: return "FIN_WAIT_2";
    case MIB_TCP_STATE_CLOSE_WAIT: return "CLOSE_WAIT";
    case MIB_TCP_STATE_CLOSING: return "CLOSING";
    case MIB_TCP_STATE_LAST_ACK: return "LAST_ACK";
    case MIB_TCP_STATE_TIME_WAIT: return "TIME_WAIT";
    case MIB_TCP_STATE_DELETE_TCB: return "DELETE_TCB";
    case 100: return "BOUND"; /* MIB_TCP_STATE_RESERVED: a bound, not listening port (-q) */
    default: return "UNKNOWN";
    }
}

namespace {

/* One table of one protocol and family, read whole. The first call already offers a buffer
 * (64 KiB, or what the previous table needed): Wine's builtin iphlpapi does all its work, owner
 * lookup included, for a size probe too, so a NULL probe would double its cost. Rows can appear
 * between calls, hence the slack and the retries. */
template <class Fetch> DWORD read_table(Fetch fetch, std::vector<BYTE> &buffer)
{
    if (buffer.size() < 64 * 1024) buffer.resize(64 * 1024);
    DWORD err = ERROR_INSUFFICIENT_BUFFER;
    for (int attempt = 0; attempt < 8 && err == ERROR_INSUFFICIENT_BUFFER; attempt++)
    {
        DWORD size = (DWORD)buffer.size();
        err = fetch(size ? buffer.data() : nullptr, &size);
        if (err == ERROR_INSUFFICIENT_BUFFER)
        {
            if (size <= buffer.size()) size = (DWORD)buffer.size() * 2 + 4096; /* no usable size: grow */
            buffer.resize(size + size / 8 + 1024);
        }
    }
    return err;
}

class Formatter
{
  public:
    explicit Formatter(const Options &o) : o_(o) {}

    std::string local4(DWORD addr, DWORD port) const { return numeric4(addr) + ":" + std::to_string(port_of(port)); }
    std::string local6(const UCHAR *addr, DWORD scope, DWORD port) const
    {
        return "[" + numeric6(addr, scope) + "]:" + std::to_string(port_of(port));
    }

    /* Foreign addresses: numeric with -n. Otherwise the unspecified and loopback addresses are
     * this machine, shown by its name as Windows does ("DESKTOP-X:0"); other hosts stay numeric
     * unless -f asks DNS for their full names (Windows asks DNS even without -f; we do not, so
     * that a plain `netstat -a` never waits for reverse lookups). Ports get service names. */
    std::string foreign4(DWORD addr, DWORD port, bool tcp)
    {
        std::string host;
        if (o_.numeric)
            host = numeric4(addr);
        else
        {
            const BYTE *b = reinterpret_cast<const BYTE *>(&addr);
            if (addr == 0 || b[0] == 127)
                host = machine_name();
            else if (o_.fqdn)
                host = reverse_lookup4(addr);
            else
                host = numeric4(addr);
        }
        return host + ":" + port_text(port_of(port), tcp);
    }

    std::string foreign6(const UCHAR *addr, DWORD scope, DWORD port, bool tcp)
    {
        std::string host;
        if (o_.numeric)
            host = "[" + numeric6(addr, scope) + "]";
        else
        {
            static const UCHAR unspecified[16] = {};
            static const UCHAR loopback[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
            if (!memcmp(addr, unspecified, 16) || !memcmp(addr, loopback, 16))
                host = machine_name();
            else if (o_.fqdn)
                host = reverse_lookup6(addr, scope);
            else
                host = "[" + numeric6(addr, scope) + "]";
        }
        return host + ":" + port_text(port_of(port), tcp);
    }

    static u_short port_of(DWORD port) { return ntohs((u_short)(port & 0xffff)); }

    static std::string numeric4(DWORD addr)
    {
        in_addr a;
        a.S_un.S_addr = addr;
        char text[INET_ADDRSTRLEN] = "?";
        inet_ntop(AF_INET, &a, text, sizeof(text));
        return text;
    }

    /* RtlIpv6AddressToString's form, which ws2_32's inet_ntop produces, plus %scope when the row
     * has a scope id (link-local addresses): "fe80::1%4". */
    static std::string numeric6(const UCHAR *addr, DWORD scope)
    {
        in6_addr a;
        memcpy(&a, addr, 16);
        char text[INET6_ADDRSTRLEN] = "?";
        inet_ntop(AF_INET6, &a, text, sizeof(text));
        std::string s = text;
        if (scope) s += "%" + std::to_string(scope);
        return s;
    }

  private:
    std::string port_text(u_short port, bool tcp)
    {
        if (o_.numeric || port == 0) return std::to_string(port);
        unsigned key = port | (tcp ? 0x10000u : 0u);
        auto it = services_.find(key);
        if (it != services_.end()) return it->second;
        const servent *s = getservbyport(htons(port), tcp ? "tcp" : "udp");
        std::string text = s && s->s_name ? s->s_name : std::to_string(port);
        services_.emplace(key, text);
        return text;
    }

    const std::string &machine_name()
    {
        if (machine_.empty())
        {
            char name[256];
            DWORD len = sizeof(name);
            COMPUTER_NAME_FORMAT format = o_.fqdn ? ComputerNameDnsFullyQualified : ComputerNameDnsHostname;
            if (GetComputerNameExA(format, name, &len) && len)
                machine_.assign(name, len);
            else
                machine_ = "localhost";
        }
        return machine_;
    }

    std::string reverse_lookup4(DWORD addr)
    {
        sockaddr_in sa = {};
        sa.sin_family = AF_INET;
        sa.sin_addr.S_un.S_addr = addr;
        return lookup(reinterpret_cast<sockaddr *>(&sa), sizeof(sa), numeric4(addr));
    }

    std::string reverse_lookup6(const UCHAR *addr, DWORD scope)
    {
        sockaddr_in6 sa = {};
        sa.sin6_family = AF_INET6;
        memcpy(&sa.sin6_addr, addr, 16);
        sa.sin6_scope_id = scope;
        return lookup(reinterpret_cast<sockaddr *>(&sa), sizeof(sa), "[" + numeric6(addr, scope) + "]");
    }

    std::string lookup(const sockaddr *sa, int len, const std::string &fallback)
    {
        auto it = names_.find(fallback);
        if (it != names_.end()) return it->second;
        char host[NI_MAXHOST];
        std::string name = getnameinfo(sa, len, host, sizeof(host), nullptr, 0, NI_NAMEREQD) == 0 ? host : fallback;
        names_.emplace(fallback, name);
        return name;
    }

    const Options &o_;
    std::string machine_;
    std::unordered_map<unsigned, std::string> services_;
    std::map<std::string, std::string> names_;
};

/* -b: the owner's image name through GetOwnerModuleFrom*Entry. Looked up at run time: Wine's
 * own iphlpapi does not export them, and netstat must still run there (it then says it cannot
 * obtain the owner, as Windows does when the call fails). One answer per PID is kept. */
class Owners
{
  public:
    Owners()
    {
        HMODULE iphlpapi = GetModuleHandleA("iphlpapi.dll");
        if (!iphlpapi) return;
        tcp_ = reinterpret_cast<Fn>(reinterpret_cast<void *>(GetProcAddress(iphlpapi, "GetOwnerModuleFromTcpEntry")));
        tcp6_ = reinterpret_cast<Fn>(reinterpret_cast<void *>(GetProcAddress(iphlpapi, "GetOwnerModuleFromTcp6Entry")));
        udp_ = reinterpret_cast<Fn>(reinterpret_cast<void *>(GetProcAddress(iphlpapi, "GetOwnerModuleFromUdpEntry")));
        udp6_ = reinterpret_cast<Fn>(reinterpret_cast<void *>(GetProcAddress(iphlpapi, "GetOwnerModuleFromUdp6Entry")));
    }

    enum Kind
    {
        TCP4,
        TCP6,
        UDP4,
        UDP6
    };

    /* " [name]" or Windows' line for an owner it cannot name. */
    std::string line(Kind kind, void *entry, DWORD pid)
    {
        std::string n = convert(name(kind, entry, pid), CP_OEMCP);
        return n.empty() ? " Can not obtain ownership information" : " [" + n + "]";
    }

    /* The image name in UTF-8 (for --json), empty when it cannot be named. */
    std::string utf8(Kind kind, void *entry, DWORD pid) { return convert(name(kind, entry, pid), CP_UTF8); }

  private:
    typedef DWORD(WINAPI *Fn)(void *, TCPIP_OWNER_MODULE_INFO_CLASS, PVOID, PDWORD);

    const std::wstring &name(Kind kind, void *entry, DWORD pid)
    {
        auto it = cache_.find(pid);
        if (it == cache_.end()) it = cache_.emplace(pid, query(kind, entry)).first;
        return it->second;
    }

    static std::string convert(const std::wstring &w, UINT codepage)
    {
        if (w.empty()) return std::string();
        int n = WideCharToMultiByte(codepage, 0, w.c_str(), -1, nullptr, 0, nullptr, nullptr);
        if (n <= 1) return std::string();
        std::string out((size_t)n, '\0');
        WideCharToMultiByte(codepage, 0, w.c_str(), -1, &out[0], n, nullptr, nullptr);
        out.resize((size_t)n - 1);
        return out;
    }

    std::wstring query(Kind kind, void *entry)
    {
        Fn fn = kind == TCP4 ? tcp_ : kind == TCP6 ? tcp6_ : kind == UDP4 ? udp_ : udp6_;
        if (!fn) return std::wstring();
        std::vector<BYTE> buffer;
        DWORD size = 0;
        DWORD err = fn(entry, TCPIP_OWNER_MODULE_INFO_BASIC, nullptr, &size);
        if (err == ERROR_INSUFFICIENT_BUFFER && size)
        {
            buffer.resize(size);
            err = fn(entry, TCPIP_OWNER_MODULE_INFO_BASIC, buffer.data(), &size);
        }
        if (err != NO_ERROR || buffer.size() < sizeof(TCPIP_OWNER_MODULE_BASIC_INFO)) return std::wstring();
        const auto *info = reinterpret_cast<const TCPIP_OWNER_MODULE_BASIC_INFO *>(buffer.data());
        if (!info->pModuleName) return std::wstring();
        return info->pModuleName;
    }

    Fn tcp_ = nullptr, tcp6_ = nullptr, udp_ = nullptr, udp6_ = nullptr;
    std::unordered_map<DWORD, std::wstring> cache_;
};

bool token_is_elevated()
{
    HANDLE token;
    if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &token)) return false;
    TOKEN_ELEVATION elevation = {};
    DWORD len = 0;
    BOOL ok = GetTokenInformation(token, TokenElevation, &elevation, sizeof(elevation), &len);
    CloseHandle(token);
    return ok && elevation.TokenIsElevated;
}

class Printer
{
  public:
    Printer(const Options &o, Output &out) : o_(o), out_(out), format_(o) {}

    void header()
    {
        if (o_.json) return; /* the array is opened by the first row, or by end_json() */
        out_.blank();
        out_.line("Active Connections");
        out_.blank();
        const char *tail = o_.templates           ? "           Template"
                           : o_.pid && o_.offload ? "           PID      Offload State"
                           : o_.pid               ? "           PID"
                           : o_.offload           ? "           Offload State"
                                                  : "";
        out_.line("  Proto  Local Address          Foreign Address        State%s", tail);
        if (o_.offload) out_.blank(); /* -t's header is followed by an empty line */
    }

    /* Without -a (or -q), listening TCP ports and UDP endpoints are left out; -y shows TCP
     * connections only. */
    bool show_tcp(DWORD state) const
    {
        /* --state names the states it wants: LISTENING (or BOUND) then needs no -a. */
        if (o_.states) return (o_.states & state_bit(state)) != 0;
        return o_.all || o_.bound || (state != MIB_TCP_STATE_LISTEN && state != 100);
    }
    /* UDP rows have no state: --state leaves them out. */
    bool show_udp() const { return (o_.all || o_.bound) && !o_.templates && !o_.states; }

    /* --port (local or foreign; ports in network order as the tables give them) and --pid. */
    bool keep(DWORD local_port, DWORD remote_port, DWORD pid) const
    {
        if (o_.port >= 0 && Formatter::port_of(local_port) != o_.port && Formatter::port_of(remote_port) != o_.port)
            return false;
        return o_.owner < 0 || (long long)pid == o_.owner;
    }

    /* --json: one object per row, the array closed by end_json(). Addresses are always numeric
     * (IPv6 without brackets, with %scope), ports are numbers; UDP rows have a null foreign side
     * and state. "image" is there with -b only: the owner's image name, or null. */
    void json_row(Owners::Kind kind, void *entry, const std::string &local, DWORD local_port,
                  const std::string &foreign, DWORD remote_port, DWORD state, DWORD pid)
    {
        static const char *const protos[] = {"TCP", "TCPv6", "UDP", "UDPv6"};
        const bool tcp = kind == Owners::TCP4 || kind == Owners::TCP6;
        std::string j = json_rows_ ? ",\n  {" : "[\n  {";
        j += "\"proto\": \"" + std::string(protos[kind]) + "\"";
        j += ", \"local_address\": " + json_string(local);
        j += ", \"local_port\": " + std::to_string(Formatter::port_of(local_port));
        if (tcp)
        {
            j += ", \"foreign_address\": " + json_string(foreign);
            j += ", \"foreign_port\": " + std::to_string(Formatter::port_of(remote_port));
            j += ", \"state\": " + json_string(tcp_state_name(state));
        }
        else
            j += ", \"foreign_address\": null, \"foreign_port\": null, \"state\": null";
        j += ", \"pid\": " + std::to_string(pid);
        if (o_.owner_image)
        {
            std::string image =
                tcp && state == MIB_TCP_STATE_TIME_WAIT ? std::string() : owners_.utf8(kind, entry, pid);
            j += ", \"image\": " + (image.empty() ? std::string("null") : json_string(image));
        }
        j += "}";
        out_.text(j);
        json_rows_++;
    }

    void end_json() { out_.text(json_rows_ ? "\n]\n" : "[]\n"); }

    static std::string json_string(const std::string &s)
    {
        std::string j = "\"";
        for (unsigned char c : s)
        {
            if (c == '"' || c == '\\')
                j += '\\', j += (char)c;
            else if (c < 0x20)
            {
                char esc[8];
                snprintf(esc, sizeof(esc), "\\u%04x", c);
                j += esc;
            }
            else
                j += (char)c; /* UTF-8 passes through */
        }
        return j + "\"";
    }

    void tcp_row(const std::string &local, const std::string &foreign, DWORD state, DWORD pid)
    {
        const char *s = tcp_state_name(state);
        if (o_.templates) /* No TCP templates under Wine: every connection uses the default one, "Internet". */
            out_.line("  %-5s  %-21s  %-21s  %-12s    %s", "TCP", local.c_str(), foreign.c_str(), s, "Internet");
        else if (o_.pid && o_.offload)
            out_.line("  %-5s  %-21s  %-21s  %-12s    %lu\t%-12s", "TCP", local.c_str(), foreign.c_str(), s, pid,
                      "InHost");
        else if (o_.pid)
            out_.line("  %-5s  %-21s  %-21s  %-12s    %lu", "TCP", local.c_str(), foreign.c_str(), s, pid);
        else if (o_.offload)
            out_.line("  %-5s  %-21s  %-21s  %-12s    %-12s", "TCP", local.c_str(), foreign.c_str(), s, "InHost");
        else
            out_.line("  %-5s  %-21s  %-21s  %s", "TCP", local.c_str(), foreign.c_str(), s);
    }

    /* UDP has no state (an empty, padded column) and no offload state. */
    void udp_row(const std::string &local, DWORD pid)
    {
        if (o_.pid)
            out_.line("  %-5s  %-21s  %-21s  %-12s    %lu", "UDP", local.c_str(), "*:*", "", pid);
        else
            out_.line("  %-5s  %-21s  %-21s  %s", "UDP", local.c_str(), "*:*", "");
    }

    /* -b: TIME_WAIT rows belong to no process and get no owner line (docs/netstat.md). */
    void owner(Owners::Kind kind, void *entry, DWORD pid, DWORD state)
    {
        if (!o_.owner_image) return;
        if ((kind == Owners::TCP4 || kind == Owners::TCP6) && state == MIB_TCP_STATE_TIME_WAIT) return;
        out_.line("%s", owners_.line(kind, entry, pid).c_str());
    }

    Formatter &format() { return format_; }

  private:
    unsigned json_rows_ = 0;
    const Options &o_;
    Output &out_;
    Formatter format_;
    Owners owners_;
};

int table_error(const char *function, const char *which, DWORD err)
{
    Output::error("netstat: %s (%s) failed: %s (error %lu)", function, which, error_message(err).c_str(), err);
    return 1;
}

/* Which table classes the options ask for. */
struct TableChoice
{
    bool module_rows; /* -b: OWNER_MODULE rows are what GetOwnerModuleFrom* take */
    /* Without -o, -b, --json and --pid no owner is printed: the tables are then read without
     * owners (BASIC classes; GetTcp6Table for TCP over IPv6, for which GetExtendedTcpTable has
     * no BASIC class), which spares the owner lookup, a scan of every Wine process's handles in
     * a new process. */
    bool owners;
};

/* The TCP over IPv4 rows. */
int print_tcp4(const Options &o, const TableChoice &c, Printer &print, std::vector<BYTE> &buffer)
{
    TCP_TABLE_CLASS cls = c.module_rows ? TCP_TABLE_OWNER_MODULE_ALL
                          : c.owners    ? TCP_TABLE_OWNER_PID_ALL
                                        : TCP_TABLE_BASIC_ALL;
    DWORD err =
        read_table([&](void *t, DWORD *size) { return GetExtendedTcpTable(t, size, TRUE, AF_INET, cls, 0); }, buffer);
    if (err != NO_ERROR) return table_error("GetExtendedTcpTable", "TCP over IPv4", err);
    auto row_at = [&](DWORD i) -> void * {
        switch (cls)
        {
        case TCP_TABLE_OWNER_MODULE_ALL: return &reinterpret_cast<MIB_TCPTABLE_OWNER_MODULE *>(buffer.data())->table[i];
        case TCP_TABLE_OWNER_PID_ALL: return &reinterpret_cast<MIB_TCPTABLE_OWNER_PID *>(buffer.data())->table[i];
        default: return &reinterpret_cast<MIB_TCPTABLE *>(buffer.data())->table[i];
        }
    };
    DWORD count = reinterpret_cast<const MIB_TCPTABLE *>(buffer.data())->dwNumEntries;
    for (DWORD i = 0; i < count; i++)
    {
        /* The three row types share their first five fields; the owner types the sixth. */
        const auto *r = static_cast<const MIB_TCPROW *>(row_at(i));
        DWORD pid = cls == TCP_TABLE_BASIC_ALL ? 0 : static_cast<const MIB_TCPROW_OWNER_PID *>(row_at(i))->dwOwningPid;
        if (!print.show_tcp(r->dwState)) continue;
        DWORD remote_port = r->dwState == MIB_TCP_STATE_LISTEN ? 0 : r->dwRemotePort;
        if (!print.keep(r->dwLocalPort, remote_port, pid)) continue;
        if (o.json)
        {
            print.json_row(Owners::TCP4, row_at(i), Formatter::numeric4(r->dwLocalAddr), r->dwLocalPort,
                           Formatter::numeric4(r->dwRemoteAddr), remote_port, r->dwState, pid);
            continue;
        }
        print.tcp_row(print.format().local4(r->dwLocalAddr, r->dwLocalPort),
                      print.format().foreign4(r->dwRemoteAddr, remote_port, true), r->dwState, pid);
        print.owner(Owners::TCP4, row_at(i), pid, r->dwState);
    }
    return 0;
}

/* The TCP over IPv6 rows. */
int print_tcp6(const Options &o, const TableChoice &c, Printer &print, std::vector<BYTE> &buffer)
{
    /* Without owners, GetTcp6Table: its rows (MIB_TCP6ROW) put the state first. */
    TCP_TABLE_CLASS cls = c.module_rows ? TCP_TABLE_OWNER_MODULE_ALL : TCP_TABLE_OWNER_PID_ALL;
    DWORD err =
        c.owners
            ? read_table([&](void *t, DWORD *size) { return GetExtendedTcpTable(t, size, TRUE, AF_INET6, cls, 0); },
                         buffer)
            : read_table(
                  [&](void *t, DWORD *size) { return GetTcp6Table(static_cast<MIB_TCP6TABLE *>(t), size, TRUE); },
                  buffer);
    if (err != NO_ERROR) return table_error(c.owners ? "GetExtendedTcpTable" : "GetTcp6Table", "TCP over IPv6", err);
    DWORD count = reinterpret_cast<const MIB_TCP6TABLE *>(buffer.data())->dwNumEntries;
    for (DWORD i = 0; i < count; i++)
    {
        const UCHAR *local, *remote;
        DWORD local_scope, local_port, remote_scope, remote_port, state, pid = 0;
        void *entry;
        if (c.owners)
        {
            entry = c.module_rows
                        ? static_cast<void *>(&reinterpret_cast<MIB_TCP6TABLE_OWNER_MODULE *>(buffer.data())->table[i])
                        : static_cast<void *>(&reinterpret_cast<MIB_TCP6TABLE_OWNER_PID *>(buffer.data())->table[i]);
            const auto *r = static_cast<const MIB_TCP6ROW_OWNER_PID *>(entry); /* common leading fields */
            local = r->ucLocalAddr, local_scope = r->dwLocalScopeId, local_port = r->dwLocalPort;
            remote = r->ucRemoteAddr, remote_scope = r->dwRemoteScopeId, remote_port = r->dwRemotePort;
            state = r->dwState, pid = r->dwOwningPid;
        }
        else
        {
            auto *r = &reinterpret_cast<MIB_TCP6TABLE *>(buffer.data())->table[i];
            entry = r;
            local = reinterpret_cast<const UCHAR *>(&r->LocalAddr), local_scope = r->dwLocalScopeId,
            local_port = r->dwLocalPort;
            remote = reinterpret_cast<const UCHAR *>(&r->RemoteAddr), remote_scope = r->dwRemoteScopeId;
            remote_port = r->dwRemotePort, state = (DWORD)r->State;
        }
        if (!print.show_tcp(state)) continue;
        if (state == MIB_TCP_STATE_LISTEN) remote_port = 0;
        if (!print.keep(local_port, remote_port, pid)) continue;
        if (o.json)
        {
            print.json_row(Owners::TCP6, entry, Formatter::numeric6(local, local_scope), local_port,
                           Formatter::numeric6(remote, remote_scope), remote_port, state, pid);
            continue;
        }
        print.tcp_row(print.format().local6(local, local_scope, local_port),
                      print.format().foreign6(remote, remote_scope, remote_port, true), state, pid);
        print.owner(Owners::TCP6, entry, pid, state);
    }
    return 0;
}

/* The UDP over IPv4 rows. */
int print_udp4(const Options &o, const TableChoice &c, Printer &print, std::vector<BYTE> &buffer)
{
    UDP_TABLE_CLASS cls = c.module_rows ? UDP_TABLE_OWNER_MODULE : c.owners ? UDP_TABLE_OWNER_PID : UDP_TABLE_BASIC;
    DWORD err =
        read_table([&](void *t, DWORD *size) { return GetExtendedUdpTable(t, size, TRUE, AF_INET, cls, 0); }, buffer);
    if (err != NO_ERROR) return table_error("GetExtendedUdpTable", "UDP over IPv4", err);
    auto row_at = [&](DWORD i) -> void * {
        switch (cls)
        {
        case UDP_TABLE_OWNER_MODULE: return &reinterpret_cast<MIB_UDPTABLE_OWNER_MODULE *>(buffer.data())->table[i];
        case UDP_TABLE_OWNER_PID: return &reinterpret_cast<MIB_UDPTABLE_OWNER_PID *>(buffer.data())->table[i];
        default: return &reinterpret_cast<MIB_UDPTABLE *>(buffer.data())->table[i];
        }
    };
    DWORD count = reinterpret_cast<const MIB_UDPTABLE *>(buffer.data())->dwNumEntries;
    for (DWORD i = 0; i < count; i++)
    {
        const auto *r = static_cast<const MIB_UDPROW *>(row_at(i));
        DWORD pid = cls == UDP_TABLE_BASIC ? 0 : static_cast<const MIB_UDPROW_OWNER_PID *>(row_at(i))->dwOwningPid;
        if (!print.keep(r->dwLocalPort, r->dwLocalPort, pid)) continue; /* UDP: no foreign port */
        if (o.json)
        {
            print.json_row(Owners::UDP4, row_at(i), Formatter::numeric4(r->dwLocalAddr), r->dwLocalPort, "", 0, 0, pid);
            continue;
        }
        print.udp_row(print.format().local4(r->dwLocalAddr, r->dwLocalPort), pid);
        print.owner(Owners::UDP4, row_at(i), pid, 0);
    }
    return 0;
}

/* The UDP over IPv6 rows. */
int print_udp6(const Options &o, const TableChoice &c, Printer &print, std::vector<BYTE> &buffer)
{
    UDP_TABLE_CLASS cls = c.module_rows ? UDP_TABLE_OWNER_MODULE : c.owners ? UDP_TABLE_OWNER_PID : UDP_TABLE_BASIC;
    DWORD err =
        read_table([&](void *t, DWORD *size) { return GetExtendedUdpTable(t, size, TRUE, AF_INET6, cls, 0); }, buffer);
    if (err != NO_ERROR) return table_error("GetExtendedUdpTable", "UDP over IPv6", err);
    auto row_at = [&](DWORD i) -> void * {
        switch (cls)
        {
        case UDP_TABLE_OWNER_MODULE: return &reinterpret_cast<MIB_UDP6TABLE_OWNER_MODULE *>(buffer.data())->table[i];
        case UDP_TABLE_OWNER_PID: return &reinterpret_cast<MIB_UDP6TABLE_OWNER_PID *>(buffer.data())->table[i];
        default: return &reinterpret_cast<MIB_UDP6TABLE *>(buffer.data())->table[i];
        }
    };
    DWORD count = reinterpret_cast<const MIB_UDP6TABLE *>(buffer.data())->dwNumEntries;
    for (DWORD i = 0; i < count; i++)
    {
        /* The three row types share address, scope id and port; the owner types add the PID. */
        const auto *r = static_cast<const MIB_UDP6ROW *>(row_at(i));
        DWORD pid = cls == UDP_TABLE_BASIC ? 0 : static_cast<const MIB_UDP6ROW_OWNER_PID *>(row_at(i))->dwOwningPid;
        if (!print.keep(r->dwLocalPort, r->dwLocalPort, pid)) continue; /* UDP: no foreign port */
        if (o.json)
        {
            print.json_row(Owners::UDP6, row_at(i),
                           Formatter::numeric6(reinterpret_cast<const UCHAR *>(&r->dwLocalAddr), r->dwLocalScopeId),
                           r->dwLocalPort, "", 0, 0, pid);
            continue;
        }
        print.udp_row(
            print.format().local6(reinterpret_cast<const UCHAR *>(&r->dwLocalAddr), r->dwLocalScopeId, r->dwLocalPort),
            pid);
        print.owner(Owners::UDP6, row_at(i), pid, 0);
    }
    return 0;
}

} // namespace

/* The tables the options select, in Windows' order: TCP, TCPv6, UDP, UDPv6. */
static int read_connections(const Options &o, Output &out, bool first_display)
{
    const unsigned protocols = o.protocol ? o.protocol : CONNECTION_PROTOCOLS;
    const TableChoice c = {o.owner_image, o.pid || o.owner_image || o.json || o.owner >= 0};
    Printer print(o, out);
    if (first_display) print.header();
    std::vector<BYTE> buffer;
    int rc = 0;
    if (protocols & PROTO_TCP) rc = print_tcp4(o, c, print, buffer);
    if (!rc && (protocols & PROTO_TCPV6)) rc = print_tcp6(o, c, print, buffer);
    if (!rc && (protocols & PROTO_UDP) && print.show_udp()) rc = print_udp4(o, c, print, buffer);
    if (!rc && (protocols & PROTO_UDPV6) && print.show_udp()) rc = print_udp6(o, c, print, buffer);
    if (rc) return rc;
    if (o.json) print.end_json();
    return 0;
}

int show_connections(const Options &o, Output &out, bool first_display)
{
    if (o.owner_image && !token_is_elevated())
    {
        /* Windows' netstat -b refuses to run without an elevated token, with the system's text
         * for ERROR_ELEVATION_REQUIRED (740; MinGW's winerror.h lacks the name). Wine 8.0's
         * message table has no text for 740, hence Windows' own words as the fallback. With
         * --json, stdout is for JSON only: the message goes to stderr. */
        std::string text = error_message(740, "The requested operation requires elevation.");
        if (o.json)
            Output::error("netstat: %s", text.c_str());
        else
            out.line("%s", text.c_str());
        return 1;
    }
    int rc = read_connections(o, out, first_display);
    if (o.json && rc) out.discard(); /* no half a document on stdout; the reason is on stderr */
    return rc;
}

int show_network_direct(const Options &, Output &out)
{
    /* No NetworkDirect (RDMA) providers exist under Wine: the title and column header, no rows.
     * Column names from a published Windows Server capture; their spacing is ours. */
    out.blank();
    out.line("Active NetworkDirect Connections, Listeners, SharedEndpoints");
    out.blank();
    out.line("  Mode   IfIndex Type           Local Address          Foreign Address        PID");
    out.blank();
    return 0;
}

} // namespace netstat
