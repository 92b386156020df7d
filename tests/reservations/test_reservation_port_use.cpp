// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * "In use" for Create (port_use.h), against real sockets in a private network namespace (so no
 * host socket is in the way). Before issue 8 a TCP socket that was bound but not listening was
 * not in use: Create on its port returned 0 while a second bind() failed with EADDRINUSE.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
extern "C" {
#include <cmocka.h>
}

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "port_use.h"
#include "reservation_test_util.h"

using namespace iphlp;

namespace {

int bound(int family, int type, uint16_t port)
{
    int fd = socket(family, type | SOCK_CLOEXEC, 0);
    assert_true(fd >= 0);
    int rc;
    if (family == AF_INET)
    {
        struct sockaddr_in a;
        memset(&a, 0, sizeof(a));
        a.sin_family = AF_INET;
        a.sin_port = htons(port);
        rc = bind(fd, reinterpret_cast<sockaddr *>(&a), sizeof(a));
    }
    else
    {
        struct sockaddr_in6 a;
        memset(&a, 0, sizeof(a));
        a.sin6_family = AF_INET6;
        a.sin6_port = htons(port);
        int on = 1;
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on));
        rc = bind(fd, reinterpret_cast<sockaddr *>(&a), sizeof(a));
    }
    assert_int_equal(rc, 0);
    return fd;
}

void bound_tcp_sockets_hold_their_port(void **)
{
    for (int family : {AF_INET, AF_INET6})
    {
        int fd = bound(family, SOCK_STREAM, 45000);
        assert_int_equal(ports_in_use(IPHLP_TCP, 45000, 45000), PortUse::in_use);
        assert_int_equal(ports_in_use(IPHLP_TCP, 44990, 45010), PortUse::in_use);
        assert_int_equal(ports_in_use(IPHLP_TCP, 45001, 45010), PortUse::free);
        /* Through the store, as Windows answers: 32. */
        restest::Fixture fx;
        fx.cfg.port_in_use = ports_in_use;
        uint64_t token = 0;
        assert_int_equal(reservation_create(fx.cfg, IPHLP_TCP, 45000, 1, &token), WIN_ERROR_SHARING_VIOLATION);
        /* The probe left the port as it was: the holder can still listen. */
        assert_int_equal(listen(fd, 1), 0);
        assert_int_equal(ports_in_use(IPHLP_TCP, 45000, 45000), PortUse::in_use);
        close(fd);
        assert_int_equal(ports_in_use(IPHLP_TCP, 45000, 45000), PortUse::free);
        assert_int_equal(reservation_create(fx.cfg, IPHLP_TCP, 45000, 1, &token), WIN_NO_ERROR);
    }
}

void udp_sockets_and_the_other_protocol(void **)
{
    int fd = bound(AF_INET, SOCK_DGRAM, 46000);
    assert_int_equal(ports_in_use(IPHLP_UDP, 46000, 46000), PortUse::in_use);
    assert_int_equal(ports_in_use(IPHLP_TCP, 46000, 46000), PortUse::free); /* separate port spaces */
    close(fd);
    assert_int_equal(ports_in_use(IPHLP_UDP, 46000, 46000), PortUse::free);
}

} // namespace

int main(void)
{
    if (!restest::enter_private_netns()) printf("  no private network namespace: running among the host's sockets\n");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bound_tcp_sockets_hold_their_port),
        cmocka_unit_test(udp_sockets_and_the_other_protocol),
    };
    return cmocka_run_group_tests(tests, nullptr, nullptr);
}
