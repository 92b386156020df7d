// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * excludedports: manage persistent port reservations the way Windows users do with
 *   netsh int ipv4 show|add|delete excludedportrange protocol=tcp|udp [startport=N numberofports=M]
 * The same words work here, with or without the leading "int ipv4" / "interface ipv6":
 *   excludedports show excludedportrange protocol=tcp
 *   excludedports add excludedportrange protocol=udp startport=50000 numberofports=10
 *   excludedports delete excludedportrange protocol=udp startport=50000 numberofports=10
 * Built on the six public functions; "show" also needs this project's listing export
 * (iphlp_private.h). Reservations cover IPv4 and IPv6 alike, as on Windows.
 */
#include <winsock2.h>
#include <windows.h>
#include <iphlpapi.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "iphlp_private.h"

namespace {

int usage()
{
    fprintf(stderr, "usage: excludedports [int ipv4|ipv6] show|add|delete excludedportrange protocol=tcp|udp "
                    "[startport=N numberofports=M] [store=persistent]\n");
    return 2;
}

/* Prints the system's text for a Win32 error, as netsh does. */
int fail(ULONG err)
{
    char text[512] = "";
    FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, nullptr, err, 0, text, sizeof(text),
                   nullptr);
    size_t n = strlen(text);
    while (n && (text[n - 1] == '\n' || text[n - 1] == '\r')) text[--n] = 0;
    printf("%s (error %lu)\n\n", n ? text : "Error", err);
    return 1;
}

int show(ULONG protocol, const char *name)
{
    auto list = (IphlpEnumPersistentPortReservations_fn)(void *)GetProcAddress(GetModuleHandleA("iphlpapi.dll"),
                                                                               IPHLP_ENUM_RESERVATIONS_EXPORT);
    if (!list)
    {
        printf("Listing needs the iphlpapi.dll of this project (it exports %s).\n", IPHLP_ENUM_RESERVATIONS_EXPORT);
        return 1;
    }
    std::vector<IPHLP_PORT_RESERVATION> entries;
    ULONG count = 0, err;
    while ((err = list(protocol, entries.data(), &count)) == ERROR_INSUFFICIENT_BUFFER) entries.resize(count);
    if (err) return fail(err);
    printf("\nProtocol %s Port Exclusion Ranges\n\n", name);
    printf("Start Port    End Port\n----------    --------\n");
    bool mirrored = false;
    for (ULONG i = 0; i < count; i++)
    {
        const IPHLP_PORT_RESERVATION &r = entries[i];
        bool kernel = r.Flags & IPHLP_RESERVATION_KERNEL_MIRRORED;
        mirrored |= kernel;
        printf("%10u  %10u     *%s\n", r.StartPort, r.StartPort + r.NumberOfPorts - 1, kernel ? "  +" : "");
    }
    printf("\n* - Administered port exclusions.\n");
    if (mirrored) printf("+ - Also reserved in Linux (ip_local_reserved_ports).\n");
    printf("\n");
    return 0;
}

} // namespace

int main(int argc, char **argv)
{
    int i = 1;
    /* netsh's context words are optional here. */
    if (i < argc && (!_stricmp(argv[i], "int") || !_stricmp(argv[i], "interface"))) i++;
    if (i < argc && (!_stricmp(argv[i], "ipv4") || !_stricmp(argv[i], "ipv6"))) i++;
    if (argc - i < 2 || _stricmp(argv[i + 1], "excludedportrange")) return usage();
    const char *verb = argv[i];
    const char *protocol = nullptr;
    long start = -1, count = -1;
    for (int a = i + 2; a < argc; a++)
    {
        if (!_strnicmp(argv[a], "protocol=", 9))
            protocol = argv[a] + 9;
        else if (!_strnicmp(argv[a], "startport=", 10))
            start = strtol(argv[a] + 10, nullptr, 10);
        else if (!_strnicmp(argv[a], "numberofports=", 14))
            count = strtol(argv[a] + 14, nullptr, 10);
        else if (!_stricmp(argv[a], "store=persistent"))
            continue; /* the only store there is */
        else
            return usage();
    }
    if (!protocol || (_stricmp(protocol, "tcp") && _stricmp(protocol, "udp"))) return usage();
    bool tcp = !_stricmp(protocol, "tcp");
    if (!_stricmp(verb, "show")) return show(tcp ? IPPROTO_TCP : IPPROTO_UDP, tcp ? "tcp" : "udp");

    if (start < 1 || start > 65535 || count < 1 || count > 65535) return usage();
    USHORT start_net = htons((USHORT)start);
    ULONG err;
    if (!_stricmp(verb, "add"))
    {
        ULONG64 token;
        err = tcp ? CreatePersistentTcpPortReservation(start_net, (USHORT)count, &token)
                  : CreatePersistentUdpPortReservation(start_net, (USHORT)count, &token);
    }
    else if (!_stricmp(verb, "delete"))
        err = tcp ? DeletePersistentTcpPortReservation(start_net, (USHORT)count)
                  : DeletePersistentUdpPortReservation(start_net, (USHORT)count);
    else
        return usage();
    if (err) return fail(err);
    printf("Ok.\n\n");
    return 0;
}
