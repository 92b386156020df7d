# Where Debian's Wine 8.0 keeps what the Unix side links against and what the PE side marks.
set(WINE_LIBDIR "/usr/lib/x86_64-linux-gnu/wine" CACHE PATH "Wine's library directory")
set(WINE_UNIX_DIR "${WINE_LIBDIR}/x86_64-unix")
set(WINE_PE_DIR "${WINE_LIBDIR}/x86_64-windows")
find_program(WINEBUILD winebuild PATHS /usr/lib/wine REQUIRED)
find_file(WINE_NTDLL_SO ntdll.so PATHS ${WINE_UNIX_DIR} NO_DEFAULT_PATH REQUIRED)
find_file(WINE_IPHLPAPI_DLL iphlpapi.dll PATHS ${WINE_PE_DIR} NO_DEFAULT_PATH REQUIRED)
find_program(WINE_PROGRAM wine REQUIRED)
