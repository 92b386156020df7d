/* A plain Linux process (not a Wine process) that listens on 127.0.0.1, prints its port and
 * waits for stdin to close: its socket must show PID 0 in the tables. */
#include <arpa/inet.h>
#include <cstdio>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

int main()
{
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
    printf("%u\n", ntohs(sin.sin_port));
    fflush(stdout);
    char c;
    while (read(0, &c, 1) > 0) {}
    return 0;
}
