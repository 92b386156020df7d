// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The fallback reader: /proc/net/{tcp,udp}{,6} when netlink is refused (seccomp sandboxes, kernels
 * without inet_diag). Each file is read whole with read() into a reused buffer and scanned in
 * place: no stdio, no per-line allocation, no sscanf (6x slower on 20,000 lines even one line at a
 * time; on the whole buffer glibc strlen()s the rest of the text on every call, quadratic).
 */
#include "sockets.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include <arpa/inet.h>
#include <fcntl.h>
#include <unistd.h>

#include "ipv6_scope.h"
#include "proc_text.h"
#include "scratch_buffer.h"

namespace iphlp {
namespace {

using namespace proc_text;

/*
 * "local_address:port": each 32-bit word of the address printed with %08X as the CPU loaded it
 * from the socket (so 127.0.0.1 is 0100007F on little-endian), the port with %04X in host order.
 * Storing the parsed word back the same way restores the original bytes on any CPU.
 */
bool endpoint(const char *&p, const char *end, size_t words, uint8_t *addr, uint16_t &port)
{
    for (size_t i = 0; i < words; ++i)
    {
        uint32_t word;
        if (!hex_fixed(p, end, 8, word)) return false;
        memcpy(addr + 4 * i, &word, sizeof(word));
    }
    uint32_t host_port;
    if (!literal(p, end, ':') || !hex_fixed(p, end, 4, host_port)) return false;
    port = htons(static_cast<uint16_t>(host_port));
    return field_end(p, end);
}

/*
 * One socket line, up to the inode; the columns after it differ between TCP and UDP and are not
 * needed. Request sockets and TIME_WAIT sockets print the same leading columns, inode 0.
 *   "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000  0 12345 ..."
 *     sl   local         remote        st tx:rx             tr:when     retrnsmt  uid timeout inode
 */
bool parse_line(const char *p, const char *end, size_t words, SocketRecord &rec, uint32_t &state)
{
    uint64_t slot;
    if (!spaces(p, end) || !decimal(p, end, slot) || !literal(p, end, ':')) return false;
    if (!spaces(p, end) || !endpoint(p, end, words, rec.row.local_addr, rec.row.local_port)) return false;
    if (!spaces(p, end) || !endpoint(p, end, words, rec.row.remote_addr, rec.row.remote_port)) return false;
    if (!spaces(p, end) || !hex_fixed(p, end, 2, state) || !field_end(p, end)) return false;
    for (int skipped = 0; skipped < 5; ++skipped) /* tx:rx tr:when retrnsmt uid timeout */
        if (!skip_field(p, end)) return false;
    return spaces(p, end) && decimal(p, end, rec.inode) && field_end(p, end);
}

const char *proc_net_path(const SocketQuery &query)
{
    bool v6 = query.family == IPHLP_INET6;
    if (query.family != IPHLP_INET4 && !v6) return nullptr;
    if (query.proto == IPHLP_TCP) return v6 ? "/proc/net/tcp6" : "/proc/net/tcp";
    if (query.proto == IPHLP_UDP) return v6 ? "/proc/net/udp6" : "/proc/net/udp";
    return nullptr;
}

/* The whole file in one buffer, grown as needed and kept for the next call. Large reads let
 * seq_file hand over many lines per system call. */
int read_whole_file(const char *path, std::vector<char> &buf, size_t &len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -errno;
    if (buf.size() < 64 * 1024) buf.resize(64 * 1024);
    len = 0;
    int ret = 0;
    for (;;)
    {
        if (len == buf.size()) buf.resize(buf.size() * 2);
        ssize_t n = read(fd, buf.data() + len, buf.size() - len);
        if (n > 0)
            len += static_cast<size_t>(n);
        else if (n == 0)
            break;
        else if (errno != EINTR)
        {
            ret = -errno;
            break;
        }
    }
    close(fd);
    return ret;
}

/* Only the local address matters: it is what apply_link_local_scopes() looks up. */
bool has_link_local(const SocketRecord *first, const SocketRecord *last)
{
    for (; first != last; ++first)
        if (is_ipv6_link_local(first->row.local_addr)) return true;
    return false;
}

/* The Linux state of each record parse_proc_net keeps, by position from its first record: two
 * Linux states (SYN_RECV, NEW_SYN_RECV) map to one MIB state, and must still tell sockets
 * apart. */
thread_local std::vector<uint8_t> linux_states;

int compare_identity(const SocketRecord &a, uint8_t state_a, const SocketRecord &b, uint8_t state_b)
{
    if (int c = memcmp(a.row.local_addr, b.row.local_addr, sizeof(a.row.local_addr))) return c;
    if (int c = memcmp(a.row.remote_addr, b.row.remote_addr, sizeof(a.row.remote_addr))) return c;
    if (a.row.local_port != b.row.local_port) return a.row.local_port < b.row.local_port ? -1 : 1;
    if (a.row.remote_port != b.row.remote_port) return a.row.remote_port < b.row.remote_port ? -1 : 1;
    if (a.inode != b.inode) return a.inode < b.inode ? -1 : 1;
    if (state_a != state_b) return state_a < state_b ? -1 : 1;
    return 0;
}

/*
 * The /proc/net files are printed by a seq_file that walks the kernel's hash tables over several
 * read() calls and resumes each by position; when sockets come and go in between (TIME_WAIT
 * churn), some lines come twice (seen as duplicate TIME_WAIT rows with netlink refused).
 * A socket is its 4-tuple, inode (0 for TIME_WAIT and request sockets, which the 4-tuple names
 * alone) and Linux state; the first copy is kept, and the order of the rest.
 */
void drop_duplicates(SocketBuffer &out, size_t first)
{
    const size_t n = out.size() - first;
    if (n < 2) return;
    thread_local std::vector<uint32_t> order;
    order.resize(n);
    for (size_t i = 0; i < n; ++i) order[i] = uint32_t(i);
    const SocketRecord *rec = out.data() + first;
    const uint8_t *st = linux_states.data();
    std::sort(order.begin(), order.end(), [rec, st](uint32_t a, uint32_t b) {
        int c = compare_identity(rec[a], st[a], rec[b], st[b]);
        return c != 0 ? c < 0 : a < b;
    });
    thread_local std::vector<uint8_t> dup;
    dup.assign(n, 0);
    bool any = false;
    for (size_t i = 1; i < n; ++i)
        if (compare_identity(rec[order[i - 1]], st[order[i - 1]], rec[order[i]], st[order[i]]) == 0)
        {
            dup[order[i]] = 1;
            any = true;
        }
    release_if_oversized(order, n);
    if (any)
    {
        size_t kept = first;
        for (size_t i = 0; i < n; ++i)
            if (!dup[i]) out[kept++] = out[first + i];
        out.resize(kept);
    }
    release_if_oversized(dup, n);
}

} // namespace

/*
 * The first line is the column header and is skipped unread. Every line must end with '\n', as
 * the kernel prints them: a text that stops mid-line (or is empty, without even the header) is
 * truncated. A bad line stops the scan with -EBADMSG; the records before it stay in `out`.
 */
int parse_proc_net(const char *text, size_t len, const SocketQuery &query, SocketBuffer &out)
{
    if (len == 0) return -EBADMSG;
    const char *end = text + len;
    auto eol = static_cast<const char *>(memchr(text, '\n', len));
    if (!eol) return -EBADMSG;

    size_t words = query.family == IPHLP_INET6 ? 4 : 1;
    bool tcp = query.proto == IPHLP_TCP;
    const size_t first = out.size();
    linux_states.clear();
    uint32_t state_mask = linux_state_mask(query);
    for (const char *line = eol + 1; line < end; line = eol + 1)
    {
        eol = static_cast<const char *>(memchr(line, '\n', static_cast<size_t>(end - line)));
        if (!eol) return -EBADMSG;
        /* Parse into the buffer's next slot and drop it if filtered out: no temporary copy. */
        SocketRecord &rec = out.emplace_back();
        uint32_t state;
        if (!parse_line(line, eol, words, rec, state))
        {
            out.pop_back();
            drop_duplicates(out, first);
            return -EBADMSG;
        }
        if (tcp && (state >= 32 || !(state_mask >> state & 1)))
        {
            out.pop_back();
            continue;
        }
        if (tcp) rec.row.state = mib_tcp_state_from_linux(state);
        linux_states.push_back(uint8_t(state));
    }
    drop_duplicates(out, first);
    release_if_oversized(linux_states, linux_states.size());
    return 0;
}

int read_sockets_procfs(const SocketQuery &query, SocketBuffer &out)
{
    const char *path = proc_net_path(query);
    if (!path) return -EINVAL;

    thread_local std::vector<char> text;
    size_t len;
    if (int ret = read_whole_file(path, text, len)) return ret;
    size_t first = out.size();
    int ret = parse_proc_net(text.data(), len, query, out);
    release_if_oversized(text, len);
    if (ret) return ret;

    /* Scope ids cost another file, so only when a link-local socket is there to need them. They
     * are a detail of the row, not worth losing the table over: if /proc/net/if_inet6 cannot be
     * read they stay 0, and a malformed line only hides the addresses listed after it. */
    if (query.family != IPHLP_INET6 || !has_link_local(out.data() + first, out.data() + out.size())) return 0;
    thread_local InterfaceAddresses interfaces;
    interfaces.clear();
    if (read_whole_file("/proc/net/if_inet6", text, len) == 0) parse_if_inet6(text.data(), len, interfaces);
    apply_link_local_scopes(interfaces, out.data() + first, out.data() + out.size());
    return 0;
}

} // namespace iphlp
