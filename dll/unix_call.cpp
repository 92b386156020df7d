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

#include <cstdio>

namespace {

constexpr ULONG MemoryWineUnixFuncs = 1000; /* winternl.h, #ifdef __WINESRC__ only */
constexpr NTSTATUS status_dll_not_found = (NTSTATUS)0xC0000135;

using unix_dispatcher = NTSTATUS(WINAPI *)(UINT64 handle, unsigned int code, void *args);
using query_virtual_memory = NTSTATUS(WINAPI *)(HANDLE, const void *, ULONG, void *, SIZE_T, SIZE_T *);

INIT_ONCE init_once = INIT_ONCE_STATIC_INIT;
UINT64 unix_handle;
unix_dispatcher dispatcher;

void report_unavailable(const char *what, NTSTATUS status)
{
    char line[200];
    int len = snprintf(line, sizeof(line), "iphlpapi: %s (status %08lx); socket tables and port reservations "
                              "will return ERROR_NOT_SUPPORTED\r\n", what, (unsigned long)status);
    DWORD written;
    WriteFile(GetStdHandle(STD_ERROR_HANDLE), line, (DWORD)len, &written, nullptr);
}

BOOL CALLBACK init_bridge(INIT_ONCE *, void *, void **)
{
    /* system32 only, like the real iphlpapi's own dependencies: no planting next to a program.
     * Not finding the bridge at all is normal on real Windows: stay silent there. */
    HMODULE bridge = LoadLibraryExW(L"iphlpbridge.dll", nullptr, LOAD_LIBRARY_SEARCH_SYSTEM32);
    if (!bridge) return TRUE;

    HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
    auto query = (query_virtual_memory)(void *)GetProcAddress(ntdll, "NtQueryVirtualMemory");
    auto dispatcher_ptr = (unix_dispatcher *)(void *)GetProcAddress(ntdll, "__wine_unix_call_dispatcher");
    if (!query || !dispatcher_ptr)
    {
        report_unavailable("iphlpbridge.dll loaded, but ntdll is not Wine's", status_dll_not_found);
        return TRUE;
    }
    UINT64 handle = 0;
    NTSTATUS status = query(GetCurrentProcess(), bridge, MemoryWineUnixFuncs, &handle, sizeof(handle), nullptr);
    if (status || !handle)
    {
        /* Typically iphlpbridge.so is not under $WINEDLLPATH/x86_64-unix. */
        report_unavailable("iphlpbridge.so not found (is WINEDLLPATH set?)", status);
        return TRUE;
    }
    unix_handle = handle;
    dispatcher = *dispatcher_ptr;
    return TRUE;
}

} // namespace

NTSTATUS iphlp_unix_call(enum iphlp_unix_func func, void *params)
{
    InitOnceExecuteOnce(&init_once, init_bridge, nullptr, nullptr);
    if (!dispatcher) return status_dll_not_found;
    return dispatcher(unix_handle, func, params);
}
