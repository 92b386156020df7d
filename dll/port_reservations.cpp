// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Persistent TCP/UDP port reservations. The PE side checks the arguments and the caller's
 * elevation; the store (SQLite, shared by every process of the prefix) is on the Unix side.
 *
 * Check order (undocumented on Windows; our choice): arguments first, then elevation, so a bad
 * call gets ERROR_INVALID_PARAMETER whoever makes it.
 */
#include <winsock2.h>
#include <iphlpapi.h>

#include "elevation.h"
#include "iphlp_private.h"
#include "unix_call.h"
#include "trace.h"

namespace {

/* StartPort arrives in network order, NumberOfPorts as a plain count (docs/windows-behavior.md,
 * "Persistent port reservations"). */
bool valid_block(USHORT start_port_net, USHORT count)
{
    unsigned start = ntohs(start_port_net);
    return start != 0 && count != 0 && start + count - 1u <= 65535u;
}

ULONG call_store(iphlp_unix_func func, UINT32 proto, USHORT start_port_net, USHORT count, ULONG64 *token)
{
    iphlp_reservation_params params = {};
    params.proto = proto;
    params.start_port = ntohs(start_port_net);
    params.num_ports = count;
    NTSTATUS status = iphlp_unix_call(func, &params);
    if (status) return win32_from_unix_status(status);
    if (token && params.result == NO_ERROR) *token = params.token;
    return params.result;
}

ULONG create(UINT32 proto, USHORT start, USHORT count, PULONG64 token)
{
    if (!token || !valid_block(start, count)) return ERROR_INVALID_PARAMETER;
    if (!caller_is_elevated()) return ERROR_ACCESS_DENIED;
    return call_store(unix_reservation_create, proto, start, count, token);
}

ULONG lookup(UINT32 proto, USHORT start, USHORT count, PULONG64 token)
{
    if (!token || !valid_block(start, count)) return ERROR_INVALID_PARAMETER;
    return call_store(unix_reservation_lookup, proto, start, count, token);
}

ULONG remove(UINT32 proto, USHORT start, USHORT count)
{
    if (!valid_block(start, count)) return ERROR_INVALID_PARAMETER;
    if (!caller_is_elevated()) return ERROR_ACCESS_DENIED;
    return call_store(unix_reservation_delete, proto, start, count, nullptr);
}

} // namespace

/* One export per Windows name, deliberately alike: TCP and UDP differ only in the store they
 * name; the work is create(), lookup() and remove(). */
extern "C" {

IPHLP_EXPORT(ULONG, CreatePersistentTcpPortReservation, (USHORT StartPort, USHORT NumberOfPorts, PULONG64 Token),
             (StartPort, NumberOfPorts, Token))
{
    return create(IPHLP_TCP, StartPort, NumberOfPorts, Token);
}

IPHLP_EXPORT(ULONG, CreatePersistentUdpPortReservation, (USHORT StartPort, USHORT NumberOfPorts, PULONG64 Token),
             (StartPort, NumberOfPorts, Token))
{
    return create(IPHLP_UDP, StartPort, NumberOfPorts, Token);
}

IPHLP_EXPORT(ULONG, LookupPersistentTcpPortReservation, (USHORT StartPort, USHORT NumberOfPorts, PULONG64 Token),
             (StartPort, NumberOfPorts, Token))
{
    return lookup(IPHLP_TCP, StartPort, NumberOfPorts, Token);
}

IPHLP_EXPORT(ULONG, LookupPersistentUdpPortReservation, (USHORT StartPort, USHORT NumberOfPorts, PULONG64 Token),
             (StartPort, NumberOfPorts, Token))
{
    return lookup(IPHLP_UDP, StartPort, NumberOfPorts, Token);
}

IPHLP_EXPORT(ULONG, DeletePersistentTcpPortReservation, (USHORT StartPort, USHORT NumberOfPorts),
             (StartPort, NumberOfPorts))
{
    return remove(IPHLP_TCP, StartPort, NumberOfPorts);
}

IPHLP_EXPORT(ULONG, DeletePersistentUdpPortReservation, (USHORT StartPort, USHORT NumberOfPorts),
             (StartPort, NumberOfPorts))
{
    return remove(IPHLP_UDP, StartPort, NumberOfPorts);
}

/* The Unix side answers with these codes (include/unixlib.h), handed on unchanged. */
static_assert(WIN_NO_ERROR == NO_ERROR && WIN_ERROR_ACCESS_DENIED == ERROR_ACCESS_DENIED &&
                  WIN_ERROR_NOT_ENOUGH_MEMORY == ERROR_NOT_ENOUGH_MEMORY &&
                  WIN_ERROR_SHARING_VIOLATION == ERROR_SHARING_VIOLATION &&
                  WIN_ERROR_NOT_SUPPORTED == ERROR_NOT_SUPPORTED &&
                  WIN_ERROR_INVALID_PARAMETER == ERROR_INVALID_PARAMETER &&
                  WIN_ERROR_OPEN_FAILED == ERROR_OPEN_FAILED && WIN_ERROR_DISK_FULL == ERROR_DISK_FULL &&
                  WIN_ERROR_INSUFFICIENT_BUFFER == ERROR_INSUFFICIENT_BUFFER &&
                  WIN_ERROR_NOT_FOUND == ERROR_NOT_FOUND && WIN_ERROR_INTERNAL_ERROR == ERROR_INTERNAL_ERROR &&
                  WIN_ERROR_FILE_CORRUPT == ERROR_FILE_CORRUPT && WIN_ERROR_TIMEOUT == ERROR_TIMEOUT,
              "include/unixlib.h's Win32 codes are winerror.h's");

IPHLP_EXPORT(ULONG, IphlpEnumPersistentPortReservations,
             (ULONG Protocol, IPHLP_PORT_RESERVATION *Entries, PULONG Count), (Protocol, Entries, Count))
{
    if (!Count || (Protocol != IPPROTO_TCP && Protocol != IPPROTO_UDP) || (*Count && !Entries))
        return ERROR_INVALID_PARAMETER;
    static_assert(sizeof(IPHLP_PORT_RESERVATION) == sizeof(iphlp_reservation_entry) &&
                      offsetof(IPHLP_PORT_RESERVATION, Token) == offsetof(iphlp_reservation_entry, token),
                  "same layout as the unix call");
    iphlp_reservation_list_params params = {};
    params.proto = Protocol == IPPROTO_TCP ? IPHLP_TCP : IPHLP_UDP;
    params.capacity = *Count;
    params.entries = (UINT64)(ULONG_PTR)Entries;
    NTSTATUS status = iphlp_unix_call(unix_reservation_list, &params);
    if (status) return win32_from_unix_status(status);
    *Count = params.count;
    return params.result;
}

} // extern "C"
