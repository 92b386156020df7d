// SPDX-License-Identifier: LGPL-2.1-or-later
#include "bridge_connect.h"

#include <ntstatus.h>

#include <cstdio>
#include <cstring>

#include "iphlp_build_id.h"
#include "unixlib.h"

namespace {

constexpr ULONG MEMORY_WINE_UNIX_FUNCS = 1000; /* winternl.h, #ifdef __WINESRC__ only */
using QueryVirtualMemoryFn = NTSTATUS(WINAPI *)(HANDLE, const void *, ULONG, void *, SIZE_T, SIZE_T *);

} // namespace

BridgeConnection connect_bridge()
{
    BridgeConnection c;
    HMODULE bridge = LoadLibraryExW(L"iphlpbridge.dll", nullptr, LOAD_LIBRARY_SEARCH_SYSTEM32);
    if (!bridge) return c;

    HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
    auto query = (QueryVirtualMemoryFn)(void *)GetProcAddress(ntdll, "NtQueryVirtualMemory");
    auto dispatcher_ptr = (UnixDispatcher *)(void *)GetProcAddress(ntdll, "__wine_unix_call_dispatcher");
    if (!query || !dispatcher_ptr)
    {
        c.failure = "iphlpbridge.dll loaded, but ntdll is not Wine's";
        c.status = STATUS_DLL_NOT_FOUND;
        return c;
    }
    c.status = query(GetCurrentProcess(), bridge, MEMORY_WINE_UNIX_FUNCS, &c.handle, sizeof(c.handle), nullptr);
    if (c.status || !c.handle)
    {
        /* ntdll says only that it could not dlopen() it: the file is not beside the builtin Wine
         * found (its library directory, or WINEDLLPATH), or a library it needs is missing. Which one,
         * only the Unix side's own tools can tell; setup.sh checks the libraries with ldd. */
        c.failure = "iphlpbridge.so could not be loaded: it is not where Wine looks for it (the Wine's library "
                    "directory, or WINEDLLPATH), or a library it needs is missing (`ldd iphlpbridge.so` names it)";
        return c;
    }
    /* build_id's index never moves, so it answers whatever build the Unix side is. */
    iphlp_build_id_params id = {};
    c.status = (*dispatcher_ptr)(c.handle, unix_build_id, &id);
    id.id[sizeof(id.id) - 1] = 0;
    if (!c.status) snprintf(c.unix_build, sizeof(c.unix_build), "%s", id.id);
    if (c.status || strcmp(id.id, IPHLP_BUILD_ID) != 0)
    {
        c.failure = "iphlpbridge.so is of another build";
        c.other_build = true;
        return c;
    }
    /* iphlpbridge.so is only a loader that needs nothing but libc (unix/bridge_loader.c): this call
     * makes it load the Unix side proper and, when that fails, names what failed in dlerror()'s
     * words ("libmnl.so.0: cannot open shared object file"), which ntdll's status above could not.
     * Asked only of a bridge of this very build, which has the call. */
    iphlp_load_status_params load = {};
    c.status = (*dispatcher_ptr)(c.handle, unix_load_status, &load);
    if (c.status)
    {
        load.text[sizeof(load.text) - 1] = 0;
        snprintf(c.unix_failure, sizeof(c.unix_failure), "%s", load.text[0] ? load.text : "no reason given");
        c.failure = "the Unix side did not load"; /* a literal: c is returned by copy */
        c.not_loaded = true;
        return c;
    }
    c.dispatcher = *dispatcher_ptr;
    return c;
}
