// SPDX-License-Identifier: LGPL-2.1-or-later
/* Whether the caller runs elevated: the check behind every export that needs an administrator. */
#include <windows.h>

#include "elevation.h"

/* Create and Delete need an elevated caller (so do SetTcpEntry and SetPerTcp*ConnectionEStats,
 * tcp_estats.cpp). The thread token counts when impersonating; only ERROR_NO_TOKEN (not
 * impersonating) falls back to the process token. Any other failure fails
 * closed: a thread impersonating at SecurityAnonymous gets ERROR_CANT_OPEN_ANONYMOUS here, and
 * the process token it fell back to let a non-elevated caller Create. (Within one process this
 * is no security boundary under Wine: the Unix side can be called directly; docs/reservations.md says
 * so.) */
bool caller_is_elevated()
{
    HANDLE token;
    if (!OpenThreadToken(GetCurrentThread(), TOKEN_QUERY, TRUE, &token))
    {
        if (GetLastError() != ERROR_NO_TOKEN || !OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &token))
            return false;
    }
    TOKEN_ELEVATION elevation = {};
    DWORD len = 0;
    BOOL ok = GetTokenInformation(token, TokenElevation, &elevation, sizeof(elevation), &len);
    CloseHandle(token);
    return ok && elevation.TokenIsElevated;
}
