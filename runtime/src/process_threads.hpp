// What /proc says about this process's threads and memory, read without allocating: the
// stop-the-world (stop_the_world.cpp) calls these while other threads are stopped, one of which
// may hold the malloc lock. Every function works in a buffer its caller owns.
#pragma once
#include <sys/types.h>

#include <cstddef>
#include <cstdint>

namespace hotcc::proc {

// The thread ids of this process (/proc/self/task), at most `capacity` into `tids`. Returns how
// many there are (more than `capacity` means the list was cut), or -1 when it cannot be read.
long listThreads(pid_t *tids, std::size_t capacity);

// The whole of a /proc file into `buffer` (NUL-terminated). Returns its length, or -1 when it
// cannot be read or does not fit.
long readFile(const char *path, char *buffer, std::size_t capacity);

// How big /proc/self/maps is now (allocates: call it before stopping anyone).
std::size_t mapsSize();

// In a /proc/self/maps text: the readable mapping that contains `address`, or false.
bool readableMappingOf(const char *maps, std::uintptr_t address, std::uintptr_t &low,
                       std::uintptr_t &high);

// Whether thread `tid` blocks signal `sig` (its SigBlk in /proc/self/task/TID/status). False
// when that cannot be read (a thread that just exited blocks nothing).
bool blocksSignal(pid_t tid, int sig);

// Whether thread `tid` still exists.
bool threadAlive(pid_t tid);

} // namespace hotcc::proc
