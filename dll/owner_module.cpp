// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * GetOwnerModuleFromTcpEntry, ...Tcp6Entry, ...UdpEntry, ...Udp6Entry: the module name and
 * path of the process that owns a table row. The buffer holds a TCPIP_OWNER_MODULE_BASIC_INFO
 * followed by the two strings it points to. Rows from OWNER_MODULE tables carry no module
 * cookie here (OwningModuleInfo is zero), so the owner is found from dwOwningPid.
 */
#include <winsock2.h>
#include <ws2tcpip.h>
#include <iphlpapi.h>

#include <cwchar>
#include <vector>
#include "trace.h"

namespace {

DWORD owner_module(const void *entry, DWORD pid, TCPIP_OWNER_MODULE_INFO_CLASS cls, PVOID buffer, PDWORD size)
{
    if (!entry || !size || cls != TCPIP_OWNER_MODULE_INFO_BASIC) return ERROR_INVALID_PARAMETER;
    if (!pid) return ERROR_NOT_FOUND; /* documented: a zero PID has no module */

    HANDLE process = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, pid);
    if (!process) return ERROR_NOT_FOUND;
    /* Image paths may be longer than MAX_PATH (\\?\ paths, up to 32,767 characters): a fixed
     * MAX_PATH buffer answered 299 for them. Grow until it fits. */
    std::vector<WCHAR> buf(MAX_PATH);
    DWORD path_len;
    BOOL got;
    for (;;)
    {
        path_len = (DWORD)buf.size();
        got = QueryFullProcessImageNameW(process, 0, buf.data(), &path_len);
        if (got || GetLastError() != ERROR_INSUFFICIENT_BUFFER || buf.size() >= 32768) break;
        buf.resize(buf.size() * 4 > 32768 ? 32768 : buf.size() * 4);
    }
    CloseHandle(process);
    if (!got) return ERROR_PARTIAL_COPY;
    const WCHAR *path = buf.data();

    const WCHAR *name = wcsrchr(path, L'\\');
    name = name ? name + 1 : path;
    size_t name_len = wcslen(name);
    DWORD needed = (DWORD)(sizeof(TCPIP_OWNER_MODULE_BASIC_INFO) + (name_len + 1 + path_len + 1) * sizeof(WCHAR));
    if (!buffer || *size < needed)
    {
        *size = needed;
        return ERROR_INSUFFICIENT_BUFFER;
    }
    auto *info = static_cast<TCPIP_OWNER_MODULE_BASIC_INFO *>(buffer);
    WCHAR *strings = reinterpret_cast<WCHAR *>(info + 1);
    info->pModuleName = strings;
    memcpy(strings, name, (name_len + 1) * sizeof(WCHAR));
    info->pModulePath = strings + name_len + 1;
    memcpy(info->pModulePath, path, (path_len + 1) * sizeof(WCHAR));
    return NO_ERROR;
}

} // namespace

/* One export per Windows name, deliberately alike: the four row types share dwOwningPid, and the
 * work is owner_module(). */
extern "C" {

IPHLP_EXPORT(DWORD, GetOwnerModuleFromTcpEntry,
             (PMIB_TCPROW_OWNER_MODULE pTcpEntry, TCPIP_OWNER_MODULE_INFO_CLASS Class, PVOID pBuffer, PDWORD pdwSize),
             (pTcpEntry, Class, pBuffer, pdwSize))
{
    return owner_module(pTcpEntry, pTcpEntry ? pTcpEntry->dwOwningPid : 0, Class, pBuffer, pdwSize);
}

IPHLP_EXPORT(DWORD, GetOwnerModuleFromTcp6Entry,
             (PMIB_TCP6ROW_OWNER_MODULE pTcpEntry, TCPIP_OWNER_MODULE_INFO_CLASS Class, PVOID pBuffer, PDWORD pdwSize),
             (pTcpEntry, Class, pBuffer, pdwSize))
{
    return owner_module(pTcpEntry, pTcpEntry ? pTcpEntry->dwOwningPid : 0, Class, pBuffer, pdwSize);
}

IPHLP_EXPORT(DWORD, GetOwnerModuleFromUdpEntry,
             (PMIB_UDPROW_OWNER_MODULE pUdpEntry, TCPIP_OWNER_MODULE_INFO_CLASS Class, PVOID pBuffer, PDWORD pdwSize),
             (pUdpEntry, Class, pBuffer, pdwSize))
{
    return owner_module(pUdpEntry, pUdpEntry ? pUdpEntry->dwOwningPid : 0, Class, pBuffer, pdwSize);
}

IPHLP_EXPORT(DWORD, GetOwnerModuleFromUdp6Entry,
             (PMIB_UDP6ROW_OWNER_MODULE pUdpEntry, TCPIP_OWNER_MODULE_INFO_CLASS Class, PVOID pBuffer, PDWORD pdwSize),
             (pUdpEntry, Class, pBuffer, pdwSize))
{
    return owner_module(pUdpEntry, pUdpEntry ? pUdpEntry->dwOwningPid : 0, Class, pBuffer, pdwSize);
}

} // extern "C"
