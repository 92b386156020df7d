// SPDX-License-Identifier: LGPL-2.1-or-later
/* Which sockets are associated with which reservation (SIO_ASSOCIATE_PORT_RESERVATION). */
#pragma once

#include <winsock2.h>

struct Ws2Association
{
    UINT64 token;
    UINT32 proto; /* enum iphlp_proto */
    USHORT start_port;
    USHORT num_ports;
};

/* Non-zero while any socket of the process is associated: bind, connect and closesocket of a
 * process that never associates look at nothing else. */
extern volatile LONG ws2_associated_count;

bool ws2_association_get(SOCKET s, Ws2Association *out);
/* false when the table is full (WSAENOBUFS for the caller). */
bool ws2_association_set(SOCKET s, const Ws2Association &a);
void ws2_association_drop(SOCKET s);
