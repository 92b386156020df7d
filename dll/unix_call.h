/* How iphlpapi.dll reaches its Unix side (see unix_call.cpp). */
#pragma once

#include <windows.h>
#include <winternl.h> /* NTSTATUS */

#include "unixlib.h"

/* STATUS_DLL_NOT_FOUND when the bridge is not installed (real Windows, broken install). */
NTSTATUS iphlp_unix_call(enum iphlp_unix_func func, void *params);
