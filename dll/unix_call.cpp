// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The thunk to the Unix side: connecting to it once per process (dll/bridge_connect.h has how and
 * why), saying on stderr what is missing when it cannot be reached, and the one mapping of its
 * statuses to Win32 codes.
 */
#include "unix_call.h"

#include <winternl.h>
#include <ntstatus.h>

#include <cstdio>
#include <cwchar>

#include "bridge_connect.h"
#include "iphlp_build_id.h"
#include "wine_forward.h"

namespace {

INIT_ONCE init_once = INIT_ONCE_STATIC_INIT;
UINT64 unix_handle;
UnixDispatcher dispatcher;

/* What to do about each kind of failure (docs/install.md, "Troubleshooting"). */
const char FIX_INSTALL[] = "install the Unix side into this Wine (setup.sh install --system PREFIX, or --wine DIR) "
                           "or set WINEDLLPATH as install printed";
const char FIX_LIBRARY[] = "install the distribution again (it carries iphlp-unix.so and, in iphlp-libs/ beside it, "
                           "libmnl and SQLite), or install the library named from your distribution";

/* One line per process, saying what happens instead and how to fix it (docs/install.md). */
void report_unavailable(const char *what, NTSTATUS status, const char *fix)
{
    char line[2048];
    int len = snprintf(line, sizeof(line),
                       "iphlpapi: %s (status %08lx); the socket tables come from Wine's own iphlpapi (no owner "
                       "PIDs of other processes) and port reservations return ERROR_NOT_SUPPORTED. Fix: %s; see "
                       "docs/install.md\r\n",
                       what, (unsigned long)status, fix);
    if (len < 0) return;
    if (len >= (int)sizeof(line)) len = (int)sizeof(line) - 1;
    DWORD written;
    WriteFile(GetStdHandle(STD_ERROR_HANDLE), line, (DWORD)len, &written, nullptr);
}

/* The prefix's iphlpwine.dll, beside this DLL, is kept the running Wine's by the Unix side
 * (unix/forward_refresh.cpp): a Wine upgrade must not leave the forwards on the old copy. */
void refresh_forward_copy(UnixDispatcher call, UINT64 handle)
{
    WCHAR path[MAX_PATH + 32];
    HMODULE self = nullptr;
    GetModuleHandleExW(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS | GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT,
                       reinterpret_cast<LPCWSTR>(&iphlp_unix_call), &self);
    using UnixNameFn = char *(CDECL *)(LPCWSTR);
    auto unix_name = (UnixNameFn)(void *)GetProcAddress(GetModuleHandleW(L"kernel32.dll"), "wine_get_unix_file_name");
    DWORD len = self ? GetModuleFileNameW(self, path, MAX_PATH) : 0;
    if (!unix_name || !len || len >= MAX_PATH) return;
    WCHAR *slash = wcsrchr(path, L'\\');
    if (!slash) return;
    wcscpy(slash + 1, L"iphlpwine.dll");
    char *forward_copy = unix_name(path);
    if (!forward_copy) return;
    iphlp_forward_copy_params params = {(UINT64)(ULONG_PTR)forward_copy};
    call(handle, unix_refresh_forward_copy, &params);
    HeapFree(GetProcessHeap(), 0, forward_copy);
}

BOOL CALLBACK init_bridge(INIT_ONCE *, void *, void **)
{
    BridgeConnection bridge = connect_bridge();
    if (!bridge.dispatcher)
    {
        if (!bridge.failure) return TRUE; /* no bridge at all: real Windows, stay silent */
        char what[1200];
        if (bridge.other_build)
            snprintf(what, sizeof(what),
                     "iphlpbridge.so is build '%s', this iphlpapi.dll is build '%s': install both "
                     "from one build",
                     bridge.unix_build[0] ? bridge.unix_build : "unknown", IPHLP_BUILD_ID);
        else if (bridge.not_loaded)
            snprintf(what, sizeof(what), "%s: %s", bridge.failure, bridge.unix_failure);
        else
            snprintf(what, sizeof(what), "%s", bridge.failure);
        report_unavailable(what, bridge.status, bridge.not_loaded ? FIX_LIBRARY : FIX_INSTALL);
        return TRUE;
    }
    refresh_forward_copy(bridge.dispatcher, bridge.handle);
    unix_handle = bridge.handle;
    dispatcher = bridge.dispatcher;
    return TRUE;
}

} // namespace

NTSTATUS iphlp_unix_call(enum iphlp_unix_func func, void *params)
{
    InitOnceExecuteOnce(&init_once, init_bridge, nullptr, nullptr);
    if (!dispatcher) return STATUS_DLL_NOT_FOUND;
    return dispatcher(unix_handle, func, params);
}

void *iphlp_wine_fallback(const char *name)
{
    InitOnceExecuteOnce(&init_once, init_bridge, nullptr, nullptr);
    if (dispatcher) return nullptr;
    /* Under Wine without our Unix side: Wine's own implementation (iphlpwine.dll, system32) is
     * what the program would have got from stock Wine. Not found (real Windows, broken
     * install): the caller answers ERROR_NOT_SUPPORTED as before. */
    return wine_export(name);
}

DWORD win32_from_unix_status(NTSTATUS status)
{
    switch ((ULONG)status)
    {
    case 0: return NO_ERROR;
    case (ULONG)STATUS_BUFFER_OVERFLOW: return ERROR_INSUFFICIENT_BUFFER;
    case (ULONG)STATUS_INVALID_PARAMETER: return ERROR_INVALID_PARAMETER;
    case (ULONG)STATUS_NO_MEMORY: return ERROR_NOT_ENOUGH_MEMORY;
    case (ULONG)STATUS_NOT_SUPPORTED:
    case (ULONG)STATUS_DLL_NOT_FOUND: return ERROR_NOT_SUPPORTED;
    default: return ERROR_GEN_FAILURE;
    }
}
