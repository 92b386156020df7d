// SPDX-License-Identifier: LGPL-2.1-or-later
/* A plain Linux process (not a Wine process) that listens on 127.0.0.1 and writes its port to
 * the file named by its argument (by rename, so a reader never sees half of it), then waits to
 * be killed: its socket must show PID 0 in the tables. */
#include <arpa/inet.h>
#include <cstdio>
#include <netinet/in.h>
#include <string>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc != 2)
    {
        fprintf(stderr, "usage: native_listener PORT_FILE\n");
        return 2;
    }
    int s = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in sin = {};
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(sin);
    if (s < 0 || bind(s, (sockaddr *)&sin, sizeof(sin)) || listen(s, 1) || getsockname(s, (sockaddr *)&sin, &len))
    {
        perror("native_listener");
        return 1;
    }
    std::string tmp = std::string(argv[1]) + ".tmp";
    FILE *f = fopen(tmp.c_str(), "w");
    if (!f || fprintf(f, "%u\n", ntohs(sin.sin_port)) < 0 || fclose(f) || rename(tmp.c_str(), argv[1]))
    {
        perror(argv[1]);
        return 1;
    }
    for (;;) pause();
}
