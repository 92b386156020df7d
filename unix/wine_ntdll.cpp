/*
 * Calling ntdll.so with the convention the running Wine uses (see wine_ntdll.h).
 *
 * The probe calls NtQueryPerformanceCounter(counter, frequency) through a small assembly stub
 * that hands over two different pairs of pointers at once, one where each convention looks
 * for its arguments, so the call is harmless under either:
 *  - x86_64: the SysV pair in rdi/rsi and the Windows pair in rcx/rdx, with the 32 bytes of
 *    home space a Windows callee may write. Whichever frequency gets written names the
 *    convention. Registers: both conventions preserve rbx, rbp and r12-r15; everything else is
 *    caller-saved for our SysV caller of the stub.
 *  - i386: both conventions read the arguments from the stack; stdcall pops them, cdecl does
 *    not. The stub keeps its own stack pointer in a callee-saved register and reports how many
 *    bytes the callee popped.
 * Measured: Wine 8.0 (Debian 8.0~repack-4) answers "windows" on both, Wine 10.0 (Debian
 * 10.0~repack-6) "unix" (docs/design.md, "Calling into ntdll.so").
 */
#include "wine_ntdll.h"

#include <cstdio>
#include <cstdlib>

extern "C" {
/* ntdll.so's exports, declared without a type: they are only called through the typed
 * pointers of call() below. Linking ntdll.so (NEEDED) resolves them to the copy Wine loaded. */
void NtQueryPerformanceCounter();
void NtQuerySystemInformation();
void NtQueryInformationProcess();
void NtOpenProcess();
void NtDuplicateObject();
void NtClose();
void wine_server_handle_to_fd();
}

#if defined(__x86_64__)

#define WINDOWS_CC __attribute__((ms_abi))
#define UNIX_CC __attribute__((sysv_abi))

/* void iphlp_call_two_abis(fn, sysv_arg1, sysv_arg2, win_arg1, win_arg2)
 * entry (SysV): rdi=fn rsi=sysv_arg1 rdx=sysv_arg2 rcx=win_arg1 r8=win_arg2 */
asm(".text\n"
    ".p2align 4\n"
    ".type iphlp_call_two_abis,@function\n"
    "iphlp_call_two_abis:\n"
    "  push %rbp\n"
    "  mov %rsp, %rbp\n"
    "  and $-16, %rsp\n"
    "  sub $32, %rsp\n"      /* home space for a Windows callee; rsp stays 16-aligned */
    "  mov %rdi, %rax\n"
    "  mov %rsi, %rdi\n"     /* SysV arg 1 */
    "  mov %rdx, %rsi\n"     /* SysV arg 2 */
    "  mov %r8, %rdx\n"      /* Windows arg 2 (arg 1 is already in rcx) */
    "  call *%rax\n"
    "  mov %rbp, %rsp\n"
    "  pop %rbp\n"
    "  ret\n"
    ".size iphlp_call_two_abis, .-iphlp_call_two_abis\n");
extern "C" void iphlp_call_two_abis(void (*fn)(), void *sysv1, void *sysv2, void *win1, void *win2);

static wine::NtdllAbi probe_abi()
{
    int64_t unix_counter = 0, unix_frequency = 0, win_counter = 0, win_frequency = 0;
    iphlp_call_two_abis(NtQueryPerformanceCounter, &unix_counter, &unix_frequency, &win_counter, &win_frequency);
    if (win_frequency > 0 && !unix_frequency) return wine::NtdllAbi::windows;
    if (unix_frequency > 0 && !win_frequency) return wine::NtdllAbi::unix;
    return wine::NtdllAbi::unknown;
}

#elif defined(__i386__)

#define WINDOWS_CC __attribute__((stdcall))
#define UNIX_CC __attribute__((cdecl))

