// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Keeping the kernel's reserved port list in step with the store (kernel_reserved_ports.h does
 * the file). The store is the single source of truth: the list of a network namespace should
 * hold every port of every admitted block (see the ephemeral cap below), plus whatever others
 * (administrators, other prefixes) put there; and this store takes out only ports it recorded
 * as added by itself in that namespace during this boot. Every write reconciles the list with
 * the store, so a list that drifted (reboot, a crash, an administrator) is put right by the
 * next call that may write it. docs/reservations.md has the whole design and its limits.
 */
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "kernel_reserved_ports.h"
#include "reservation_store.h"
#include "reservation_rules.h"

namespace iphlp {

/* This process's network namespace: "net:COOKIE" (SO_NETNS_COOKIE, never reused during a boot)
 * or, on kernels before 5.14, "netino:INODE". */
std::string namespace_id();

/* The key of the mirror bookkeeping: boot id and namespace. */
std::string mirror_key(const std::string &boot);

/* The ephemeral cap: the list belongs to the network namespace, so every reserved port inside
 * ip_local_port_range counts, whoever put it there (the administrator, other stores). Blocks
 * are admitted to the list in creation order while that count stays at most a quarter of the
 * range; the rest stay reservations for Windows programs only (Create still answers NO_ERROR
 * and says on stderr why the block is not in the list). */
constexpr unsigned EPHEMERAL_SHARE_DENOMINATOR = 4;

/* Reads "LOW\tHIGH" from path into a set; false when it cannot (then no cap applies). */
bool read_port_range(const std::string &path, PortSet &range);

/* The admitted ports of all rows of the store (both protocols), given the ports others hold
 * in the namespace's list (the list minus the ports this store added). */
int desired_ports(StoreDb &store, const std::string &range_path, const PortSet &others, PortSet &desired);

/*
 * One write call: takes the kernel list's lock (when this process may write the list), opens a
 * write transaction, finishes an update a killed process left half done, runs body (may be
 * empty: reconcile only), then brings the kernel list in step with the store, recording the
 * intended change in the same COMMIT as body's change before writing the list, and the outcome
 * after. Returns body's code, or the failure of the machinery. body must not touch caller
 * memory (see with_store).
 */
uint32_t write_call(const StoreConfig &cfg, const std::string &boot, const std::function<uint32_t(StoreDb &)> &body);

/* For Lookup and List: whether this namespace still needs its first reconcile of this boot,
 * or an update of a killed process is unfinished. Cheap (one indexed SELECT). */
bool mirror_needs_reconcile(StoreDb &store, const std::string &key);

} // namespace iphlp
