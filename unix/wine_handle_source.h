/* HandleSource backed by the running Wine (ntdll.so and wineserver). */
#pragma once

#include "owner_resolver.h"
#include "wine_ntdll.h"

namespace iphlp {

class WineHandleSource final : public HandleSource
{
public:
    uint32_t own_pid() override;
    bool list_file_handles(std::vector<HandleRef> &out) override;
    void probe(const HandleRef *refs, size_t count, uint64_t *inodes) override;
    bool wine_socket_inodes(std::vector<uint64_t> &out) override;

private:
    const wine::HandleInformation *query_handles();
    bool calibrate();
    int wineserver_pid();

    uint32_t own_pid_ = 0;
    int file_type_ = -1;   /* type index of "File" objects in the handle list */
    int server_pid_ = 0;   /* Unix pid of wineserver; -1 when it cannot be found */
    std::vector<unsigned char> buffer_;
};

} // namespace iphlp
