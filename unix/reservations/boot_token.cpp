// SPDX-License-Identifier: LGPL-2.1-or-later
/* Tokens from (boot id, row serial); the scheme is described in boot_token.h. */
#include "boot_token.h"

namespace iphlp {

static uint64_t splitmix64(uint64_t &state)
{
    uint64_t z = (state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

BootKey boot_key(const std::string &boot_id)
{
    uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a: spreads the whole id into one word */
    for (unsigned char c : boot_id) h = (h ^ c) * 0x100000001b3ull;
    BootKey key;
    for (uint64_t &k : key.k) k = splitmix64(h);
    return key;
}

uint64_t token_for_serial(const BootKey &key, int64_t serial)
{
    /* Every step is a bijection of [0, 2^63): adding a constant, multiplying by an odd constant
     * (both modulo 2^63) and x ^= x >> s. Their composition is therefore one too. */
    const uint64_t mask = (1ull << 63) - 1;
    static const uint64_t odd[3] = {0xd6e8feb86659fd93ull, 0xa0761d6478bd642full, 0xe7037ed1a0b428dbull};
    uint64_t x = static_cast<uint64_t>(serial) & mask;
    for (int round = 0; round < 3; round++)
    {
        x = (x + key.k[round]) & mask;
        x = (x * odd[round]) & mask;
        x ^= x >> 29;
    }
    return x | (1ull << 63);
}

} // namespace iphlp
