/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Consuming a persistent TCP reservation the way the LookupPersistentTcpPortReservation
 * documentation shows it: look the block up, open a TCP socket, associate it with the token
 * (SIO_ASSOCIATE_PORT_RESERVATION), bind to port 0, read the port back. Plain C against MinGW's
 * own headers and import libraries, importing ws2_32 as any program does. Prints the
 * documentation's lines, ending with "Port number allocated = N".
 * Usage: tcp_reservation_consume START_PORT NUMBER_OF_PORTS
 */
#include <winsock2.h>
#include <mstcpip.h>
#include <iphlpapi.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    ULONG64 token = 0;
    WSADATA wsa;
    SOCKET s;
    DWORD returned = 0;
    struct sockaddr_in any = {0}, name = {0};
    int len = sizeof(name);
    unsigned long start, count, status;
    if (argc != 3) return 2;
    start = strtoul(argv[1], NULL, 10);
    count = strtoul(argv[2], NULL, 10);
    if (start > 65535 || count > 65535) return 2;
    status = LookupPersistentTcpPortReservation(htons((u_short)start), (USHORT)count, &token);
    if (status != NO_ERROR)
    {
        printf("LookupPersistentTcpPortReservation returned error: %lu\n", status);
        return 1;
    }
    printf("LookupPersistentTcpPortReservation call succeeded\n");
    if (WSAStartup(MAKEWORD(2, 2), &wsa)) return 1;
    s = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    if (s == INVALID_SOCKET)
    {
        printf("socket function failed with error = %d\n", WSAGetLastError());
        return 1;
    }
    if (WSAIoctl(s, SIO_ASSOCIATE_PORT_RESERVATION, &token, sizeof(token), NULL, 0, &returned, NULL, NULL))
    {
        printf("WSAIoctl(SIO_ASSOCIATE_PORT_RESERVATION) failed with error = %d\n", WSAGetLastError());
        return 1;
    }
    printf("WSAIoctl(SIO_ASSOCIATE_PORT_RESERVATION) succeeded, bytesReturned = %lu\n", returned);
    any.sin_family = AF_INET;
    if (bind(s, (struct sockaddr *)&any, sizeof(any)) == SOCKET_ERROR)
    {
        printf("bind failed with error = %d\n", WSAGetLastError());
        return 1;
    }
    printf("bind succeeded\n");
    if (getsockname(s, (struct sockaddr *)&name, &len) == SOCKET_ERROR)
    {
        printf("getsockname failed with error = %d\n", WSAGetLastError());
        return 1;
    }
    printf("Port number allocated = %u\n", ntohs(name.sin_port));
    closesocket(s);
    WSACleanup();
    return 0;
}
