/*
 * The few entry points of Wine 8.0's ntdll.so that the Unix side calls, declared here because
 * Debian ships no Wine headers for Unix libraries. ntdll.so's exported functions use the
 * Windows x64 calling convention (Wine's NTAPI/CDECL are __attribute__((ms_abi))): declaring
 * them as plain SysV functions makes them read their arguments from the wrong registers.
 */
#pragma once

#include <cstdint>

#define WINE_ABI __attribute__((ms_abi))

namespace wine {

using NTSTATUS = int32_t;
using HANDLE = void *;

constexpr NTSTATUS STATUS_SUCCESS = 0;
constexpr NTSTATUS STATUS_BUFFER_OVERFLOW = (NTSTATUS)0x80000005;
constexpr NTSTATUS STATUS_INFO_LENGTH_MISMATCH = (NTSTATUS)0xC0000004;
constexpr NTSTATUS STATUS_INVALID_PARAMETER = (NTSTATUS)0xC000000D;
constexpr NTSTATUS STATUS_NO_MEMORY = (NTSTATUS)0xC0000017;
constexpr NTSTATUS STATUS_UNSUCCESSFUL = (NTSTATUS)0xC0000001;

inline HANDLE current_process() { return (HANDLE)(intptr_t)-1; }

constexpr uint32_t SystemProcessInformation = 5;
constexpr uint32_t ProcessBasicInformation = 0;
constexpr uint32_t PROCESS_DUP_HANDLE = 0x0040;
constexpr uint32_t DUPLICATE_SAME_ACCESS = 0x2;

struct ClientId { HANDLE process; HANDLE thread; };
struct UnicodeString { uint16_t length; uint16_t max_length; uint16_t *buffer; };
struct ObjectAttributes
{
    uint32_t length;
    HANDLE root;
    UnicodeString *name;
    uint32_t attributes;
    void *security_descriptor;
    void *security_qos;
};

/* PROCESS_BASIC_INFORMATION (x64 layout). */
struct ProcessBasicInfo
{
    NTSTATUS exit_status;
    void *peb;
    uintptr_t affinity;
    int32_t base_priority;
    uintptr_t pid;
    uintptr_t parent_pid;
};
static_assert(sizeof(ProcessBasicInfo) == 48, "PROCESS_BASIC_INFORMATION");

} // namespace wine

extern "C" {
wine::NTSTATUS WINE_ABI NtQuerySystemInformation(uint32_t cls, void *info, uint32_t len, uint32_t *ret_len);
wine::NTSTATUS WINE_ABI NtQueryInformationProcess(wine::HANDLE process, uint32_t cls, void *info,
                                                  uint32_t len, uint32_t *ret_len);
wine::NTSTATUS WINE_ABI NtOpenProcess(wine::HANDLE *process, uint32_t access, wine::ObjectAttributes *attr,
                                      wine::ClientId *id);
wine::NTSTATUS WINE_ABI NtDuplicateObject(wine::HANDLE source_process, wine::HANDLE source,
                                          wine::HANDLE dest_process, wine::HANDLE *dest, uint32_t access,
                                          uint32_t attributes, uint32_t options);
wine::NTSTATUS WINE_ABI NtClose(wine::HANDLE handle);
wine::NTSTATUS WINE_ABI wine_server_handle_to_fd(wine::HANDLE handle, uint32_t access, int *unix_fd,
                                                 uint32_t *options);
}
