// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Functions this project does not implement are forwarded to Wine's own iphlpapi (renamed
 * iphlpwine.dll). Programs import many of them; they must answer, not abort.
 */
#include "harness.h"

#include <iphlpapi.h>
#include <netioapi.h>

#include <cstdlib>
#include <cstring>

#include "implemented_names.h"

namespace {

void test_forwarded_answer()
{
    ULONG size = 0;
    ULONG err = GetAdaptersAddresses(AF_UNSPEC, 0, nullptr, nullptr, &size);
    /* Wine starts nsiproxy.sys, the device behind these functions, with the prefix's services: in
     * the first moments of a fresh wineserver on a loaded machine it may not exist yet, and they
     * answer ERROR_FILE_NOT_FOUND (seen once in 89 tests run three at a time). Windows never
     * does; wait up to 10 s for the device, then check everything as before. */
    for (int waited = 0; err == ERROR_FILE_NOT_FOUND && waited < 100; waited++)
    {
        Sleep(100);
        size = 0;
        err = GetAdaptersAddresses(AF_UNSPEC, 0, nullptr, nullptr, &size);
    }
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

/* iphlpwine.dll, where this project's DLL forwards to, or NULL after a skip (real Windows, or
 * Wine's builtin iphlpapi: nothing is forwarded there). */
HMODULE wine_copy_or_skip()
{
    HMODULE wine_copy = GetModuleHandleA("iphlpwine.dll");
    if (!wine_copy) skip("iphlpwine.dll not loaded (real Windows, or Wine's builtin iphlpapi)");
    return wine_copy;
}

/* The module whose image holds PROC, or NULL. */
HMODULE module_of(FARPROC proc)
{
    HMODULE owner = nullptr;
    if (proc)
        GetModuleHandleExA(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS | GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT,
                           (const char *)proc, &owner);
    return owner;
}

/* Under Wine with this project's DLL, the forwarded entry points live in iphlpwine.dll. */
void test_forwarding_target()
{
    HMODULE wine_copy = wine_copy_or_skip();
    if (!wine_copy) return;
    HMODULE ours = GetModuleHandleA("iphlpapi.dll");
    ok(module_of(GetProcAddress(ours, "GetAdaptersAddresses")) == wine_copy,
       "GetAdaptersAddresses resolves into iphlpwine.dll");
    ok(module_of(GetProcAddress(ours, "GetTcpTable2")) == ours, "GetTcpTable2 is implemented by iphlpapi.dll itself");
}

bool is_implemented(const char *name)
{
    for (const char *n : implemented_names)
        if (!strcmp(n, name)) return true;
    return false;
}

/* Every name iphlpapi.dll exports resolves, and into the right module: the implemented ones
 * (def/implemented.txt) into iphlpapi.dll, every other one into Wine's copy. A forward the Wine
 * underneath cannot satisfy would make GetProcAddress fail here, and stop a program importing
 * that name from loading. */
void test_every_export()
{
    HMODULE wine_copy = wine_copy_or_skip();
    if (!wine_copy) return;
    HMODULE ours = GetModuleHandleA("iphlpapi.dll");
    auto *base = (const unsigned char *)ours;
    auto *dos = (const IMAGE_DOS_HEADER *)base;
    auto *nt = (const IMAGE_NT_HEADERS *)(base + dos->e_lfanew);
    const IMAGE_DATA_DIRECTORY &dir = nt->OptionalHeader.DataDirectory[IMAGE_DIRECTORY_ENTRY_EXPORT];
    auto *exports = (const IMAGE_EXPORT_DIRECTORY *)(base + dir.VirtualAddress);
    auto *names = (const DWORD *)(base + exports->AddressOfNames);
    unsigned wrong = 0, implemented = 0;
    for (DWORD i = 0; i < exports->NumberOfNames; i++)
    {
        const char *name = (const char *)(base + names[i]);
        FARPROC proc = GetProcAddress(ours, name);
        HMODULE owner = module_of(proc);
        bool own = is_implemented(name);
        implemented += own;
        if (!proc || owner != (own ? ours : wine_copy))
        {
            wrong++;
            ok(false, "%s resolves to %p in module %p; expected %s", name, (void *)proc, (void *)owner,
               own ? "iphlpapi.dll" : "iphlpwine.dll");
        }
    }
    ok(exports->NumberOfNames > 170 && !wrong, "%lu exports, %u resolving wrongly", exports->NumberOfNames, wrong);
    ok(implemented == sizeof(implemented_names) / sizeof(implemented_names[0]),
       "every implemented name is exported (%u of %u)", implemented,
       (unsigned)(sizeof(implemented_names) / sizeof(implemented_names[0])));
}

} // namespace

const ConformanceTest forwarded_tests[] = {
    {"forwarded_exports", test_forwarded_answer},
    {"forwarding_target", test_forwarding_target},
    {"every_export_resolves", test_every_export},
    {nullptr, nullptr},
};
