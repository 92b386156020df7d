# Persistent port reservations: the Windows rules (reservation_store), the connection and its
# cache (reservation_db), creating and vetting the file (reservation_file), the schema
# (reservation_schema), error reporting (reservation_errors), kernel mirror bookkeeping
# (reservation_mirror) and the kernel's list itself (kernel_reserved_ports), tokens
# (boot_token) and the default paths (reservation_config).
target_sources(iphlp_core PRIVATE
    reservation_store.cpp
    reservation_db.cpp
    reservation_file.cpp
    reservation_schema.cpp
    reservation_errors.cpp
    reservation_mirror.cpp
    kernel_reserved_ports.cpp
    boot_token.cpp
    reservation_config.cpp)
# std::mutex and pthread_atfork (reservation_db.cpp).
find_package(Threads REQUIRED)
target_link_libraries(iphlp_core PUBLIC Threads::Threads)
target_sources(iphlp_core PRIVATE reservation_lock.cpp)
target_sources(iphlp_core PRIVATE port_use.cpp)
