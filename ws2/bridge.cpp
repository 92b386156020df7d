// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The companion reaches iphlpbridge.so the way iphlpapi.dll does (dll/unix_call.cpp has the
 * why): MemoryWineUnixFuncs on the bridge's base, then ntdll's __wine_unix_call_dispatcher. It
 * stays silent when that fails: a program that uses no reservation must not notice the
 * companion, and iphlpapi.dll already says what is missing when its functions are used.
 */
#include "bridge.h"

#include <cstring>

#include "iphlp_build_id.h"

namespace {

constexpr ULONG MemoryWineUnixFuncs = 1000; /* winternl.h, #ifdef __WINESRC__ only */
using UnixDispatcher = LONG(WINAPI *)(UINT64 handle, unsigned int code, void *args);
using QueryVirtualMemoryFn = LONG(WINAPI *)(HANDLE, const void *, ULONG, void *, SIZE_T, SIZE_T *);

INIT_ONCE bridge_once = INIT_ONCE_STATIC_INIT;
UINT64 unix_handle;
UnixDispatcher dispatcher;

BOOL CALLBACK init_bridge(INIT_ONCE *, void *, void **)
{
    HMODULE bridge = LoadLibraryExW(L"iphlpbridge.dll", nullptr, LOAD_LIBRARY_SEARCH_SYSTEM32);
    if (!bridge) return TRUE;
    HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
    auto query = (QueryVirtualMemoryFn)(void *)GetProcAddress(ntdll, "NtQueryVirtualMemory");
    auto dispatcher_ptr = (UnixDispatcher *)(void *)GetProcAddress(ntdll, "__wine_unix_call_dispatcher");
    if (!query || !dispatcher_ptr) return TRUE;
    UINT64 handle = 0;
    if (query(GetCurrentProcess(), bridge, MemoryWineUnixFuncs, &handle, sizeof(handle), nullptr) || !handle)
        return TRUE;
    /* Only a Unix side of this very build knows these calls and their layouts. */
    iphlp_build_id_params id = {};
    if ((*dispatcher_ptr)(handle, unix_build_id, &id)) return TRUE;
    id.id[sizeof(id.id) - 1] = 0;
    if (strcmp(id.id, IPHLP_BUILD_ID) != 0) return TRUE;
    unix_handle = handle;
    dispatcher = *dispatcher_ptr;
    return TRUE;
}

INIT_ONCE view_once = INIT_ONCE_STATIC_INIT;
const volatile unsigned char *view;

BOOL CALLBACK init_view(INIT_ONCE *, void *, void **)
{
    iphlp_winsock_params p = {};
    if (ws2_unix_call(unix_winsock_port_view, &p) && p.result == WIN_NO_ERROR)
        view = reinterpret_cast<const volatile unsigned char *>(static_cast<ULONG_PTR>(p.view));
    return TRUE;
}

} // namespace

bool ws2_unix_call(enum iphlp_unix_func func, iphlp_winsock_params *params)
{
    InitOnceExecuteOnce(&bridge_once, init_bridge, nullptr, nullptr);
    return dispatcher && dispatcher(unix_handle, func, params) == 0;
}

bool ws2_unix_available()
{
    InitOnceExecuteOnce(&bridge_once, init_bridge, nullptr, nullptr);
    return dispatcher != nullptr;
}

const volatile unsigned char *ws2_port_view()
{
    InitOnceExecuteOnce(&view_once, init_view, nullptr, nullptr);
    return view;
}
