// SPDX-License-Identifier: LGPL-2.1-or-later
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
 *    bytes the callee popped. On i386 every call goes through that stub (see call()), so the
 *    probe's answer is only reported there.
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
#define UNIX_CC    __attribute__((sysv_abi))

/* void iphlp_call_two_abis(fn, sysv_arg1, sysv_arg2, win_arg1, win_arg2)
 * entry (SysV): rdi=fn rsi=sysv_arg1 rdx=sysv_arg2 rcx=win_arg1 r8=win_arg2 */
asm(".text\n"
    ".p2align 4\n"
    ".type iphlp_call_two_abis,@function\n"
    "iphlp_call_two_abis:\n"
    "  push %rbp\n"
    "  mov %rsp, %rbp\n"
    "  and $-16, %rsp\n"
    "  sub $32, %rsp\n" /* home space for a Windows callee; rsp stays 16-aligned */
    "  mov %rdi, %rax\n"
    "  mov %rsi, %rdi\n" /* SysV arg 1 */
    "  mov %rdx, %rsi\n" /* SysV arg 2 */
    "  mov %r8, %rdx\n"  /* Windows arg 2 (arg 1 is already in rcx) */
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

/* int32_t iphlp_call_stack(fn, args, count): calls fn(args[0], ..., args[count - 1]) and
 * returns what it returns, with this function's stack pointer restored afterwards whether fn
 * popped its arguments (stdcall) or left them (cdecl). The bytes fn popped go to *popped. */
asm(".text\n"
    ".p2align 4\n"
    ".type iphlp_call_stack,@function\n"
    "iphlp_call_stack:\n"
    "  push %ebp\n"
    "  mov %esp, %ebp\n"
    "  push %ebx\n"
    "  push %esi\n"
    "  push %edi\n"
    "  mov 12(%ebp), %ebx\n" /* args */
    "  mov 16(%ebp), %ecx\n" /* count */
    "  mov %ecx, %eax\n"
    "  shl $2, %eax\n"
    "  mov %esp, %edx\n"
    "  sub %eax, %edx\n"
    "  and $-16, %edx\n" /* 16-aligned once the arguments are pushed */
    "  add %eax, %edx\n"
    "  mov %edx, %esp\n"
    "1: test %ecx, %ecx\n"
    "  jz 2f\n"
    "  dec %ecx\n"
    "  push (%ebx,%ecx,4)\n"
    "  jmp 1b\n"
    "2: mov %esp, %esi\n" /* esi and edi are preserved by both conventions */
    "  call *8(%ebp)\n"
    "  mov %esp, %edx\n"
    "  sub %esi, %edx\n"
    "  mov 20(%ebp), %ecx\n"
    "  test %ecx, %ecx\n"
    "  jz 3f\n"
    "  mov %edx, (%ecx)\n"
    "3: lea -12(%ebp), %esp\n"
    "  pop %edi\n"
    "  pop %esi\n"
    "  pop %ebx\n"
    "  pop %ebp\n"
    "  ret\n"
    ".size iphlp_call_stack, .-iphlp_call_stack\n");
extern "C" int32_t iphlp_call_stack(void (*fn)(), const uint32_t *args, uint32_t count, int32_t *popped);

static wine::NtdllAbi probe_abi()
{
    int64_t counter = 0, frequency = 0;
    int32_t popped = -1;
    const uint32_t args[] = {(uint32_t)(uintptr_t)&counter, (uint32_t)(uintptr_t)&frequency};
    iphlp_call_stack(NtQueryPerformanceCounter, args, 2, &popped);
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
    if (ntdll_abi() == NtdllAbi::unknown) return STATUS_NOT_SUPPORTED;
#if defined(__i386__)
    /* The convention differs between the functions of one ntdll.so, not only between Wines:
     * Wine 8.0's Nt* functions are stdcall but its wine_server_* helpers cdecl (a stdcall call
     * of wine_server_handle_to_fd returned to a garbage address). On i386 every argument is a
     * stack slot either way, so each call goes through the stub that restores the stack
     * pointer itself, and needs no per-function knowledge. */
    static_assert(((sizeof(Args) == 4) && ...), "i386 ntdll.so calls take 32-bit arguments only");
    const uint32_t values[] = {(uint32_t)(uintptr_t)args..., 0};
    return iphlp_call_stack(fn, values, sizeof...(Args), nullptr);
#else
    /* x86_64 has one convention per Wine for every export (ms_abi on 8.0, SysV on 10.0).
     * Launder the address: GCC calls a cast of a known function with that function's declared
     * convention (SysV here) and ignores the pointer type's (checked with objdump on GCC 12). */
    void *address = reinterpret_cast<void *>(fn);
    asm("" : "+r"(address));
    typedef NTSTATUS(WINDOWS_CC * windows_fn)(Args...);
    typedef NTSTATUS(UNIX_CC * unix_fn)(Args...);
    if (ntdll_abi() == NtdllAbi::windows) return reinterpret_cast<windows_fn>(address)(args...);
    return reinterpret_cast<unix_fn>(address)(args...);
#endif
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
