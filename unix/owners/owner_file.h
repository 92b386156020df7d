// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The map of handle tables, shared by the processes of one wineserver instance through a file
 * (docs/design.md, "Who owns a socket"): a fresh process (every netstat) starts from what the
 * last one learned instead of probing every handle of every process again.
 *
 * One file per prefix, in a directory of this user's alone (/tmp/iphlp-UID, mode 0700): a
 * directory or file of another user, one group- or world-writable, a symbolic link, a file of
 * another wineserver instance (the server restarted) or another layout, and a file whose checksum
 * does not match are all ignored, then replaced by the next save. The file is a cache: losing it
 * loses nothing but time. It is written to a temporary name and renamed over the old one, so a
 * reader sees a whole file or the previous one. Both bitnesses read and write the same layout.
 */
#pragma once

#include <string>

#include "owner_resolver.h"

namespace iphlp {

class OwnerFile final : public OwnerStore
{
  public:
    /* dir empty: $IPHLP_OWNER_DIR if set, else /tmp/iphlp-UID. */
    explicit OwnerFile(std::string dir = std::string());
    bool load(const ServerIdentity &server, SharedMap &out) override;
    void save(const ServerIdentity &server, const SharedMap &map) override;
    /* The position in the file beside the map (".checks": 8 bytes, under flock), held to the
     * same rules as the map: this user's, not group- or world-writable, not a link. */
    bool next_checks(const ServerIdentity &server, uint64_t count, uint64_t &start) override;

  private:
    int open_dir(); /* a directory fd, or -1 when there is no private directory to use */
    std::string dir_;
};

} // namespace iphlp
