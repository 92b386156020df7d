/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The persistent TCP reservation functions used the way their documentation shows:
 *   tcp_reservation create|lookup|delete START_PORT NUMBER_OF_PORTS
 * prints "token 0x..." (create, lookup), "deleted" or "error N". Ports are given in host order
 * and passed in network order, as the functions expect. Carries a manifest asking for the
 * administrator's token (Create and Delete need it).
 */
#include <winsock2.h>
#include <iphlpapi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    unsigned long start, count;
    ULONG64 token = 0;
    ULONG err;
    if (argc != 4) goto usage;
    start = strtoul(argv[2], NULL, 10);
    count = strtoul(argv[3], NULL, 10);
    if (start > 65535 || count > 65535) goto usage;
    if (!strcmp(argv[1], "create"))
        err = CreatePersistentTcpPortReservation(htons((u_short)start), (USHORT)count, &token);
    else if (!strcmp(argv[1], "lookup"))
        err = LookupPersistentTcpPortReservation(htons((u_short)start), (USHORT)count, &token);
    else if (!strcmp(argv[1], "delete"))
        err = DeletePersistentTcpPortReservation(htons((u_short)start), (USHORT)count);
    else
        goto usage;
    if (err != NO_ERROR)
    {
        printf("error %lu\n", err);
        return 1;
    }
    if (!strcmp(argv[1], "delete"))
        printf("deleted\n");
    else
        printf("token 0x%016llx\n", (unsigned long long)token);
    return 0;
usage:
    fprintf(stderr, "usage: tcp_reservation create|lookup|delete START_PORT NUMBER_OF_PORTS\n");
    return 2;
}
