// SPDX-License-Identifier: LGPL-2.1-or-later
/* Where the store lives by default: inside the Wine prefix, next to the registry files that
 * hold Windows' own persistent state. */
#include "reservation_rules.h"
#include "reservation_lock.h"

#include <cstdlib>
#include <pwd.h>
#include <unistd.h>

namespace iphlp {

static std::string env(const char *name)
{
    const char *value = getenv(name);
    return value ? value : "";
}

/* Wine's own rule: $HOME, else the password database. */
static std::string home_dir()
{
    std::string home = env("HOME");
    if (!home.empty()) return home;
    struct passwd pw, *found = nullptr;
    char buf[4096];
    if (getpwuid_r(getuid(), &pw, buf, sizeof(buf), &found) == 0 && found) return found->pw_dir;
    return ".";
}

StoreConfig default_store_config()
{
    StoreConfig cfg;
    cfg.db_path = env("IPHLP_RESERVATION_DB");
    if (cfg.db_path.empty())
    {
        std::string prefix = env("WINEPREFIX");
        if (prefix.empty()) prefix = home_dir() + "/.wine";
        cfg.db_path = prefix + "/iphlp-reservations.sqlite3";
    }
    cfg.boot_id_path = "/proc/sys/kernel/random/boot_id";
    cfg.kernel_reserved_path = "/proc/sys/net/ipv4/ip_local_reserved_ports";
    cfg.port_range_path = "/proc/sys/net/ipv4/ip_local_port_range";
    cfg.lock_dir = default_lock_dir();
    return cfg;
}

} // namespace iphlp
