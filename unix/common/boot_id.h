// SPDX-License-Identifier: LGPL-2.1-or-later
/* The kernel's boot id: what tells one boot from the next (reservation tokens, the kernel list's
 * bookkeeping, the ESTATS switch files). */
#pragma once

#include <string>

namespace iphlp {

constexpr const char *BOOT_ID_PATH = "/proc/sys/kernel/random/boot_id";

/* The boot id text at PATH, trimmed; "" if the file cannot be read. */
std::string read_boot_id(const std::string &path = BOOT_ID_PATH);

} // namespace iphlp
