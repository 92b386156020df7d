// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The one export of this project's iphlpapi.dll that Windows does not have: the listing of
 * persistent port reservations (netsh shows them; the public API can only create, look up and
 * delete). Tools find it with GetProcAddress, so they still run against a real iphlpapi.dll.
 */
#ifndef IPHLP_PRIVATE_H
#define IPHLP_PRIVATE_H

#include <windows.h>

#ifndef IPHLP_RESERVATION_KERNEL_MIRRORED      /* also defined by unixlib.h, the ABI it crosses */
#define IPHLP_RESERVATION_KERNEL_MIRRORED 0x1u /* also in Linux's ip_local_reserved_ports */
#endif

typedef struct _IPHLP_PORT_RESERVATION
{
    USHORT StartPort; /* host order */
    USHORT NumberOfPorts;
    ULONG Flags; /* IPHLP_RESERVATION_* */
    ULONG64 Token;
} IPHLP_PORT_RESERVATION;

/* Protocol: IPPROTO_TCP or IPPROTO_UDP. *Count: in, entries the buffer holds; out, entries
 * there are. NO_ERROR, ERROR_INSUFFICIENT_BUFFER (*Count set), ERROR_INVALID_PARAMETER,
 * ERROR_NOT_SUPPORTED (no Unix side), or the store's error. Sorted by StartPort. */
typedef ULONG(WINAPI *IphlpEnumPersistentPortReservations_fn)(ULONG Protocol, IPHLP_PORT_RESERVATION *Entries,
                                                              PULONG Count);
#define IPHLP_ENUM_RESERVATIONS_EXPORT "IphlpEnumPersistentPortReservations"

#endif
