// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The barrier at every entry of iphlp_unix_funcs: nothing may unwind out of a Unix call
 * into Wine's dispatcher (it would abort the Windows process). bad_alloc becomes
 * STATUS_NO_MEMORY, anything else STATUS_INTERNAL_ERROR with one line on stderr.
 */
#pragma once

#include <cstdio>
#include <exception>
#include <new>

#include "wine_ntdll.h"

namespace iphlp {

using UnixEntry = wine::NTSTATUS (*)(void *);

template <UnixEntry entry> wine::NTSTATUS guarded(void *args) noexcept
{
    try
    {
        return entry(args);
    }
    catch (const std::bad_alloc &)
    {
        return wine::STATUS_NO_MEMORY;
    }
    catch (const std::exception &e)
    {
        fprintf(stderr, "iphlp: internal error in a Unix call: %s\n", e.what());
        return wine::STATUS_INTERNAL_ERROR;
    }
    catch (...)
    {
        fprintf(stderr, "iphlp: internal error in a Unix call\n");
        return wine::STATUS_INTERNAL_ERROR;
    }
}

} // namespace iphlp
