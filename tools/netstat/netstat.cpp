// SPDX-License-Identifier: LGPL-2.1-or-later
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

DWORD Output::flush()
{
    /* WriteFile on the standard output handle rather than the C runtime's stdout: its error is
     * the system's (ERROR_BROKEN_PIPE, ERROR_NO_DATA, ERROR_DISK_FULL, ...), not an errno the
     * runtime picked, and nothing is kept in a runtime buffer that would be written later. */
    const std::string text = std::move(buffer_);
    buffer_.clear();
    HANDLE handle = GetStdHandle(STD_OUTPUT_HANDLE);
    if (text.empty()) return NO_ERROR;
    if (handle == nullptr || handle == INVALID_HANDLE_VALUE) return ERROR_INVALID_HANDLE;
    for (size_t done = 0; done < text.size();)
    {
        DWORD chunk = (DWORD)(text.size() - done < 0x40000000 ? text.size() - done : 0x40000000), written = 0;
        if (!WriteFile(handle, text.data() + done, chunk, &written, nullptr)) return GetLastError();
        if (written == 0) return ERROR_WRITE_FAULT;
        done += written;
    }
    return NO_ERROR;
}

/* Windows reports a pipe without a reader as ERROR_NO_DATA (232, "the pipe is being closed") or
 * ERROR_BROKEN_PIPE (109); Wine turns Linux's EPIPE into ERROR_PIPE_NOT_CONNECTED (233). */
