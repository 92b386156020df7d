// SPDX-License-Identifier: LGPL-2.1-or-later
/* How iphlpapi.dll reaches its Unix side (see unix_call.cpp). */
#pragma once

#include <windows.h>
#include <winternl.h> /* NTSTATUS */

#include "unixlib.h"

/* STATUS_DLL_NOT_FOUND when the bridge is not installed (real Windows, broken install). */
NTSTATUS iphlp_unix_call(enum iphlp_unix_func func, void *params);

/* The Win32 error for a unix call's status: the one mapping of every status the Unix side
 * answers with (the bridge missing is ERROR_NOT_SUPPORTED). */
DWORD win32_from_unix_status(NTSTATUS status);

/* Wine's own implementation of the table function NAME (iphlpwine.dll) when the Unix side cannot
 * be reached, else NULL: without it a program must never do worse than under stock Wine. */
void *iphlp_wine_fallback(const char *name);

/* First statement of each table function: hands the whole call to Wine's implementation when
 * the Unix side is unavailable. */
#define IPHLP_WINE_FALLBACK(name, ...)                                                                                 \
    do {                                                                                                               \
        if (auto wine_fn = reinterpret_cast<decltype(&name)>(iphlp_wine_fallback(#name))) return wine_fn(__VA_ARGS__); \
    } while (0)
