// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Exports that only some supported Wines have (def/implemented.txt, last section). A static
 * forward to iphlpwine.dll would keep a program that imports one of them from loading on a
 * Wine that lacks it, so each is looked up in iphlpwine.dll at the first call instead: the
 * Wine underneath answers when it has the function, and the documented "not supported" answer
 * is given when it does not.
 */
#include <winsock2.h>
#include <ws2ipdef.h>
#include <iphlpapi.h>
#include <netioapi.h>
#include "trace.h"
#include "wine_forward.h"

namespace {

template <typename Fn> Fn wine_function(const char *name) { return reinterpret_cast<Fn>(wine_export(name)); }

} // namespace

extern "C" {

IPHLP_EXPORT(NETIO_STATUS, GetAnycastIpAddressTable, (ADDRESS_FAMILY Family, PMIB_ANYCASTIPADDRESS_TABLE *Table),
             (Family, Table))
{
    using fn = NETIO_STATUS(WINAPI *)(ADDRESS_FAMILY, PMIB_ANYCASTIPADDRESS_TABLE *);
    static const fn wine = wine_function<fn>("GetAnycastIpAddressTable");
    return wine ? wine(Family, Table) : ERROR_NOT_SUPPORTED;
}

static NET_IF_COMPARTMENT_ID current_compartment()
{
    using fn = NET_IF_COMPARTMENT_ID(WINAPI *)(void);
    static const fn wine = wine_function<fn>("GetCurrentThreadCompartmentId");
    /* Every thread is in the default compartment when nothing else can say. */
    return wine ? wine() : 1; /* NET_IF_COMPARTMENT_ID_PRIMARY (ifdef.h; not in MinGW 10) */
}

/* No arguments: IPHLP_EXPORT's argument list cannot be empty, so it is spelled out. */
NET_IF_COMPARTMENT_ID WINAPI GetCurrentThreadCompartmentId(void)
{
    return iphlp_traced("GetCurrentThreadCompartmentId", current_compartment);
}

IPHLP_EXPORT(NETIO_STATUS, SetCurrentThreadCompartmentId, (NET_IF_COMPARTMENT_ID CompartmentId), (CompartmentId))
{
    using fn = NETIO_STATUS(WINAPI *)(NET_IF_COMPARTMENT_ID);
    static const fn wine = wine_function<fn>("SetCurrentThreadCompartmentId");
    return wine ? wine(CompartmentId) : ERROR_NOT_SUPPORTED;
}

} // extern "C"
