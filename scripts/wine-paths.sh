# SPDX-License-Identifier: LGPL-2.1-or-later
# Where Debian's Wine keeps its files (the same in Wine 8.0 and 10.0), per Unix architecture.
# The one place these paths are written: scripts/wine.sh sources this file and
# cmake/wine.cmake reads it.
WINE_LIBDIR_x86_64=/usr/lib/x86_64-linux-gnu/wine
WINE_LIBDIR_i386=/usr/lib/i386-linux-gnu/wine
