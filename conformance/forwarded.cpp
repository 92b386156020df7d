/*
 * Functions this project does not implement are forwarded to Wine's own iphlpapi (renamed
 * iphlpwine.dll). Programs import many of them; they must answer, not abort.
 */
#include "harness.h"

#include <iphlpapi.h>
#include <netioapi.h>

#include <cstdlib>

namespace {

void test_forwarded_answer()
{
    ULONG size = 0;
    ULONG err = GetAdaptersAddresses(AF_UNSPEC, 0, nullptr, nullptr, &size);
    ok(err == ERROR_BUFFER_OVERFLOW && size > 0, "GetAdaptersAddresses size probe: %lu, %lu bytes", err, size);
    auto *adapters = (IP_ADAPTER_ADDRESSES *)malloc(size);
    err = GetAdaptersAddresses(AF_UNSPEC, 0, nullptr, adapters, &size);
    ok(err == NO_ERROR, "GetAdaptersAddresses: %lu", err);
    IF_INDEX loopback = 0;
    for (IP_ADAPTER_ADDRESSES *a = err == NO_ERROR ? adapters : nullptr; a; a = a->Next)
        if (a->IfType == IF_TYPE_SOFTWARE_LOOPBACK) loopback = a->IfIndex;
    ok(loopback != 0, "a loopback adapter is listed");

    DWORD count = 0;
    ok(GetNumberOfInterfaces(&count) == NO_ERROR && count >= 1, "GetNumberOfInterfaces: %lu", count);
    NET_LUID luid = {};
    ok(ConvertInterfaceIndexToLuid(loopback, &luid) == NO_ERROR && luid.Value != 0, "ConvertInterfaceIndexToLuid");
    char name[IF_NAMESIZE] = "";
    ok(if_indextoname(loopback, name) != nullptr && if_nametoindex(name) == loopback,
       "if_indextoname / if_nametoindex round trip (%s)", name);
    free(adapters);
}

/* Under Wine with this project's DLL, the forwarded entry points live in iphlpwine.dll. */
void test_forwarding_target()
{
    HMODULE wine_copy = GetModuleHandleA("iphlpwine.dll");
    if (!wine_copy)
    {
        skip("iphlpwine.dll not loaded (real Windows, or Wine's builtin iphlpapi)");
        return;
    }
    HMODULE ours = GetModuleHandleA("iphlpapi.dll");
    FARPROC forwarded = GetProcAddress(ours, "GetAdaptersAddresses");
    FARPROC own = GetProcAddress(ours, "GetTcpTable2");
    HMODULE owner = nullptr;
    GetModuleHandleExA(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS | GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT,
                       (const char *)forwarded, &owner);
    ok(owner == wine_copy, "GetAdaptersAddresses resolves into iphlpwine.dll");
    GetModuleHandleExA(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS | GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT,
                       (const char *)own, &owner);
    ok(owner == ours, "GetTcpTable2 is implemented by iphlpapi.dll itself");
}

} // namespace

const conformance_test forwarded_tests[] = {
    {"forwarded_exports", test_forwarded_answer},
    {"forwarding_target", test_forwarding_target},
    {nullptr, nullptr},
};
