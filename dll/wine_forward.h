// SPDX-License-Identifier: LGPL-2.1-or-later
/* iphlpwine.dll: the Wine's own iphlpapi.dll, renamed, beside this one in system32 (or
 * syswow64). Every export this DLL does not implement is forwarded there by the .def file; the
 * few a program reaches at run time (the fallback without a Unix side, exports only some Wines
 * have) are looked up here. */
#pragma once

/* NAME in iphlpwine.dll, or NULL when it is not there (real Windows, a Wine without NAME, a
 * broken install). Loaded from the system directory only, never from beside a program. */
void *wine_export(const char *name);
