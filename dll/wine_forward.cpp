// SPDX-License-Identifier: LGPL-2.1-or-later
#include "wine_forward.h"

#include <windows.h>

void *wine_export(const char *name)
{
    HMODULE wine = GetModuleHandleW(L"iphlpwine.dll");
    if (!wine) wine = LoadLibraryExW(L"iphlpwine.dll", nullptr, LOAD_LIBRARY_SEARCH_SYSTEM32);
    return wine ? reinterpret_cast<void *>(GetProcAddress(wine, name)) : nullptr;
}
