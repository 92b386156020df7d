// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The ws2_32 companion's attach: it resolves the Wine's own functions it wraps in ws2wine.dll.
 * That copy of Wine's ws2_32.dll can only start with its Unix library, which Wine attaches when
 * ws2wine.dll and ws2wine.so (a link to Wine's ws2_32.so) lie in Wine's DLL directory or under
 * WINEDLLPATH (docs/winsock.md). Without them the companion refuses to load with one line on
 * stderr saying so, rather than leave a program with Winsock entry points that crash.
 */
#include <windows.h>

#include "real.h"

Ws2Real real;

namespace {

void report(const char *line)
{
    DWORD written;
    WriteFile(GetStdHandle(STD_ERROR_HANDLE), line, (DWORD)lstrlenA(line), &written, nullptr);
}

template <typename T> bool resolve(HMODULE wine, const char *name, T &out)
{
    out = reinterpret_cast<T>(reinterpret_cast<void *>(GetProcAddress(wine, name)));
    return out != nullptr;
}

} // namespace

extern "C" BOOL WINAPI DllMain(HINSTANCE, DWORD reason, void *)
{
    if (reason != DLL_PROCESS_ATTACH) return TRUE;
    HMODULE wine = LoadLibraryExW(L"ws2wine.dll", nullptr, LOAD_LIBRARY_SEARCH_SYSTEM32);
    if (!wine)
    {
        report("ws2_32 (iphlp companion): ws2wine.dll, Wine's own ws2_32, cannot start (its ws2wine.so is not "
               "under WINEDLLPATH or Wine's DLL directory). Remove the override ws2_32=native,builtin to run "
               "with Wine's ws2_32, or install again; see docs/winsock.md\r\n");
        return FALSE;
    }
    if (!resolve(wine, "bind", real.bind) || !resolve(wine, "connect", real.connect) ||
        !resolve(wine, "WSAConnect", real.wsa_connect) || !resolve(wine, "sendto", real.sendto) ||
        !resolve(wine, "WSASendTo", real.wsa_send_to) || !resolve(wine, "closesocket", real.closesocket) ||
        !resolve(wine, "WSAIoctl", real.wsa_ioctl) || !resolve(wine, "getsockopt", real.getsockopt) ||
        !resolve(wine, "getsockname", real.getsockname) || !resolve(wine, "WSASetLastError", real.set_last_error))
    {
        report("ws2_32 (iphlp companion): ws2wine.dll lacks a Winsock function\r\n");
        return FALSE;
    }
    return TRUE;
}
