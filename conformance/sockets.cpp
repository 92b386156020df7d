/* Socket and child-process helpers shared by the conformance tests. */
#include "harness.h"

#include <cstring>

static int make_addr(int family, const char *address, unsigned short port, sockaddr_storage *ss)
{
    memset(ss, 0, sizeof(*ss));
    if (family == AF_INET)
    {
        auto *sin = (sockaddr_in *)ss;
        sin->sin_family = AF_INET;
        sin->sin_port = htons(port);
        inet_pton(AF_INET, address, &sin->sin_addr);
        return sizeof(*sin);
    }
    auto *sin6 = (sockaddr_in6 *)ss;
    sin6->sin6_family = AF_INET6;
    sin6->sin6_port = htons(port);
    inet_pton(AF_INET6, address, &sin6->sin6_addr);
    return sizeof(*sin6);
}

SOCKET tcp_listener(int family, const char *address, unsigned short port, unsigned short *bound_port)
{
    SOCKET s = socket(family, SOCK_STREAM, IPPROTO_TCP);
    if (s == INVALID_SOCKET) return s;
    sockaddr_storage ss;
    int len = make_addr(family, address, port, &ss);
    if (bind(s, (sockaddr *)&ss, len) || listen(s, 16))
    {
        closesocket(s);
        return INVALID_SOCKET;
    }
    len = sizeof(ss);
    getsockname(s, (sockaddr *)&ss, &len);
    *bound_port = ntohs(family == AF_INET ? ((sockaddr_in *)&ss)->sin_port : ((sockaddr_in6 *)&ss)->sin6_port);
    return s;
}

bool tcp_pair(int family, const char *address, SOCKET listener, unsigned short port, SOCKET *client, SOCKET *server)
{
    sockaddr_storage ss;
    int len = make_addr(family, address, port, &ss);
    *client = socket(family, SOCK_STREAM, IPPROTO_TCP);
    if (*client == INVALID_SOCKET || connect(*client, (sockaddr *)&ss, len)) return false;
    *server = accept(listener, nullptr, nullptr);
    return *server != INVALID_SOCKET;
}

bool start_child(const char *args, child_process *child, HANDLE token)
{
    char exe[MAX_PATH], cmdline[1024];
    GetModuleFileNameA(nullptr, exe, sizeof(exe));
    snprintf(cmdline, sizeof(cmdline), "\"%s\" child %s", exe, args);
    SECURITY_ATTRIBUTES sa = {sizeof(sa), nullptr, TRUE};
    HANDLE read_end, write_end;
    if (!CreatePipe(&read_end, &write_end, &sa, 0)) return false;
    SetHandleInformation(read_end, HANDLE_FLAG_INHERIT, 0);
    STARTUPINFOA si = {};
    si.cb = sizeof(si);
    si.dwFlags = STARTF_USESTDHANDLES;
    si.hStdOutput = write_end;
    si.hStdError = GetStdHandle(STD_ERROR_HANDLE);
    si.hStdInput = GetStdHandle(STD_INPUT_HANDLE);
    BOOL created = token ? CreateProcessAsUserA(token, exe, cmdline, nullptr, nullptr, TRUE, 0, nullptr, nullptr, &si,
                                                &child->info)
                         : CreateProcessA(exe, cmdline, nullptr, nullptr, TRUE, 0, nullptr, nullptr, &si, &child->info);
    CloseHandle(write_end);
    if (!created)
    {
        CloseHandle(read_end);
        return false;
    }
    child->out = read_end;
    return true;
}

bool read_child_line(child_process *child, char *line, size_t size)
{
    size_t n = 0;
    DWORD got;
    char c;
    while (n + 1 < size && ReadFile(child->out, &c, 1, &got, nullptr) && got == 1)
    {
        if (c == '\n') break;
        if (c != '\r') line[n++] = c;
    }
    line[n] = 0;
    return n > 0;
}

void stop_child(child_process *child)
{
    TerminateProcess(child->info.hProcess, 0);
    WaitForSingleObject(child->info.hProcess, 10000);
    CloseHandle(child->info.hProcess);
    CloseHandle(child->info.hThread);
    CloseHandle(child->out);
}
