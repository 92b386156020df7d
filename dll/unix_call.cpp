// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The thunk to the Unix side.
 *
 * Wine (8.0 and 10.0) searches its own DLL directory before WINEDLLPATH, so a builtin named iphlpapi.dll
 * can never replace Wine's. This iphlpapi.dll is therefore a *native* DLL, and its Unix library
 * hangs off a uniquely named *builtin* bridge, iphlpbridge.dll, whose iphlpbridge.so exports
 * __wine_unix_call_funcs. We ask ntdll for that table with the Wine-only information class
 * MemoryWineUnixFuncs on the bridge's base address, then call through ntdll's exported
 * __wine_unix_call_dispatcher, exactly as winecrt0's __wine_init_unix_call() does for a
 * module's own base. Debian ships no wine/unixlib.h, so the two are declared here.
 */
#include "unix_call.h"

#include <winternl.h>
#include <ntstatus.h>

#include <cstdio>
#include <cstring>
#include <cwchar>

#include "iphlp_build_id.h"
#include "wine_forward.h"

namespace {

constexpr ULONG MEMORY_WINE_UNIX_FUNCS = 1000; /* winternl.h, #ifdef __WINESRC__ only */

using UnixDispatcher = NTSTATUS(WINAPI *)(UINT64 handle, unsigned int code, void *args);
using QueryVirtualMemoryFn = NTSTATUS(WINAPI *)(HANDLE, const void *, ULONG, void *, SIZE_T, SIZE_T *);

INIT_ONCE init_once = INIT_ONCE_STATIC_INIT;
UINT64 unix_handle;
UnixDispatcher dispatcher;

/* One line per process, saying what happens instead and how to fix it (docs/install.md). */
void report_unavailable(const char *what, NTSTATUS status)
{
    char line[600];
    int len = snprintf(line, sizeof(line),
                       "iphlpapi: %s (status %08lx); the socket tables come from Wine's own iphlpapi (no owner "
                       "PIDs of other processes) and port reservations return ERROR_NOT_SUPPORTED. Fix: install "
                       "the Unix side into this Wine (setup.sh install --system PREFIX, or --wine DIR) or set "
                       "WINEDLLPATH as install printed; see docs/install.md\r\n",
                       what, (unsigned long)status);
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
    /* system32 only, like the real iphlpapi's own dependencies: no planting next to a program.
     * Not finding the bridge at all is normal on real Windows: stay silent there. */
    HMODULE bridge = LoadLibraryExW(L"iphlpbridge.dll", nullptr, LOAD_LIBRARY_SEARCH_SYSTEM32);
    if (!bridge) return TRUE;

    HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
    auto query = (QueryVirtualMemoryFn)(void *)GetProcAddress(ntdll, "NtQueryVirtualMemory");
    auto dispatcher_ptr = (UnixDispatcher *)(void *)GetProcAddress(ntdll, "__wine_unix_call_dispatcher");
    if (!query || !dispatcher_ptr)
    {
        report_unavailable("iphlpbridge.dll loaded, but ntdll is not Wine's", STATUS_DLL_NOT_FOUND);
        return TRUE;
    }
    UINT64 handle = 0;
    NTSTATUS status = query(GetCurrentProcess(), bridge, MEMORY_WINE_UNIX_FUNCS, &handle, sizeof(handle), nullptr);
    if (status || !handle)
    {
        /* Typically iphlpbridge.so is not under $WINEDLLPATH/x86_64-unix. */
        report_unavailable("iphlpbridge.so not found (is WINEDLLPATH set?)", status);
        return TRUE;
    }
    /* A Unix side of another build may expect other parameter layouts: use it only when it is
     * this build's (the build id is appended to the table and never moves). */
    iphlp_build_id_params id = {};
    status = (*dispatcher_ptr)(handle, unix_build_id, &id);
    id.id[sizeof(id.id) - 1] = 0;
    if (status || strcmp(id.id, IPHLP_BUILD_ID) != 0)
    {
        char what[200];
        snprintf(what, sizeof(what),
                 "iphlpbridge.so is build '%s', this iphlpapi.dll is build '%s': install both "
                 "from one build",
                 status ? "unknown" : id.id, IPHLP_BUILD_ID);
        report_unavailable(what, status);
        return TRUE;
    }
    refresh_forward_copy(*dispatcher_ptr, handle);
    unix_handle = handle;
    dispatcher = *dispatcher_ptr;
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
