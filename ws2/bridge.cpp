// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The companion reaches iphlpbridge.so as iphlpapi.dll does (dll/bridge_connect.h). It stays
 * silent when that fails: a program that uses no reservation must not notice the
 * companion, and iphlpapi.dll already says what is missing when its functions are used.
 */
#include "bridge.h"

#include <cstring>

#include "bridge_connect.h"

namespace {

INIT_ONCE bridge_once = INIT_ONCE_STATIC_INIT;
UINT64 unix_handle;
UnixDispatcher dispatcher;

BOOL CALLBACK init_bridge(INIT_ONCE *, void *, void **)
{
    BridgeConnection bridge = connect_bridge(); /* silent, whatever failed */
    unix_handle = bridge.handle;
    dispatcher = bridge.dispatcher;
    return TRUE;
}

INIT_ONCE view_once = INIT_ONCE_STATIC_INIT;
const volatile unsigned char *view;

BOOL CALLBACK init_view(INIT_ONCE *, void *, void **)
{
    iphlp_winsock_params p = {};
    if (ws2_unix_call(unix_winsock_port_view, &p) && p.result == WIN_NO_ERROR)
        view = reinterpret_cast<const volatile unsigned char *>(static_cast<ULONG_PTR>(p.view));
    return TRUE;
}

} // namespace

bool ws2_unix_call(enum iphlp_unix_func func, iphlp_winsock_params *params)
{
    InitOnceExecuteOnce(&bridge_once, init_bridge, nullptr, nullptr);
    return dispatcher && dispatcher(unix_handle, func, params) == 0;
}

bool ws2_unix_available()
{
    InitOnceExecuteOnce(&bridge_once, init_bridge, nullptr, nullptr);
    return dispatcher != nullptr;
}

const volatile unsigned char *ws2_port_view()
{
    InitOnceExecuteOnce(&view_once, init_view, nullptr, nullptr);
    return view;
}
