#include "child_process.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

extern char **environ;

namespace hotcc::serve {

namespace {

std::vector<char *> pointersTo(std::vector<std::string> &strings) {
  std::vector<char *> pointers;
  for (auto &s : strings)
    pointers.push_back(s.data());
  pointers.push_back(nullptr);
  return pointers;
}

std::string drain(int fd) {
  std::string out;
  char buffer[8192];
  for (;;) {
    ssize_t n = read(fd, buffer, sizeof buffer);
    if (n > 0)
      out.append(buffer, static_cast<std::size_t>(n));
    else if (n == 0 || errno != EINTR)
      break;
  }
  return out;
}

} // namespace

ChildResult runChild(const std::vector<std::string> &argv, const std::string &directory,
                     const std::vector<std::string> &extraEnvironment) {
  ChildResult result;
  std::vector<std::string> arguments = argv;
  std::vector<std::string> environment = extraEnvironment;
  for (char **e = environ; *e; ++e)
    environment.emplace_back(*e);  // the extras come first and win for getenv's first match
  int pipeFds[2];
  if (pipe2(pipeFds, O_CLOEXEC) != 0)
    return result;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipeFds[1], 1);
  posix_spawn_file_actions_adddup2(&actions, pipeFds[1], 2);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addchdir_np(&actions, directory.c_str());
  auto argp = pointersTo(arguments);
  auto envp = pointersTo(environment);
  pid_t pid = 0;
  int spawned = posix_spawnp(&pid, argp[0], &actions, nullptr, argp.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  close(pipeFds[1]);
  if (spawned != 0) {
    close(pipeFds[0]);
    return result;
  }
  result.started = true;
  result.output = drain(pipeFds[0]);
  close(pipeFds[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  result.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  return result;
}

std::string howItEnded(const ChildResult &result) {
  if (!result.signal)
    return "exited with status " + std::to_string(result.exitCode);
  const char *name = sigabbrev_np(result.signal);
  return name ? std::string("was killed by SIG") + name
              : "was killed by signal " + std::to_string(result.signal);
}

} // namespace hotcc::serve
