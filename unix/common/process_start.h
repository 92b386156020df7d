// SPDX-License-Identifier: LGPL-2.1-or-later
/* When a Linux process started: what tells a live process from a dead one whose PID was reused
 * (runtime port blocks, the wineserver instance the owner map belongs to). */
#pragma once

#include <cstdint>

namespace iphlp {

/* Field 22 of /proc/PID/stat (start time, clock ticks since boot); 0 when the process does not
 * exist, cannot be read, or has exited. A zombie (state Z or X) counts as exited: its stat stays
 * readable until its parent reaps it, which an init that does not reap (a container's) never
 * does, and a killed Windows process must lose its runtime port blocks at once. */
uint64_t process_start_time(long pid);

} // namespace iphlp
