// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The few entry points of Wine's ntdll.so that the Unix side calls (owner resolution), and the
 * Windows structures they take. Debian ships Wine's Windows headers but not the ones for Unix
 * libraries (wine/unixlib.h, wine/server.h), so what is needed is declared here.
 *
 * Calling convention: ntdll.so's exports take their arguments the Windows way on Wine 8.0
 * (x86_64: ms_abi, arguments in rcx/rdx/r8/r9; i386: stdcall, the callee pops them) and the
 * native Unix way on Wine 10.0 (SysV; cdecl). Calling with the wrong one scrambles every
 * argument. One build must serve both, so the convention is probed once at run time
 * (wine_ntdll.cpp: a call that is safe under either convention and shows which one the callee
 * used), never guessed from a version string. docs/design.md, "Calling into ntdll.so".
 */
#pragma once

#include <cstdint>

namespace wine {

using NTSTATUS = int32_t;
using HANDLE = void *;

constexpr NTSTATUS STATUS_SUCCESS = 0;
constexpr NTSTATUS STATUS_BUFFER_OVERFLOW = (NTSTATUS)0x80000005;
constexpr NTSTATUS STATUS_UNSUCCESSFUL = (NTSTATUS)0xC0000001;
constexpr NTSTATUS STATUS_NOT_IMPLEMENTED = (NTSTATUS)0xC0000002;
constexpr NTSTATUS STATUS_INVALID_HANDLE = (NTSTATUS)0xC0000008;
constexpr NTSTATUS STATUS_INFO_LENGTH_MISMATCH = (NTSTATUS)0xC0000004;
constexpr NTSTATUS STATUS_INVALID_PARAMETER = (NTSTATUS)0xC000000D;
constexpr NTSTATUS STATUS_NO_MEMORY = (NTSTATUS)0xC0000017;
constexpr NTSTATUS STATUS_INTERNAL_ERROR = (NTSTATUS)0xC00000E5;
constexpr NTSTATUS STATUS_NOT_SUPPORTED = (NTSTATUS)0xC00000BB;

inline HANDLE current_process() { return (HANDLE)(intptr_t)-1; }

constexpr uint32_t SystemProcessInformation = 5;
constexpr uint32_t ProcessBasicInformation = 0;
constexpr uint32_t ProcessTimes = 4;
constexpr uint32_t PROCESS_DUP_HANDLE = 0x0040;
constexpr uint32_t PROCESS_QUERY_LIMITED_INFORMATION = 0x1000;
constexpr uint32_t DUPLICATE_SAME_ACCESS = 0x2;

struct ClientId
{
    HANDLE process;
    HANDLE thread;
};
struct UnicodeString
{
    uint16_t length;
    uint16_t max_length;
    uint16_t *buffer;
};
struct ObjectAttributes
{
    uint32_t length;
    HANDLE root;
    UnicodeString *name;
    uint32_t attributes;
    void *security_descriptor;
    void *security_qos;
};

/* PROCESS_BASIC_INFORMATION, in the layout of the process's own bitness. */
struct ProcessBasicInfo
{
    NTSTATUS exit_status;
    void *peb;
    uintptr_t affinity;
    int32_t base_priority;
    uintptr_t pid;
    uintptr_t parent_pid;
};
static_assert(sizeof(ProcessBasicInfo) == 6 * sizeof(void *), "PROCESS_BASIC_INFORMATION");

/* KERNEL_USER_TIMES: FILETIMEs, the same layout in both bitnesses. Wine answers creation and exit
 * time of another process from wineserver (get_process_info), the creation time being the one
 * SystemProcessInformation lists. */
struct KernelUserTimes
{
    int64_t create_time;
    int64_t exit_time;
    int64_t kernel_time;
    int64_t user_time;
};
static_assert(sizeof(KernelUserTimes) == 32, "KERNEL_USER_TIMES");

/* The head of SYSTEM_PROCESS_INFORMATION up to HandleCount, in the layout of the process's own
 * bitness (the fields read by wine_processes.cpp; offsets checked for both below). */
struct SystemProcessInfoHead
{
    uint32_t next_entry_offset;
    uint32_t thread_count;
    int64_t working_set_private_size;
    uint32_t hard_fault_count;
    uint32_t thread_high_watermark;
    uint64_t cycle_time;
    int64_t create_time;
    int64_t user_time;
    int64_t kernel_time;
    UnicodeString image_name;
    int32_t base_priority;
    HANDLE pid;
    HANDLE parent_pid;
    uint32_t handle_count;
};
#if defined(__x86_64__)
static_assert(__builtin_offsetof(SystemProcessInfoHead, create_time) == 0x20, "x64 CreateTime");
static_assert(__builtin_offsetof(SystemProcessInfoHead, pid) == 0x50, "x64 UniqueProcessId");
static_assert(__builtin_offsetof(SystemProcessInfoHead, handle_count) == 0x60, "x64 HandleCount");
#elif defined(__i386__)
static_assert(__builtin_offsetof(SystemProcessInfoHead, create_time) == 0x20, "x86 CreateTime");
static_assert(__builtin_offsetof(SystemProcessInfoHead, pid) == 0x44, "x86 UniqueProcessId");
static_assert(__builtin_offsetof(SystemProcessInfoHead, handle_count) == 0x4c, "x86 HandleCount");
#else
#error "ntdll.so calling conventions are known for x86_64 and i386 only"
#endif

/* Which convention ntdll.so's exports use; probed on first use. */
enum class NtdllAbi
{
    unknown,
    windows,
    unix
};
NtdllAbi ntdll_abi();
const char *ntdll_abi_name(NtdllAbi abi);

/* ntdll.so's functions, called with the probed convention. Each answers STATUS_NOT_SUPPORTED
 * without calling anything when the probe could not tell the convention. */
NTSTATUS query_system_information(uint32_t cls, void *info, uint32_t len, uint32_t *ret_len);
NTSTATUS query_information_process(HANDLE process, uint32_t cls, void *info, uint32_t len, uint32_t *ret_len);
NTSTATUS open_process(HANDLE *process, uint32_t access, ObjectAttributes *attr, ClientId *id);
NTSTATUS duplicate_object(HANDLE source_process, HANDLE source, HANDLE dest_process, HANDLE *dest, uint32_t access,
                          uint32_t attributes, uint32_t options);
NTSTATUS close_handle(HANDLE handle);
NTSTATUS server_handle_to_fd(HANDLE handle, uint32_t access, int *unix_fd, uint32_t *options);

} // namespace wine
