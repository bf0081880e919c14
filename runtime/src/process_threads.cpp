#include "process_threads.hpp"

#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

namespace hotcc::proc {

namespace {

// The layout getdents64 fills (glibc declares no type for it).
struct DirEntry64 {
  std::uint64_t inode;
  std::int64_t offset;
  unsigned short length;
  unsigned char type;
  char name[1];
};

bool parseDecimal(const char *text, long &value) {
  if (*text < '0' || *text > '9')
    return false;
  value = 0;
  for (; *text >= '0' && *text <= '9'; ++text)
    value = value * 10 + (*text - '0');
  return *text == '\0';
}

int hexDigit(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

// Reads hex digits at `text`; returns where they end.
const char *parseHex(const char *text, std::uintptr_t &value) {
  value = 0;
  for (int digit; (digit = hexDigit(*text)) >= 0; ++text)
    value = value * 16 + std::uintptr_t(digit);
  return text;
}

// "/proc/self/task/<tid>/status" into `path` (no snprintf: nothing that might allocate).
void statusPath(pid_t tid, char (&path)[64]) {
  char digits[16];
  int count = 0;
  for (unsigned long v = static_cast<unsigned long>(tid); count == 0 || v; v /= 10)
    digits[count++] = char('0' + v % 10);
  const char prefix[] = "/proc/self/task/", suffix[] = "/status";
  char *out = path;
  for (const char *p = prefix; *p; ++p)
    *out++ = *p;
  while (count)
    *out++ = digits[--count];
  for (const char *p = suffix; *p; ++p)
    *out++ = *p;
  *out = '\0';
}

} // namespace

long listThreads(pid_t *tids, std::size_t capacity) {
  int fd = open("/proc/self/task", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return -1;
  alignas(8) char buffer[4096];
  long count = 0;
  for (;;) {
    long got = syscall(SYS_getdents64, fd, buffer, sizeof buffer);
    if (got < 0 && errno == EINTR)
      continue;
    if (got <= 0) {
      close(fd);
      return got < 0 ? -1 : count;
    }
    for (long at = 0; at < got;) {
      auto *entry = reinterpret_cast<DirEntry64 *>(buffer + at);
      at += entry->length;
      long tid = 0;
      if (!parseDecimal(entry->name, tid))
        continue;  // "." and ".."
      if (std::size_t(count) < capacity)
        tids[count] = pid_t(tid);
      ++count;
    }
  }
}

long readFile(const char *path, char *buffer, std::size_t capacity) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return -1;
  std::size_t used = 0;
  for (;;) {
    if (used + 1 >= capacity) {
      close(fd);
      return -1;  // does not fit (or fits exactly, which we cannot tell from a cut)
    }
    long got = read(fd, buffer + used, capacity - 1 - used);
    if (got < 0 && errno == EINTR)
      continue;
    if (got < 0) {
      close(fd);
      return -1;
    }
    if (got == 0)
      break;
    used += std::size_t(got);
  }
  close(fd);
  buffer[used] = '\0';
  return long(used);
}

std::size_t mapsSize() {
  std::ifstream maps("/proc/self/maps", std::ios::binary);
  return std::size_t(std::distance(std::istreambuf_iterator<char>(maps),
                                   std::istreambuf_iterator<char>()));
}

bool readableMappingOf(const char *maps, std::uintptr_t address, std::uintptr_t &low,
                       std::uintptr_t &high) {
  for (const char *line = maps; *line;) {
    std::uintptr_t start = 0, end = 0;
    const char *p = parseHex(line, start);
    if (*p == '-')
      p = parseHex(p + 1, end);
    if (*p == ' ' && start <= address && address < end) {
      low = start, high = end;
      return p[1] == 'r';
    }
    const char *next = std::strchr(line, '\n');
    if (!next)
      break;
    line = next + 1;
  }
  return false;
}

bool blocksSignal(pid_t tid, int sig) {
  char path[64];
  statusPath(tid, path);
  char status[4096];
  if (readFile(path, status, sizeof status) < 0)
    return false;
  const char *field = std::strstr(status, "\nSigBlk:");
  if (!field)
    return false;
  field += 8;
  while (*field == ' ' || *field == '\t')
    ++field;
  std::uintptr_t mask = 0;
  parseHex(field, mask);
  return sig >= 1 && sig <= 64 && (mask >> (sig - 1)) & 1;
}

bool threadAlive(pid_t tid) {
  return syscall(SYS_tgkill, getpid(), tid, 0) == 0 || errno != ESRCH;
}

} // namespace hotcc::proc
