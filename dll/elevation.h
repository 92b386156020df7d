// SPDX-License-Identifier: LGPL-2.1-or-later
/* Whether the caller runs elevated (port_reservations.cpp): the thread's impersonation token
 * when it has one, else the process token; fails closed. */
#pragma once

bool caller_is_elevated();
