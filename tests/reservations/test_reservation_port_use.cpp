// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * "In use" for Create (port_use.h), against real sockets in a private network namespace (so no
 * host socket is in the way). A TCP socket that is bound but not listening is in use: were it
 * not, Create on its port would return 0 while a second bind() fails with EADDRINUSE.
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
#include <cstdlib>
#include <cstring>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "port_use.h"
#include "reservation_test_util.h"

using namespace iphlp;

namespace {

/* Where a holder binds: the address kinds a program uses. */
struct AddressKind
{
    const char *name;
    int family;
    const char *addr;
    bool v6only;
};
const AddressKind address_kinds[] = {
    {"0.0.0.0", AF_INET, "0.0.0.0", false},     {"127.0.0.1", AF_INET, "127.0.0.1", false},
    {"[::] dual-stack", AF_INET6, "::", false}, {"[::] v6-only", AF_INET6, "::", true},
    {"[::1]", AF_INET6, "::1", true},
};

/* The socket options a holder sets; Wine sets SO_REUSEADDR on every Windows TCP socket. */
struct HolderKind
{
    const char *name;
    bool reuseaddr, reuseport;
};
const HolderKind holder_kinds[] = {
    {"plain", false, false},
    {"SO_REUSEADDR", true, false},
    {"SO_REUSEPORT", false, true},
    {"SO_REUSEADDR+SO_REUSEPORT", true, true},
};

int holder(const AddressKind &where, const HolderKind &how, int type, uint16_t port)
{
    int fd = socket(where.family, type | SOCK_CLOEXEC, 0);
    assert_true(fd >= 0);
    const int on = 1, off = 0;
    if (how.reuseaddr) assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)), 0);
    if (how.reuseport) assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof(on)), 0);
    int rc;
    if (where.family == AF_INET)
    {
        struct sockaddr_in a;
        memset(&a, 0, sizeof(a));
        a.sin_family = AF_INET;
        a.sin_port = htons(port);
        assert_int_equal(inet_pton(AF_INET, where.addr, &a.sin_addr), 1);
        rc = bind(fd, reinterpret_cast<sockaddr *>(&a), sizeof(a));
    }
    else
    {
        struct sockaddr_in6 a;
        memset(&a, 0, sizeof(a));
        a.sin6_family = AF_INET6;
        a.sin6_port = htons(port);
        assert_int_equal(inet_pton(AF_INET6, where.addr, &a.sin6_addr), 1);
        assert_int_equal(setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, where.v6only ? &on : &off, sizeof(on)), 0);
        rc = bind(fd, reinterpret_cast<sockaddr *>(&a), sizeof(a));
    }
    assert_int_equal(rc, 0);
    return fd;
}

/* A plain holder on the wildcard address: 0.0.0.0, or [::] v6-only. */
int bound(int family, int type, uint16_t port)
{
    return holder(address_kinds[family == AF_INET ? 0 : 3], holder_kinds[0], type, port);
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

void check_every_holder();

/* Each holder kind on each address kind, TCP and UDP, bound and neither listening nor
 * connected: Create answers 32 as Windows does. Before, a probe bind with SO_REUSEADDR missed
 * every TCP holder that had set SO_REUSEADDR (every Windows program's socket under Wine). Both
 * ways: the kernel's bound-inactive dump, and the probe bind that stands in for it where the
 * tables come from /proc/net (IPHLP_FORCE_PROCFS, as in a sandbox that refuses netlink). */
void every_bound_holder_is_in_use(void **)
{
    for (const char *forced : {"0", "1"})
    {
        setenv("IPHLP_FORCE_PROCFS", forced, 1);
        check_every_holder();
    }
    unsetenv("IPHLP_FORCE_PROCFS");
}

void check_every_holder()
{
    restest::Fixture fx;
    fx.cfg.port_in_use = ports_in_use;
    static uint16_t port = 47000;
    int failures = 0;
    for (int type : {SOCK_STREAM, SOCK_DGRAM})
        for (const auto &where : address_kinds)
            for (const auto &how : holder_kinds)
            {
                const uint32_t proto = type == SOCK_STREAM ? IPHLP_TCP : IPHLP_UDP;
                int fd = holder(where, how, type, ++port);
                uint64_t token = 0;
                PortUse use = ports_in_use(proto, port, port);
                uint32_t created = reservation_create(fx.cfg, proto, port, 1, &token);
                if (use != PortUse::in_use || created != WIN_ERROR_SHARING_VIOLATION)
                {
                    printf("  %s %s %s port %u (procfs %s): in use %d, Create %u (want 32)\n",
                           type == SOCK_STREAM ? "TCP" : "UDP", where.name, how.name, unsigned(port),
                           getenv("IPHLP_FORCE_PROCFS"), int(use), created);
                    failures++;
                }
                close(fd);
                assert_int_equal(ports_in_use(proto, port, port), PortUse::free);
            }
    assert_int_equal(failures, 0);
}

/* A TIME_WAIT leftover does not keep a port from being reserved: Windows lets a new socket bind
 * such a port (docs/windows-behavior.md), and Create answered 0 there before this change too. */
void time_wait_is_not_in_use(void **)
{
    int listener = holder(address_kinds[1], holder_kinds[1], SOCK_STREAM, 48000);
    assert_int_equal(listen(listener, 1), 0);
    int client = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_port = htons(48000);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(client, reinterpret_cast<sockaddr *>(&a), sizeof(a)), 0);
    int server = accept(listener, nullptr, nullptr);
    assert_true(server >= 0);
    socklen_t len = sizeof(a);
    assert_int_equal(getsockname(client, reinterpret_cast<sockaddr *>(&a), &len), 0);
    const uint16_t client_port = ntohs(a.sin_port);
    close(client); /* the active closer keeps the TIME_WAIT */
    char c;
    assert_int_equal(read(server, &c, 1), 0);
    close(server);
    close(listener);
    usleep(100 * 1000);
    assert_int_equal(ports_in_use(IPHLP_TCP, client_port, client_port), PortUse::free);
}

/* A new network namespace has its loopback down: 127.0.0.1 and ::1 need it up. */
void loopback_up()
{
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    struct ifreq ifr;
    memset(&ifr, 0, sizeof(ifr));
    strcpy(ifr.ifr_name, "lo");
    if (fd >= 0 && ioctl(fd, SIOCGIFFLAGS, &ifr) == 0 && !(ifr.ifr_flags & IFF_UP))
    {
        ifr.ifr_flags |= IFF_UP;
        ioctl(fd, SIOCSIFFLAGS, &ifr);
    }
    if (fd >= 0) close(fd);
}

} // namespace

int main(void)
{
    if (!restest::enter_private_netns()) printf("  no private network namespace: running among the host's sockets\n");
    loopback_up();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bound_tcp_sockets_hold_their_port),
        cmocka_unit_test(udp_sockets_and_the_other_protocol),
        cmocka_unit_test(every_bound_holder_is_in_use),
        cmocka_unit_test(time_wait_is_not_in_use),
    };
    return cmocka_run_group_tests(tests, nullptr, nullptr);
}
