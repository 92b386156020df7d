// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * How a PE module of this project (iphlpapi.dll, the ws2_32 companion) reaches iphlpbridge.so.
 *
 * Wine (8.0 and 10.0) searches its own DLL directory before WINEDLLPATH, so a builtin named
 * iphlpapi.dll can never replace Wine's, and a native DLL gets no Unix library. The Unix library
 * therefore hangs off a uniquely named *builtin* bridge, iphlpbridge.dll, whose iphlpbridge.so
 * exports __wine_unix_call_funcs: ntdll answers the Wine-only information class
 * MemoryWineUnixFuncs on the bridge's base address with that table, and calls go through ntdll's
 * exported __wine_unix_call_dispatcher, exactly as winecrt0's __wine_init_unix_call() does for a
 * module's own base. Debian ships no wine/unixlib.h, so both are declared here.
 */
#pragma once

#include <windows.h>
#include <winternl.h> /* NTSTATUS */

using UnixDispatcher = NTSTATUS(WINAPI *)(UINT64 handle, unsigned int code, void *args);

struct BridgeConnection
{
    UINT64 handle = 0;
    UnixDispatcher dispatcher = nullptr; /* null: not connected, see failure */
    const char *failure = nullptr;       /* why not, for a message; null when there is no bridge at all */
    NTSTATUS status = 0;                 /* the status behind the failure */
    bool other_build = false;            /* the Unix side answered, but is not of this build */
    char unix_build[64] = "";            /* its build id, when it said one */
    /* The bridge's loader answered but could not load the Unix side (unix/bridge_loader.c);
     * unix_failure says why, in dlerror()'s words. */
    bool not_loaded = false;
    char unix_failure[1024] = "";
};

/* Loads iphlpbridge.dll from the system directory only (no planting beside a program), finds its
 * Unix side and accepts it only when it is of this very build (another build may expect other
 * parameter layouts) and its loader could load the rest of it. Says nothing: the caller decides
 * whether to report. Not finding the bridge at all is normal on real Windows (failure stays
 * null). */
BridgeConnection connect_bridge();
