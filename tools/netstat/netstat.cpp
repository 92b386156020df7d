/*
 * netstat.exe: entry point, command line and output buffer. See netstat.h and docs/netstat.md.
 */
#include "netstat.h"

#include <fcntl.h>
#include <io.h>

#include <cctype>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace netstat {

/* ---- output ---- */

static void append_vformat(std::string &to, const char *format, va_list args)
{
    va_list copy;
    va_copy(copy, args);
    char small[512];
    int n = vsnprintf(small, sizeof(small), format, copy);
    va_end(copy);
    if (n < 0) return;
    if ((size_t)n < sizeof(small))
    {
        to.append(small, (size_t)n);
        return;
    }
    std::string big((size_t)n + 1, '\0');
    vsnprintf(&big[0], big.size(), format, args);
    to.append(big.data(), (size_t)n);
}

void Output::line(const char *format, ...)
{
    va_list args;
    va_start(args, format);
    append_vformat(buffer_, format, args);
    va_end(args);
    buffer_ += "\r\n";
}

void Output::flush()
{
    if (!buffer_.empty()) fwrite(buffer_.data(), 1, buffer_.size(), stdout);
    fflush(stdout);
    buffer_.clear();
}

void Output::error(const char *format, ...)
{
    std::string text;
    va_list args;
    va_start(args, format);
    append_vformat(text, format, args);
    va_end(args);
    text += "\r\n";
    fwrite(text.data(), 1, text.size(), stderr);
    fflush(stderr);
}

std::string error_message(DWORD code, const char *fallback)
{
    char *text = nullptr;
    DWORD n = FormatMessageA(FORMAT_MESSAGE_ALLOCATE_BUFFER | FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS,
                             nullptr, code, 0, reinterpret_cast<char *>(&text), 0, nullptr);
    std::string s;
    if (n && text) s.assign(text, n);
    if (text) LocalFree(text);
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
    if (s.empty() && fallback) s = fallback;
    if (s.empty())
    {
        char buf[32];
        snprintf(buf, sizeof(buf), "Error %lu.", code);
        s = buf;
    }
    return s;
}

/* ---- command line ---- */

/* Windows' netstat takes options after '-' or '/', case-insensitively, several letters to one
 * dash (-ano), a separate protocol argument after p even inside a group (-anop tcp), and one
 * bare number, the interval. */
static bool parse_protocol(const char *name, Protocol *out)
{
    static const struct
    {
        const char *name;
        Protocol value;
    } names[] = {{"tcp", PROTO_TCP},   {"udp", PROTO_UDP},   {"tcpv6", PROTO_TCPV6}, {"udpv6", PROTO_UDPV6},
                 {"ip", PROTO_IP},     {"ipv6", PROTO_IPV6}, {"icmp", PROTO_ICMP},   {"icmpv6", PROTO_ICMPV6}};
    for (const auto &n : names)
        if (!_stricmp(name, n.name))
        {
            *out = n.value;
            return true;
        }
    return false;
}

static bool parse_interval(const char *arg, DWORD *out)
{
    if (!*arg) return false;
    unsigned long value = 0;
    for (const char *p = arg; *p; p++)
    {
        if (!isdigit((unsigned char)*p)) return false;
        value = value * 10 + (unsigned long)(*p - '0');
        if (value > 0x7fffffffUL / 1000) return false; /* Sleep() takes milliseconds in a DWORD */
    }
    *out = (DWORD)value;
    return true;
}

bool parse_options(int argc, char **argv, Options *o, std::string *why)
{
    bool interval_seen = false;
    int other_options = 0; /* everything but -y and the interval, to refuse -y with others */
    for (int i = 1; i < argc; i++)
    {
        const char *arg = argv[i];
        if (arg[0] == '-' || arg[0] == '/')
        {
            if (!arg[1])
            {
                *why = std::string("netstat: empty option '") + arg + "'";
                return false;
            }
            for (const char *c = arg + 1; *c; c++)
            {
                switch (tolower((unsigned char)*c))
                {
                case '?': o->help = true; break;
                case 'a': o->all = true; other_options++; break;
                case 'b': o->owner_image = true; other_options++; break;
                case 'e': o->ethernet = true; other_options++; break;
                case 'f': o->fqdn = true; other_options++; break;
                case 'n': o->numeric = true; other_options++; break;
                case 'o': o->pid = true; other_options++; break;
                case 'q': o->bound = true; other_options++; break;
                case 'r': o->routes = true; other_options++; break;
                case 's': o->statistics = true; other_options++; break;
                case 't': o->offload = true; other_options++; break;
                case 'x': o->direct = true; other_options++; break;
                case 'y': o->templates = true; break;
                case 'p':
                    other_options++;
                    if (i + 1 >= argc)
                    {
                        *why = "netstat: -p needs a protocol: TCP, UDP, TCPv6, UDPv6 (with -s also IP, IPv6, ICMP, ICMPv6)";
                        return false;
                    }
                    if (!parse_protocol(argv[++i], &o->protocol))
                    {
                        *why = std::string("netstat: unknown protocol '") + argv[i] + "'";
                        return false;
                    }
                    break;
                default:
                    *why = std::string("netstat: unknown option '") + *c + "' in '" + arg + "'";
                    return false;
                }
            }
        }
        else if (!interval_seen && parse_interval(arg, &o->interval))
            interval_seen = true;
        else
        {
            *why = std::string("netstat: unexpected argument '") + arg + "'";
            return false;
        }
    }
    if (o->templates && other_options)
    {
        *why = "netstat: -y cannot be combined with other options";
        return false;
    }
    return true;
}

