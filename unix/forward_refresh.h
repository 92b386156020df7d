// SPDX-License-Identifier: LGPL-2.1-or-later
/* Keeping the prefix's iphlpwine.dll (a copy of Wine's own iphlpapi.dll) that of the running Wine. */
#pragma once

namespace iphlp {

/* Replaces the regular file COPY (by rename) with the running Wine's own iphlpapi.dll when the
 * two differ. Failures are reported once on stderr and change nothing. */
void refresh_forward_copy(const char *copy);

} // namespace iphlp
