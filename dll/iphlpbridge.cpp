// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * iphlpbridge.dll: a PE module with no code of its own. It exists because Wine attaches a
 * Unix library only to *builtin* modules (marked by `winebuild --builtin`) found in Wine's DLL
 * directory or WINEDLLPATH; iphlpapi.dll must be native, so it borrows this module's
 * iphlpbridge.so (see unix_call.cpp).
 */
#include <windows.h>

extern "C" BOOL WINAPI DllMain(HINSTANCE, DWORD, void *) { return TRUE; }