/* Same synopsis and option letters as Windows 10's netstat, described in this project's words.
 * Windows writes its usage to stderr (docs/netstat.md), and so does this one. */
static void print_usage()
{
    static const char *const lines[] = {
        "",
        "Shows TCP/IP connections with their owning processes, and protocol statistics.",
        "",
        "NETSTAT [-a] [-b] [-e] [-f] [-n] [-o] [-p proto] [-q] [-r] [-s] [-t] [-x] [-y] [interval]",
        "",
        "  -a            All connections, plus listening TCP ports and UDP endpoints.",
        "  -b            The image name of the process owning each row, on the line below",
        "                it (needs an elevated token; TIME_WAIT rows have no owner).",
        "  -e            Interface (Ethernet) counters; may be combined with -s.",
        "  -f            Fully qualified names for foreign addresses (asks DNS).",
        "  -n            Numeric addresses and ports, no name lookups.",
        "  -o            The owning process ID of each row.",
        "  -p proto      Rows of one protocol: TCP, UDP, TCPv6 or UDPv6. With -s, the",
        "                statistics of one protocol: IP, IPv6, ICMP, ICMPv6, TCP, TCPv6,",
        "                UDP or UDPv6.",
        "  -q            Like -a; bound but not listening TCP ports would be listed too.",
        "  -r            The interface list and the IPv4 and IPv6 route tables.",
        "  -s            Per-protocol statistics: IP, IPv6, ICMP, ICMPv6, TCP, TCPv6, UDP",
        "                and UDPv6, or the one protocol -p names.",
        "  -t            The offload state of each connection.",
        "  -x            NetworkDirect connections and listeners.",
        "  -y            The TCP template of each connection; not with other options.",
        "  interval      Print again every interval seconds until Ctrl+C; without it, once.",
        "",
    };
    std::string text;
    for (const char *line : lines)
    {
        text += line;
        text += "\r\n";
    }
    fwrite(text.data(), 1, text.size(), stderr);
    fflush(stderr);
}

static int display(const Options &o, Output &out, bool first)
{
    if (o.routes) return show_routes(out);
    if (o.ethernet || o.statistics)
    {
        int rc = 0;
        if (o.ethernet) rc |= show_interface_statistics(out);
        if (o.statistics) rc |= show_statistics(o, out);
        return rc;
    }
    if (o.direct) return show_network_direct(o, out);
    return show_connections(o, out, first);
}

} // namespace netstat

int main(int argc, char **argv)
{
    using namespace netstat;
    /* Binary mode: the CRLFs are written explicitly, the C runtime must not add its own. */
    _setmode(_fileno(stdout), _O_BINARY);
    _setmode(_fileno(stderr), _O_BINARY);

    Options options;
    std::string why;
    if (!parse_options(argc, argv, &options, &why))
    {
        Output::error("%s", why.c_str());
        print_usage();
        return 1;
    }
    if (options.help)
    {
        print_usage();
        return 0;
    }

    WSADATA wsa;
    if (int err = WSAStartup(MAKEWORD(2, 2), &wsa))
    {
        Output::error("netstat: WSAStartup failed: %s (error %d)", error_message((DWORD)err).c_str(), err);
        return 1;
    }

    Output out;
    int rc = 0;
    for (bool first = true;; first = false)
    {
        rc = display(options, out, first);
        out.flush();
        if (!options.interval || rc) break;
        Sleep(options.interval * 1000);
    }
    WSACleanup();
    return rc;
}
