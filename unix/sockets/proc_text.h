// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Field scanners for the fixed-format text of /proc/net/{tcp,udp}{,6} and /proc/net/if_inet6.
 * Every function takes the end of the line and never reads past it, so a truncated or garbled
 * line fails the scan instead of running into the next line or off the buffer.
 */
#pragma once

#include <cstddef>
#include <cstdint>

namespace iphlp::proc_text {

struct HexDigits
{
    int8_t value[256];
    constexpr HexDigits() : value{}
    {
        for (int c = 0; c < 256; ++c) value[c] = -1;
        for (int c = 0; c < 10; ++c) value['0' + c] = static_cast<int8_t>(c);
        for (int c = 0; c < 6; ++c) value['a' + c] = value['A' + c] = static_cast<int8_t>(10 + c);
    }
};
inline constexpr HexDigits hex_digits;

inline int hex_value(char c) { return hex_digits.value[static_cast<unsigned char>(c)]; }

/* Exactly `digits` (<= 8) hex digits: the kernel prints these fields zero-padded (%08X, %04X). */
inline bool hex_fixed(const char *&p, const char *end, size_t digits, uint32_t &value)
{
    if (static_cast<size_t>(end - p) < digits) return false;
    uint32_t v = 0;
    for (size_t i = 0; i < digits; ++i)
    {
        int d = hex_value(p[i]);
        if (d < 0) return false;
        v = v << 4 | static_cast<uint32_t>(d);
    }
    p += digits;
    value = v;
    return true;
}

/* 1 to 8 hex digits (fields printed with %02x that grow past two digits). */
inline bool hex_var(const char *&p, const char *end, uint32_t &value)
{
    const char *start = p;
    uint32_t v = 0;
    int d;
    while (p < end && p - start < 8 && (d = hex_value(*p)) >= 0)
    {
        v = v << 4 | static_cast<uint32_t>(d);
        ++p;
    }
    value = v;
    return p > start && (p == end || hex_value(*p) < 0);
}

/* A decimal number of at least one digit that fits in 64 bits. */
inline bool decimal(const char *&p, const char *end, uint64_t &value)
{
    const char *start = p;
    uint64_t v = 0;
    while (p < end && *p >= '0' && *p <= '9')
    {
        uint64_t d = static_cast<uint64_t>(*p - '0');
        if (v > (UINT64_MAX - d) / 10) return false;
        v = v * 10 + d;
        ++p;
    }
    value = v;
    return p > start;
}

inline bool literal(const char *&p, const char *end, char c)
{
    if (p == end || *p != c) return false;
    ++p;
    return true;
}

/* Fields are separated by one or more spaces; false if the line ends instead. */
inline bool spaces(const char *&p, const char *end)
{
    while (p < end && *p == ' ') ++p;
    return p < end;
}

/* Skip one space-separated field we do not use (plus the spaces before it). */
inline bool skip_field(const char *&p, const char *end)
{
    if (!spaces(p, end)) return false;
    while (p < end && *p != ' ') ++p;
    return true;
}

/* The field just scanned must end here: at a space or at the end of the line. */
inline bool field_end(const char *p, const char *end) { return p == end || *p == ' '; }

} // namespace iphlp::proc_text
