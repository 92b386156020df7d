// SPDX-License-Identifier: LGPL-2.1-or-later
/* The two halves of IPHLP_DEBUG tracing that are not templates (trace.h). */
#include "trace.h"

bool iphlp_tracing()
{
    static const bool enabled = [] {
        char value[8];
        DWORD n = GetEnvironmentVariableA("IPHLP_DEBUG", value, sizeof(value));
        return n == 1 && value[0] == '1';
    }();
    return enabled;
}

void iphlp_trace_line(const char *line)
{
    DWORD written;
    WriteFile(GetStdHandle(STD_ERROR_HANDLE), line, (DWORD)strlen(line), &written, nullptr);
}
