/*
 * Mirroring persistent reservations into Linux's /proc/sys/net/ipv4/ip_local_reserved_ports,
 * so the kernel keeps reserved ports out of ephemeral (port 0) binds, as Windows does for its
 * administered port exclusions. The file holds a comma-separated list such as "8080,9000-9010";
 * it can only be rewritten whole, so every change is a read-merge-write of the full list, done
 * under a machine-wide flock (different prefixes share the file). The caller runs it inside the
 * store's write transaction so that the store and the file change together.
 */
#pragma once

#include <bitset>
#include <cstdint>
#include <string>

namespace iphlp {

using PortSet = std::bitset<65536>;

/* Parses "8080,9000-9010" (whitespace and a trailing newline allowed; "" is the empty set).
 * Returns false on anything malformed, leaving out unspecified. */
bool parse_port_list(const std::string &text, PortSet &out);

/* The kernel's own spelling: ascending, ranges collapsed, "" for the empty set. */
std::string format_port_list(const PortSet &ports);

/* The ports first..last. */
PortSet port_block(uint16_t first, uint16_t last);

/* Adds wanted to the file. added receives the ports that were not listed before, which are the
 * only ones we may later take back. Returns true when every wanted port is listed afterwards;
 * false (with added empty) when the file cannot be read, parsed or written. */
bool kernel_add(const std::string &path, const PortSet &wanted, PortSet &added);

/* Removes ours from the file, leaving every other port alone. Returns false if it cannot. */
bool kernel_remove(const std::string &path, const PortSet &ours);

} // namespace iphlp
