# Unit tests of the persistent reservation store (unix/reservation_*.cpp and friends). Each test
# works in its own mkdtemp directory with a fake boot id and a fake kernel reserved-port list.
add_library(reservation_test_util STATIC reservation_test_util.cpp)
target_link_libraries(reservation_test_util PUBLIC iphlp_core)

foreach(name rules concurrency crash corrupt boot_token kernel shared_kernel latency sysctl kill lock port_use fault paths upgrade)
    iphlp_unit_test(test_reservation_${name} test_reservation_${name}.cpp)
    target_link_libraries(test_reservation_${name} PRIVATE reservation_test_util)
    # 77: some tests need root and were skipped, with the reason in the output (test_exit()).
    set_tests_properties(test_reservation_${name} PROPERTIES TIMEOUT 120 SKIP_RETURN_CODE 77)
endforeach()
# Tests that write the real /proc/sys/net/ipv4/ip_local_reserved_ports do it only after
# unshare(CLONE_NEWNET), in a namespace of their own: never the host's list.
