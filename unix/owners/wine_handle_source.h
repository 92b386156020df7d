// SPDX-License-Identifier: LGPL-2.1-or-later
/* HandleSource backed by the running Wine (ntdll.so and wineserver). */
#pragma once

#include "owner_resolver.h"
#include "wine_processes.h"

namespace iphlp {

class WineHandleSource final : public HandleSource
{
  public:
    uint32_t own_pid() override;
    bool list_processes(std::vector<ProcessSlots> &out) override;
    bool still_running(const std::vector<ProcessSlots> &procs, std::vector<uint8_t> &alive) override;
    void probe(const HandleRef *refs, size_t count, ProbeResult *out) override;
    bool wine_socket_inodes(std::vector<uint64_t> &out) override;
    uint64_t now_ms() override;
    bool server_identity(ServerIdentity &out) override;
    /* The processes of the latest list_processes(), with their creation times. */
    const std::vector<WineProcess> &processes() const { return processes_; }

  private:
    int wineserver_pid();

    uint32_t own_pid_ = 0;
    int server_pid_ = 0; /* Unix pid of wineserver; -1 when it cannot be found */
    std::vector<WineProcess> processes_;
};

} // namespace iphlp
