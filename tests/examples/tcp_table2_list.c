/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A program written the way the GetTcpTable2 documentation shows it being used: ask with a
 * buffer the size of one table, grow it to the size the call reports, ask again, print every
 * row with its owning process. Plain C against MinGW's own headers and import library, built
 * for both bitnesses, so the tests see what an ordinary Windows program sees.
 * One line per row: TCP[i] state=N local=ADDR:PORT remote=ADDR:PORT pid=N
 */
#include <winsock2.h>
#include <ws2tcpip.h>
#include <iphlpapi.h>
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
    ULONG size = sizeof(MIB_TCPTABLE2);
    MIB_TCPTABLE2 *table = malloc(size);
    ULONG err;
    DWORD i;
    if (!table) return 1;
    err = GetTcpTable2(table, &size, TRUE);
    if (err == ERROR_INSUFFICIENT_BUFFER)
    {
        free(table);
        table = malloc(size);
        if (!table) return 1;
        err = GetTcpTable2(table, &size, TRUE);
    }
    if (err != NO_ERROR)
    {
        printf("GetTcpTable2 failed with %lu\n", err);
        free(table);
        return 1;
    }
    printf("Number of entries: %lu\n", table->dwNumEntries);
    for (i = 0; i < table->dwNumEntries; i++)
    {
        const MIB_TCPROW2 *row = &table->table[i];
        struct in_addr local, remote;
        char local_text[16], remote_text[16];
        local.S_un.S_addr = row->dwLocalAddr;
        remote.S_un.S_addr = row->dwRemoteAddr;
        strcpy(local_text, inet_ntoa(local));
        strcpy(remote_text, inet_ntoa(remote));
        printf("TCP[%lu] state=%lu local=%s:%u remote=%s:%u pid=%lu\n", i, row->dwState, local_text,
               ntohs((u_short)row->dwLocalPort), remote_text, ntohs((u_short)row->dwRemotePort), row->dwOwningPid);
    }
    free(table);
    return 0;
}
