// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * netstat.exe for Wine: Windows' netstat, built only on the public iphlpapi/Winsock API, so that
 * `netstat -ano` under Wine shows the owning PIDs this project's iphlpapi.dll reports, in the
 * byte layout that scripts and npm libraries parse. The evidence for each layout is in
 * docs/netstat.md.
 */
#pragma once

#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>
#include <iphlpapi.h>

#include <string>

namespace netstat {

/* -p PROTO. TCP..UDPV6 select connection tables; all eight select -s sections. */
enum Protocol : unsigned
{
    PROTO_NONE = 0,
    PROTO_TCP = 1u << 0,
    PROTO_UDP = 1u << 1,
    PROTO_TCPV6 = 1u << 2,
    PROTO_UDPV6 = 1u << 3,
    PROTO_IP = 1u << 4,
    PROTO_IPV6 = 1u << 5,
    PROTO_ICMP = 1u << 6,
    PROTO_ICMPV6 = 1u << 7,
};
constexpr unsigned CONNECTION_PROTOCOLS = PROTO_TCP | PROTO_UDP | PROTO_TCPV6 | PROTO_UDPV6;

struct Options
{
    bool all = false;               /* -a */
    bool owner_image = false;       /* -b */
    bool ethernet = false;          /* -e */
    bool fqdn = false;              /* -f */
    bool numeric = false;           /* -n */
    bool pid = false;               /* -o */
    bool bound = false;             /* -q */
    bool routes = false;            /* -r */
    bool statistics = false;        /* -s */
    bool offload = false;           /* -t */
    bool direct = false;            /* -x */
    bool templates = false;         /* -y */
    Protocol protocol = PROTO_NONE; /* -p, PROTO_NONE when not given */
    DWORD interval = 0;             /* seconds; 0 = print once */
    bool help = false;              /* /? or -? */

    /* Project extensions, long options only (docs/netstat.md, "Project extensions"). */
    unsigned states = 0;  /* --state: bits of state_bit(); 0 = no state filter */
    int port = -1;        /* --port: local or foreign port; -1 = any */
    long long owner = -1; /* --pid: owning PID; -1 = any */
    bool json = false;    /* --json */
};

/* The bit --state uses for a MIB_TCP_STATE value (1..12, and 100 for BOUND). */
inline unsigned state_bit(DWORD state) { return state == 100 ? 1u << 13 : state <= 12 ? 1u << state : 0u; }

/* Windows' name of a TCP state ("LISTENING", "TIME_WAIT", "BOUND" for 100). */
const char *tcp_state_name(DWORD state);

/* Parses argv the way Windows' netstat does (see docs/netstat.md). On a bad command line,
 * returns false and sets *why to a one-line reason (printed before the usage). */
bool parse_options(int argc, char **argv, Options *options, std::string *why);

/* Everything is written through one buffer with CRLF line ends, as Windows' netstat writes. */
class Output
{
  public:
    void line(const char *format, ...) __attribute__((format(printf, 2, 3)));
    void text(const std::string &s) { buffer_ += s; }
    void blank() { buffer_ += "\r\n"; }
    /* Writes the buffer to the standard output and clears it: NO_ERROR, or the system's error
     * of the write that failed (nothing more is written then). */
    DWORD flush();
    /* Whether a flush() error means the reader has gone (a closed pipe). */
    static bool reader_gone(DWORD error);
    void discard() { buffer_.clear(); }
    static void error(const char *format, ...) __attribute__((format(printf, 1, 2))); /* stderr + CRLF */

  private:
    std::string buffer_;
};

/* The "Active Connections" tables (-a -b -n -o -p -q -t -y -f). first_display says whether
 * to print the title and column header (an interval redisplay prints the rows only). Returns
 * 0, or 1 when a table could not be read (the reason is on stderr). */
int show_connections(const Options &options, Output &out, bool first_display);

/* -x: the NetworkDirect table (there are no NetworkDirect providers under Wine). */
int show_network_direct(const Options &options, Output &out);

/* -s, -e, -r. Each returns 0, or 1 when the data could not be read. */
int show_statistics(const Options &options, Output &out);
int show_interface_statistics(Output &out);
int show_routes(Output &out);

/* The system's message for a Win32 error code, without the trailing newline; when the system
 * has none (Wine lacks some), fallback if given, else "Error N.". */
std::string error_message(DWORD code, const char *fallback = nullptr);

} // namespace netstat
