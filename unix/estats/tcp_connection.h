// SPDX-License-Identifier: LGPL-2.1-or-later
/* One TCP connection on behalf of GetPer*ConnectionEStats, SetPer*ConnectionEStats and
 * SetTcpEntry: the unix calls unix_tcp_connection and unix_tcp_connection_destroy. */
#pragma once

#include <cstdint>
#include <cstdio>

#include "unixlib.h"

namespace iphlp {

/* unix_tcp_connection: look the connection up; apply and report its ESTATS switches. */
void tcp_connection_call(iphlp_tcp_connection_params &params);

/* unix_tcp_connection_destroy: look it up, then SOCK_DESTROY that very socket. */
void tcp_connection_destroy_call(iphlp_tcp_connection_params &params);

/* The Win32 answer to SOCK_DESTROY's result (0 or -errno). The kernel's refusals (no
 * CAP_NET_ADMIN; no destroy support) and unexpected failures write one line to `log` when it is
 * not null. */
uint32_t destroy_result(int err, FILE *log);

} // namespace iphlp
