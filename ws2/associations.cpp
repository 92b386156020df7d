// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * A small table of associated sockets, guarded by an SRW lock. Socket handles are reused after
 * closesocket, which is why closesocket drops the entry; the table is sized for what programs
 * do with reservations (a few sockets per block), and a full table is an answer (WSAENOBUFS),
 * not a silent loss.
 */
#include "associations.h"

namespace {

constexpr int CAPACITY = 4096;

struct Entry
{
    SOCKET socket;
    Ws2Association association;
};

SRWLOCK lock = SRWLOCK_INIT;
Entry entries[CAPACITY];
int used;

int find(SOCKET s)
{
    for (int i = 0; i < used; i++)
        if (entries[i].socket == s) return i;
    return -1;
}

} // namespace

volatile LONG ws2_associated_count;

bool ws2_association_get(SOCKET s, Ws2Association *out)
{
    AcquireSRWLockShared(&lock);
    int i = find(s);
    if (i >= 0) *out = entries[i].association;
    ReleaseSRWLockShared(&lock);
    return i >= 0;
}

bool ws2_association_set(SOCKET s, const Ws2Association &a)
{
    AcquireSRWLockExclusive(&lock);
    int i = find(s);
    bool ok = true;
    if (i >= 0)
        entries[i].association = a;
    else if (used < CAPACITY)
    {
        entries[used++] = {s, a};
        InterlockedExchange(&ws2_associated_count, used);
    }
    else
        ok = false;
    ReleaseSRWLockExclusive(&lock);
    return ok;
}

void ws2_association_drop(SOCKET s)
{
    AcquireSRWLockExclusive(&lock);
    int i = find(s);
    if (i >= 0)
    {
        entries[i] = entries[--used];
        InterlockedExchange(&ws2_associated_count, used);
    }
    ReleaseSRWLockExclusive(&lock);
}
