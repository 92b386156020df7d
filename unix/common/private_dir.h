// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Directories only this user can change: where the kernel list's lock and its journal live
 * (reservations/reservation_lock.cpp) and where the ESTATS switches are shared (estats/). Another
 * user who could add, remove or rename entries there could plant a link, hold a lock or forge a
 * record; so such a directory is opened without following links and used only when it is a
 * directory owned by the caller that neither group nor others can write.
 */
#pragma once

#include <string>
#include <sys/stat.h>

namespace iphlp {

/* ST is a directory of this user that nobody else can write. */
bool is_private_dir(const struct stat &st);

/* Opens (creating it: 0755 for root, else 0700) the directory NAME relative to AT (AT_FDCWD or an
 * fd of a private directory) without following links; returns its fd, or -1 with errno set (EPERM
 * when it exists but is not private). An existing directory is checked, never chmod-ed: if
 * someone else made it, changing its mode would not make it ours. UNREADABLE: also nobody else
 * may list or read it (created 0700 for root too; the owner map, whose contents are not theirs). */
int open_private_dir(int at, const char *name, bool unreadable = false);

/* This user's runtime directory for the project: /run/iphlp for root, else $XDG_RUNTIME_DIR/iphlp
 * when that directory is private, else /tmp/iphlp-UID. Not created here. */
std::string runtime_dir();

/* This user's directory for what processes share only to save time (the owner map, the record of
 * a checked forward copy): $IPHLP_OWNER_DIR if set, else /tmp/iphlp-UID. Open it with
 * open_private_dir(..., true). */
std::string cache_dir();

/* Replaces the file NAME in the private directory DIR by SIZE bytes of DATA, all or nothing:
 * written to a hidden temporary file of this process (0600, never through a link), then renamed
 * over NAME, so a reader sees the old content or the new, never a part. False (and nothing left
 * behind) when any step fails. */
bool replace_file_at(int dir, const std::string &name, const void *data, size_t size);

} // namespace iphlp
