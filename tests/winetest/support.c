/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What Wine's PE tests take from Wine's libwinecrt0.a: __wine_dbg_strdup, which the debug
 * string helpers (wine_dbgstr_*) of wine/debug.h return their text through. A copy on the heap
 * per call: a test program's handful of messages, freed at exit.
 */
#include <stdlib.h>
#include <string.h>

const char *__cdecl __wine_dbg_strdup(const char *str)
{
    size_t len = strlen(str) + 1;
    char *copy = malloc(len);
    if (!copy) return "(out of memory)";
    memcpy(copy, str, len);
    return copy;
}
