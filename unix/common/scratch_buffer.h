// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Per-thread scratch vectors (the socket snapshot, the sort keys, the /proc/net text) are reused
 * from call to call, so a caller in a steady state allocates nothing. Left alone, though, each
 * keeps the largest size it ever reached for the life of its thread: measured with
 * bench/scratch-rss.sh, one 60,000-row GetTcpTable2 left 7.4 MB behind for good. So a call done
 * with a scratch vector hands it to release_if_oversized(): a vector above SCRATCH_KEEP_BYTES of
 * which the call used less than a quarter is freed, and the C library asked to return what it
 * holds free. Repeated large calls keep their memory (no
 * reallocation per call); the first small call after a large one gives it back.
 */
#pragma once

#include <malloc.h>

#include <cstddef>
#include <vector>

namespace iphlp {

constexpr size_t SCRATCH_KEEP_BYTES = 256 * 1024;

template <typename T> void release_if_oversized(std::vector<T> &scratch, size_t used)
{
    if (scratch.capacity() * sizeof(T) <= SCRATCH_KEEP_BYTES || used >= scratch.capacity() / 4) return;
    std::vector<T>().swap(scratch);
    /* glibc raises its mmap threshold as large blocks are freed, so the smaller ones of a large
     * call (sort keys, text) come from the thread's arena and stay there when freed; hand them
     * back too. Rare: only the first small call after a large one gets here. */
    malloc_trim(0);
}

/* release_if_oversized(scratch, scratch.size()) when the scope ends, whichever way it ends. */
template <typename T> class ScratchScope
{
  public:
    explicit ScratchScope(std::vector<T> &scratch) : scratch_(scratch) {}
    ~ScratchScope() { release_if_oversized(scratch_, scratch_.size()); }
    ScratchScope(const ScratchScope &) = delete;
    ScratchScope &operator=(const ScratchScope &) = delete;

  private:
    std::vector<T> &scratch_;
};

} // namespace iphlp
