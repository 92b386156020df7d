// SPDX-License-Identifier: LGPL-2.1-or-later
/* Shared by the live reader test and the fixture recorder: the host's IPv6 link-local address. */
#pragma once

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdint.h>

/* The first link-local address of an interface that is up, if the host has one. */
inline bool find_link_local(char *text, size_t size, uint32_t *ifindex)
{
    ifaddrs *list;
    if (getifaddrs(&list) < 0) return false;
    bool found = false;
    for (ifaddrs *ifa = list; ifa && !found; ifa = ifa->ifa_next)
    {
        if (!ifa->ifa_addr || ifa->ifa_addr->sa_family != AF_INET6 || !(ifa->ifa_flags & IFF_UP)) continue;
        auto *sin6 = reinterpret_cast<const sockaddr_in6 *>(ifa->ifa_addr);
        if (!IN6_IS_ADDR_LINKLOCAL(&sin6->sin6_addr)) continue;
        inet_ntop(AF_INET6, &sin6->sin6_addr, text, static_cast<socklen_t>(size));
        *ifindex = if_nametoindex(ifa->ifa_name);
        found = true;
    }
    freeifaddrs(list);
    return found;
}
