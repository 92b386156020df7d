// SPDX-License-Identifier: LGPL-2.1-or-later
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

/* This program's manifest asks for the administrator's token. A child meant to run with a
 * limited token must not ask: Windows refuses to start a program that requires elevation that
 * way (ERROR_ELEVATION_REQUIRED) and Wine 10.0 elevates it. Such a child runs from a copy of this
 * program with the manifest resource removed. */
static bool copy_without_manifest(char *path, size_t size)
{
    char exe[MAX_PATH], dir[MAX_PATH];
    GetModuleFileNameA(nullptr, exe, sizeof(exe));
    GetTempPathA(sizeof(dir), dir);
    snprintf(path, size, "%sconformance-limited-%lu.exe", dir, GetCurrentProcessId());
    if (!CopyFileA(exe, path, FALSE)) return false;
    HANDLE update = BeginUpdateResourceA(path, FALSE);
    if (!update) return false;
    if (!UpdateResourceA(update, MAKEINTRESOURCEA(24) /* RT_MANIFEST */, MAKEINTRESOURCEA(1),
                         MAKELANGID(LANG_NEUTRAL, SUBLANG_NEUTRAL), nullptr, 0))
    {
        EndUpdateResourceA(update, TRUE);
        return false;
    }
    return EndUpdateResourceA(update, FALSE);
}

bool start_child(const char *args, ChildProcess *child, HANDLE token)
{
    char exe[MAX_PATH], cmdline[1024];
    child->copy[0] = 0;
    if (token)
    {
        if (!copy_without_manifest(child->copy, sizeof(child->copy))) return false;
        strcpy(exe, child->copy);
    }
    else
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
        if (child->copy[0]) DeleteFileA(child->copy);
        return false;
    }
    child->out = read_end;
    return true;
}

bool read_child_line(ChildProcess *child, char *line, size_t size)
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

void stop_child(ChildProcess *child)
{
    TerminateProcess(child->info.hProcess, 0);
    WaitForSingleObject(child->info.hProcess, 10000);
    CloseHandle(child->info.hProcess);
    CloseHandle(child->info.hThread);
    CloseHandle(child->out);
    if (child->copy[0]) DeleteFileA(child->copy);
}
