# Socket readers: netlink (inet_diag) first, the /proc/net fallback, and the switch between them.
# tcp_state: Linux TCP states -> MIB_TCP_STATE and kernel state masks; inet_diag: the netlink
# reader (libmnl); proc_net: the procfs reader; ipv6_scope: /proc/net/if_inet6 scope ids for it;
# read_sockets: which reader runs; socket_times: creation times of OWNER_MODULE rows;
# tcp_connection: one connection (ESTATS, SetTcpEntry).
target_sources(iphlp_core PRIVATE tcp_state.cpp inet_diag.cpp proc_net.cpp ipv6_scope.cpp read_sockets.cpp
                                  socket_times.cpp tcp_connection.cpp)
