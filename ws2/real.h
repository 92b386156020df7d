// SPDX-License-Identifier: LGPL-2.1-or-later
/* The Wine's own ws2_32 functions (ws2wine.dll) that the companion's own exports wrap. */
#pragma once

#include <winsock2.h>
#include <ws2tcpip.h>

struct Ws2Real
{
    decltype(&::bind) bind;
    decltype(&::connect) connect;
    decltype(&::WSAConnect) wsa_connect;
    decltype(&::sendto) sendto;
    decltype(&::WSASendTo) wsa_send_to;
    decltype(&::closesocket) closesocket;
    decltype(&::WSAIoctl) wsa_ioctl;
    decltype(&::getsockopt) getsockopt;
    decltype(&::getsockname) getsockname;
    decltype(&::WSASetLastError) set_last_error;
};

/* Filled in when the DLL is attached; the DLL does not load without all of them. */
extern Ws2Real real;

inline int ws2_fail(int error)
{
    real.set_last_error(error);
    return SOCKET_ERROR;
}