bool Output::reader_gone(DWORD error)
{
    return error == ERROR_BROKEN_PIPE || error == ERROR_NO_DATA || error == ERROR_PIPE_NOT_CONNECTED;
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
    DWORD n =
        FormatMessageA(FORMAT_MESSAGE_ALLOCATE_BUFFER | FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS,
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
    } names[] = {{"tcp", PROTO_TCP}, {"udp", PROTO_UDP},   {"tcpv6", PROTO_TCPV6}, {"udpv6", PROTO_UDPV6},
                 {"ip", PROTO_IP},   {"ipv6", PROTO_IPV6}, {"icmp", PROTO_ICMP},   {"icmpv6", PROTO_ICMPV6}};
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

/* A decimal number up to max, nothing else. */
static bool parse_number(const char *arg, unsigned long long max, unsigned long long *out)
{
    if (!*arg) return false;
    unsigned long long value = 0;
    for (const char *p = arg; *p; p++)
    {
        if (!isdigit((unsigned char)*p)) return false;
        value = value * 10 + (unsigned long long)(*p - '0');
        if (value > max) return false;
    }
    *out = value;
    return true;
}

/* --state's list: Windows' state names, any case, separated by commas. */
static bool parse_states(const char *arg, unsigned *bits, std::string *why)
{
    static const DWORD all[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 100};
    std::string list = arg;
    size_t start = 0;
    do {
        size_t end = list.find(',', start);
        if (end == std::string::npos) end = list.size();
        std::string name = list.substr(start, end - start);
        bool found = false;
        for (DWORD state : all)
            if (!name.empty() && !_stricmp(name.c_str(), tcp_state_name(state)))
            {
                *bits |= state_bit(state);
                found = true;
            }
        if (!found)
        {
            *why = "netstat: unknown state '" + name +
                   "' for --state (LISTENING, ESTABLISHED, TIME_WAIT, CLOSE_WAIT, SYN_SENT, SYN_RECEIVED, "
                   "FIN_WAIT_1, FIN_WAIT_2, LAST_ACK, CLOSING, CLOSED, DELETE_TCB, BOUND)";
            return false;
        }
        start = end + 1;
    } while (start <= list.size());
    return true;
}

/* The project's long options (--state, --port, --pid, --json), as "--name value" or
 * "--name=value". Windows' netstat has no long options, so none can shadow one of its letters. */
static bool parse_long_option(int argc, char **argv, int *i, Options *o, std::string *why)
{
    std::string name = argv[*i] + 2, value;
    bool has_value = false;
    size_t eq = name.find('=');
    if (eq != std::string::npos)
    {
        value = name.substr(eq + 1);
        name.erase(eq);
        has_value = true;
    }
    if (name == "json")
    {
        if (has_value)
        {
            *why = "netstat: --json takes no value";
            return false;
        }
        o->json = true;
        return true;
    }
    if (name != "state" && name != "port" && name != "pid")
    {
        *why = std::string("netstat: unknown option '") + argv[*i] + "' (long options: --state, --port, --pid, --json)";
        return false;
    }
    if (!has_value)
    {
        if (*i + 1 >= argc)
        {
            *why = "netstat: --" + name + " needs a value";
            return false;
        }
        value = argv[++*i];
    }
    unsigned long long n = 0;
    if (name == "state") return parse_states(value.c_str(), &o->states, why);
    if (name == "port")
    {
        if (o->port >= 0)
        {
            *why = "netstat: --port given twice";
            return false;
        }
        if (!parse_number(value.c_str(), 65535, &n))
        {
            *why = "netstat: --port needs a port number from 0 to 65535, not '" + value + "'";
            return false;
        }
        o->port = (int)n;
        return true;
    }
    if (o->owner >= 0)
    {
        *why = "netstat: --pid given twice";
        return false;
    }
    if (!parse_number(value.c_str(), 0xffffffffULL, &n))
    {
        *why = "netstat: --pid needs a process ID, not '" + value + "'";
        return false;
    }
    o->owner = (long long)n;
    return true;
}

/* The Options field of a letter that only switches something on; nullptr for the others. */
static bool *flag_of(char letter, Options *o)
{
    switch (letter)
    {
    case 'a': return &o->all;
    case 'b': return &o->owner_image;
    case 'e': return &o->ethernet;
    case 'f': return &o->fqdn;
    case 'n': return &o->numeric;
    case 'o': return &o->pid;
    case 'q': return &o->bound;
    case 'r': return &o->routes;
    case 's': return &o->statistics;
    case 't': return &o->offload;
    case 'x': return &o->direct;
    default: return nullptr;
    }
}

/* One group of letters after '-' or '/' (-ano, /a, -anop tcp); -p takes the next argument.
 * other_options counts everything but -? and -y, to refuse -y with others. */
static bool parse_letters(int argc, char **argv, int *i, Options *o, int *other_options, std::string *why)
{
    const char *arg = argv[*i];
    if (!arg[1])
    {
        *why = std::string("netstat: empty option '") + arg + "'";
        return false;
    }
    for (const char *c = arg + 1; *c; c++)
    {
        const char letter = (char)tolower((unsigned char)*c);
        if (bool *flag = flag_of(letter, o))
        {
            *flag = true;
            ++*other_options;
        }
        else if (letter == '?')
            o->help = true;
        else if (letter == 'y')
            o->templates = true;
        else if (letter == 'p')
        {
            ++*other_options;
            if (*i + 1 >= argc)
            {
                *why = "netstat: -p needs a protocol: TCP, UDP, TCPv6, UDPv6 (with -s also IP, IPv6, ICMP, ICMPv6)";
                return false;
            }
            if (!parse_protocol(argv[++*i], &o->protocol))
            {
                *why = std::string("netstat: unknown protocol '") + argv[*i] + "'";
                return false;
            }
        }
        else
        {
            *why = std::string("netstat: unknown option '") + *c + "' in '" + arg + "'";
            return false;
        }
    }
    return true;
}

/* The combinations Windows' netstat refuses (-y with anything), and ours (--json). */
static bool check_combinations(const Options *o, int other_options, std::string *why)
{
    if (o->templates && other_options)
    {
        *why = "netstat: -y cannot be combined with other options";
        return false;
    }
    if (o->json && (o->interval || o->statistics || o->ethernet || o->routes || o->direct || o->offload))
    {
        *why = "netstat: --json prints the connection tables once: not with -e, -r, -s, -t, -x or an interval";
        return false;
    }
    return true;
}

bool parse_options(int argc, char **argv, Options *o, std::string *why)
{
    bool interval_seen = false;
    int other_options = 0;
    for (int i = 1; i < argc; i++)
    {
        const char *arg = argv[i];
        if (arg[0] == '-' && arg[1] == '-')
        {
            if (!parse_long_option(argc, argv, &i, o, why)) return false;
            other_options++;
        }
        else if (arg[0] == '-' || arg[0] == '/')
        {
            if (!parse_letters(argc, argv, &i, o, &other_options, why)) return false;
        }
        else if (!interval_seen && parse_interval(arg, &o->interval))
            interval_seen = true;
        else
        {
            *why = std::string("netstat: unexpected argument '") + arg + "'";
            return false;
        }
    }
    return check_combinations(o, other_options, why);
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
        "Extensions of this project (not in Windows' netstat):",
        "  --state LIST  Only TCP rows in these states, comma-separated or repeated",
        "                (LISTENING, ESTABLISHED, TIME_WAIT, ...); listeners are then shown",
        "                without -a when LISTENING is asked; UDP rows have no state and go.",
        "  --port N      Only rows whose local or foreign port is N.",
        "  --pid N       Only rows owned by process N.",
        "  --json        One JSON array of the rows on stdout (LF line ends), for scripts.",
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
        if (DWORD err = out.flush())
        {
            /* The output is gone: stop at once, interval or not, and say so unless the reader
             * simply went away (`netstat -an 1 | head -2`), which is no error to report. Exit
             * code 1, as for netstat's other failures (docs/netstat.md). */
            if (!Output::reader_gone(err))
                Output::error("netstat: cannot write the output: %s (error %lu)", error_message(err).c_str(), err);
            rc = 1;
            break;
        }
        if (!options.interval || rc) break;
        Sleep(options.interval * 1000);
    }
    WSACleanup();
    return rc;
}
