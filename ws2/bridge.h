// SPDX-License-Identifier: LGPL-2.1-or-later
/* How the ws2_32 companion reaches this project's Unix side (iphlpbridge.so). */
#pragma once

#include <windows.h>

#include "unixlib.h"

/* false when the Unix side cannot be reached (not installed, another build): the companion then
 * behaves as the Wine's own ws2_32, silently. */
bool ws2_unix_call(enum iphlp_unix_func func, iphlp_winsock_params *params);

/* Whether the Unix side can be reached at all. */
bool ws2_unix_available();

/* The reserved-port view (IPHLP_PORT_VIEW_BYTES, TCP bits then UDP bits), mapped at the first
 * call; NULL without the Unix side or when the view cannot be made. */
const volatile unsigned char *ws2_port_view();
