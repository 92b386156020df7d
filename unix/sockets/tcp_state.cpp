// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Linux TCP states as inet_diag and /proc/net/tcp report them, and what Windows calls them.
 */
#include "sockets.h"

#include <iterator>

namespace iphlp {
namespace {

/* include/net/tcp_states.h. These numbers are kernel ABI: inet_diag and /proc/net/tcp use them. */
enum : unsigned
{
    LINUX_TCP_ESTABLISHED = 1,
    LINUX_TCP_SYN_SENT,
    LINUX_TCP_SYN_RECV,
    LINUX_TCP_FIN_WAIT1,
    LINUX_TCP_FIN_WAIT2,
    LINUX_TCP_TIME_WAIT,
    LINUX_TCP_CLOSE,
    LINUX_TCP_CLOSE_WAIT,
    LINUX_TCP_LAST_ACK,
    LINUX_TCP_LISTEN,
    LINUX_TCP_CLOSING,
    LINUX_TCP_NEW_SYN_RECV,
};

constexpr uint32_t MIB_BY_LINUX[] = {
    IPHLP_MIB_TCP_STATE_CLOSED,     /* 0: not a state */
    IPHLP_MIB_TCP_STATE_ESTAB,      /* ESTABLISHED */
    IPHLP_MIB_TCP_STATE_SYN_SENT,   /* SYN_SENT */
    IPHLP_MIB_TCP_STATE_SYN_RCVD,   /* SYN_RECV */
    IPHLP_MIB_TCP_STATE_FIN_WAIT1,  /* FIN_WAIT1 */
    IPHLP_MIB_TCP_STATE_FIN_WAIT2,  /* FIN_WAIT2 */
    IPHLP_MIB_TCP_STATE_TIME_WAIT,  /* TIME_WAIT */
    IPHLP_MIB_TCP_STATE_CLOSED,     /* CLOSE */
    IPHLP_MIB_TCP_STATE_CLOSE_WAIT, /* CLOSE_WAIT */
    IPHLP_MIB_TCP_STATE_LAST_ACK,   /* LAST_ACK */
    IPHLP_MIB_TCP_STATE_LISTEN,     /* LISTEN */
    IPHLP_MIB_TCP_STATE_CLOSING,    /* CLOSING */
    IPHLP_MIB_TCP_STATE_SYN_RCVD,   /* NEW_SYN_RECV: a request socket, half-open like SYN_RECV */
};

/*
 * States 1..12: everything /proc/net/tcp can show. Bit 13 (TCP_BOUND_INACTIVE, Linux 6.8) is
 * left out on purpose: asking for it makes the kernel also dump bound-but-idle sockets, which
 * neither /proc/net/tcp nor Windows' table lists, and the two readers must agree.
 */
constexpr uint32_t ALL_STATES = ((1u << (LINUX_TCP_NEW_SYN_RECV + 1)) - 1) & ~1u;
constexpr uint32_t LISTEN_STATE = 1u << LINUX_TCP_LISTEN;
/* TCP_CLOSE (7) is the state bound-inactive sockets are reported in; 13 asks for them. */
constexpr uint32_t BOUND_INACTIVE_STATES = 1u << 7 | 1u << 13;

} // namespace

uint32_t mib_tcp_state_from_linux(unsigned linux_state)
{
    return linux_state < std::size(MIB_BY_LINUX) ? MIB_BY_LINUX[linux_state] : IPHLP_MIB_TCP_STATE_CLOSED;
}

/* UDP sockets are TCP_CLOSE or TCP_ESTABLISHED (connected); the filter does not apply to them,
 * and an unknown filter value means ALL, so a bad value can only show more, never hide. */
uint32_t linux_state_mask(const SocketQuery &query)
{
    if (query.proto != IPHLP_TCP) return ALL_STATES;
    if (query.bound_inactive) return BOUND_INACTIVE_STATES;
    switch (query.filter)
    {
    case IPHLP_FILTER_LISTENER: return LISTEN_STATE;
    case IPHLP_FILTER_CONNECTIONS: return ALL_STATES & ~LISTEN_STATE; /* includes TIME_WAIT and NEW_SYN_RECV */
    default: return ALL_STATES;
    }
}

} // namespace iphlp
