// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The kernel's reserved port list, /proc/sys/net/ipv4/ip_local_reserved_ports: parsing, and
 * reading and writing it completely. The list belongs to the network namespace (TCP, UDP and
 * SCTP alike); the kernel keeps those ports out of ephemeral (port 0) binds.
 *
 * How the sysctl behaves (measured on Linux 6.18 in a private network namespace; the handler is
 * proc_do_large_bitmap in kernel/sysctl.c):
 *  - a read answers only at file offset 0; a read at any later offset returns 0 (EOF). A list
 *    longer than the first read()'s buffer is therefore cut short by a read loop: the whole list
 *    must come from one read with a large enough buffer (we pread at 0 again with a bigger one
 *    until the answer is shorter than the buffer);
 *  - a write at offset 0 replaces the list, a write at any later offset ORs its ports into it;
 *  - one write() applies at most 4,095 bytes, stopping before a number it would cut, and
 *    returns the count it consumed (a 7,500-byte write returned 4,090; the rest, written at the
 *    new offset, was ORed in).
 * So adding ports is done with writes at offset 1, which can only add; removing ports needs a
 * replace, which is atomic only when the list fits one write of at most 4,095 bytes.
 *
 * A regular file stands in for the sysctl in unit tests that do not run in a network namespace;
 * it is read whole and rewritten whole.
 */
#pragma once

#include <bitset>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace iphlp {

using PortSet = std::bitset<65536>;

/* Parses "8080,9000-9010" (whitespace and a trailing newline allowed; "" is the empty set).
 * Returns false on anything malformed, leaving out unspecified. */
bool parse_port_list(const std::string &text, PortSet &out);

/* The kernel's own spelling: ascending, ranges collapsed, "" for the empty set. */
std::string format_port_list(const PortSet &ports);

/* The ports first..last. */
PortSet port_block(uint16_t first, uint16_t last);

/* ports |= first..last, without building a second set. */
void add_ports(PortSet &ports, uint16_t first, uint16_t last);

/* The largest write the sysctl applies whole (PAGE_SIZE - 1 on 4 KiB pages; we never rely on a
 * larger page). */
constexpr size_t SYSCTL_WRITE_MAX = 4095;

/* Splits the list text (without newline) into pieces of at most max bytes each, cut only at
 * commas, each piece ending in "\n". */
std::vector<std::string> split_port_list(const std::string &text, size_t max);

/* Reads the whole list. false (with why) when the file cannot be read or parsed. */
bool kernel_read(const std::string &path, PortSet &ports, std::string *why = nullptr);

/* Called before each write(2) of a list update with its index (0, 1, ...): the tests kill the
 * process there to check that an interrupted update is finished by the next call. */
using KernelWriteHook = std::function<void(int piece)>;

/*
 * Changes the list from current (as just read) to target, then reads it back. Additions only:
 * ORed in with writes at offset 1, so no moment lacks a port. Any removal: a replace, in one
 * write when it fits, else a first piece at offset 0 and the rest ORed in (not atomic: the
 * caller keeps target in its journal until this returns, see reservation_mirror.cpp). Returns
 * true when the list read back equals target; after reads the list into after either way
 * (empty when unreadable).
 */
bool kernel_write(const std::string &path, const PortSet &current, const PortSet &target, PortSet &after,
                  const KernelWriteHook &hook = {});

/* Whether this process may write the list (checked with the effective ids). */
bool kernel_writable(const std::string &path);

} // namespace iphlp