/* int iphlp_popped_by(fn, arg1, arg2): calls fn(arg1, arg2), returns the bytes fn popped. */
asm(".text\n"
    ".p2align 4\n"
    ".type iphlp_popped_by,@function\n"
    "iphlp_popped_by:\n"
    "  push %ebp\n"
    "  mov %esp, %ebp\n"
    "  push %ebx\n"
    "  push %esi\n"
    "  push %edi\n"
    "  and $-16, %esp\n"
    "  sub $8, %esp\n"       /* with the two pushes below, 16-aligned at the call */
    "  push 16(%ebp)\n"
    "  push 12(%ebp)\n"
    "  mov %esp, %esi\n"     /* esi is preserved by both conventions */
    "  call *8(%ebp)\n"
    "  mov %esp, %eax\n"
    "  sub %esi, %eax\n"
    "  lea -12(%ebp), %esp\n"
    "  pop %edi\n"
    "  pop %esi\n"
    "  pop %ebx\n"
    "  pop %ebp\n"
    "  ret\n"
    ".size iphlp_popped_by, .-iphlp_popped_by\n");
extern "C" int iphlp_popped_by(void (*fn)(), void *arg1, void *arg2);

static wine::NtdllAbi probe_abi()
{
    int64_t counter = 0, frequency = 0;
    int popped = iphlp_popped_by(NtQueryPerformanceCounter, &counter, &frequency);
    if (frequency <= 0) return wine::NtdllAbi::unknown;
    if (popped == 8) return wine::NtdllAbi::windows;
    if (popped == 0) return wine::NtdllAbi::unix;
    return wine::NtdllAbi::unknown;
}

#endif

namespace wine {

NtdllAbi ntdll_abi()
{
    static const NtdllAbi abi = [] {
        NtdllAbi found = probe_abi();
        if (found == NtdllAbi::unknown)
            fprintf(stderr, "iphlp: cannot tell the calling convention of Wine's ntdll.so; owning PIDs are not "
                            "available\n");
        else if (const char *debug = getenv("IPHLP_DEBUG"); debug && *debug == '1')
            fprintf(stderr, "iphlp: ntdll.so uses the %s calling convention\n", ntdll_abi_name(found));
        return found;
    }();
    return abi;
}

const char *ntdll_abi_name(NtdllAbi abi)
{
    switch (abi)
    {
    case NtdllAbi::windows: return "windows";
    case NtdllAbi::unix: return "unix";
    default: return "unknown";
    }
}

namespace {

template <typename... Args> NTSTATUS call(void (*fn)(), Args... args)
{
    /* Launder the address: GCC calls a cast of a known function with that function's declared
     * convention (SysV here) and ignores the pointer type's (checked with objdump on GCC 12). */
    void *address = reinterpret_cast<void *>(fn);
    asm("" : "+r"(address));
    typedef NTSTATUS(WINDOWS_CC * windows_fn)(Args...);
    typedef NTSTATUS(UNIX_CC * unix_fn)(Args...);
    switch (ntdll_abi())
    {
    case NtdllAbi::windows: return reinterpret_cast<windows_fn>(address)(args...);
    case NtdllAbi::unix: return reinterpret_cast<unix_fn>(address)(args...);
    default: return STATUS_NOT_SUPPORTED;
    }
}

} // namespace

NTSTATUS query_system_information(uint32_t cls, void *info, uint32_t len, uint32_t *ret_len)
{
    return call(NtQuerySystemInformation, cls, info, len, ret_len);
}

NTSTATUS query_information_process(HANDLE process, uint32_t cls, void *info, uint32_t len, uint32_t *ret_len)
{
    return call(NtQueryInformationProcess, process, cls, info, len, ret_len);
}

NTSTATUS open_process(HANDLE *process, uint32_t access, ObjectAttributes *attr, ClientId *id)
{
    return call(NtOpenProcess, process, access, attr, id);
}

NTSTATUS duplicate_object(HANDLE source_process, HANDLE source, HANDLE dest_process, HANDLE *dest, uint32_t access,
                          uint32_t attributes, uint32_t options)
{
    return call(NtDuplicateObject, source_process, source, dest_process, dest, access, attributes, options);
}

NTSTATUS close_handle(HANDLE handle) { return call(NtClose, handle); }

NTSTATUS server_handle_to_fd(HANDLE handle, uint32_t access, int *unix_fd, uint32_t *options)
{
    return call(wine_server_handle_to_fd, handle, access, unix_fd, options);
}

} // namespace wine
