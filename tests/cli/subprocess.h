// Runs a program as a child process for end-to-end tests: no shell (each
// argument reaches the program as is, spaces included), stdout and stderr
// captured separately, a working folder of the caller's choice.
//
// Thread safety: a Subprocess is used from one thread. Every pipe end is
// opened close-on-exec, so children started side by side do not hold each
// other's pipes open.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

extern char** environ;

namespace preheat::testing {

// How a child process ended.
struct ProcessResult {
  bool exited = false;    // ended by exit(); exit_code is valid
  int exit_code = -1;
  int term_signal = 0;    // ended by this signal (0: not by a signal)
  bool timed_out = false;  // killed by wait() because its deadline passed
  std::string out;        // everything written to stdout
  std::string err;        // everything written to stderr
  long max_rss_kb = 0;    // the child's peak resident set (wait4's ru_maxrss), KiB

  // For failure messages: how it ended and what it said on stderr.
  std::string describe() const {
    std::ostringstream s;
    if (timed_out) s << "timed out (killed); ";
    if (exited) s << "exit code " << exit_code;
    if (term_signal != 0) s << "killed by signal " << term_signal << " (" << strsignal(term_signal) << ")";
    s << "\nstderr: " << err;
    return s.str();
  }
};

class Subprocess {
 public:
  // Starts `program` with `args` (argv[1..]) in folder `cwd`; stdin is
  // /dev/null. SIGINT, SIGTERM and SIGPIPE start with their default action
  // and no signal is blocked, whatever the test runner inherited.
  Subprocess(const std::filesystem::path& program, const std::vector<std::string>& args,
             const std::filesystem::path& cwd) {
    int out[2];
    int err[2];
    if (pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
    out_fd_ = out[0];
    err_fd_ = err[0];

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, err[1], STDERR_FILENO);
    posix_spawn_file_actions_addchdir_np(&actions, cwd.c_str());

    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t none;
    sigemptyset(&none);
    sigset_t defaults;
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGINT);
    sigaddset(&defaults, SIGTERM);
    sigaddset(&defaults, SIGPIPE);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &defaults);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

    std::vector<std::string> all{program.string()};
    all.insert(all.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (std::string& a : all) argv.push_back(a.data());
    argv.push_back(nullptr);

    const int rc = posix_spawn(&pid_, program.c_str(), &actions, &attr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    close(out[1]);
    close(err[1]);
    if (rc != 0) {
      close(out_fd_);
      close(err_fd_);
      throw std::runtime_error("cannot start " + program.string() + ": " + std::strerror(rc));
    }
  }

  ~Subprocess() {
    if (!reaped_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    if (out_fd_ >= 0) close(out_fd_);
    if (err_fd_ >= 0) close(err_fd_);
  }

  Subprocess(const Subprocess&) = delete;
  Subprocess& operator=(const Subprocess&) = delete;

  pid_t pid() const { return pid_; }

  void send_signal(int sig) const { kill(pid_, sig); }

  // True once the process catches `sig` (it installed a handler): read from
  // /proc/PID/status. Lets a test wait for startup instead of guessing.
  bool catches(int sig) const {
    std::ifstream status("/proc/" + std::to_string(pid_) + "/status");
    std::string line;
    while (std::getline(status, line)) {
      if (line.rfind("SigCgt:", 0) == 0) {
        const unsigned long long mask = std::stoull(line.substr(7), nullptr, 16);
        return (mask >> (sig - 1)) & 1U;
      }
    }
    return false;
  }

  // Reads stdout and stderr until both close, then reaps the process. Past
  // `deadline` the process is killed with SIGKILL and timed_out is set: a
  // guard against a hang, never a timing assertion.
  ProcessResult wait(std::chrono::steady_clock::time_point deadline) {
    ProcessResult r;
    bool killed = false;
    while (out_fd_ >= 0 || err_fd_ >= 0) {
      pollfd fds[2];
      nfds_t n = 0;
      if (out_fd_ >= 0) fds[n++] = pollfd{out_fd_, POLLIN, 0};
      if (err_fd_ >= 0) fds[n++] = pollfd{err_fd_, POLLIN, 0};
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      const int ready = poll(fds, n, killed ? 1000 : static_cast<int>(std::max<std::int64_t>(0, left.count())));
      if (ready < 0) {
        if (errno == EINTR) continue;
        throw std::runtime_error(std::string("poll failed: ") + std::strerror(errno));
      }
      if (ready == 0) {
        if (killed) break;  // a grandchild keeps the pipes open: stop reading
        kill(pid_, SIGKILL);
        killed = true;
        r.timed_out = true;
        continue;
      }
      for (nfds_t i = 0; i < n; ++i) {
        if (fds[i].revents == 0) continue;
        const bool is_out = fds[i].fd == out_fd_;
        drain(is_out ? out_fd_ : err_fd_, is_out ? r.out : r.err);
      }
    }
    int status = 0;
    struct rusage usage {};
    while (wait4(pid_, &status, 0, &usage) < 0 && errno == EINTR) {
    }
    reaped_ = true;
    r.max_rss_kb = usage.ru_maxrss;
    if (WIFEXITED(status)) {
      r.exited = true;
      r.exit_code = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
      r.term_signal = WTERMSIG(status);
    }
    return r;
  }

 private:
  // Reads what is available from `fd` into `into`; closes it at end of file.
  static void drain(int& fd, std::string& into) {
    char buf[65536];
    const ssize_t got = read(fd, buf, sizeof buf);
    if (got > 0) {
      into.append(buf, static_cast<std::size_t>(got));
    } else if (got == 0 || errno != EINTR) {
      close(fd);
      fd = -1;
    }
  }

  pid_t pid_ = -1;
  int out_fd_ = -1;
  int err_fd_ = -1;
  bool reaped_ = false;
};

// Runs `program` to its end (killed after `timeout`, a hang guard).
inline ProcessResult run_process(const std::filesystem::path& program, const std::vector<std::string>& args,
                                 const std::filesystem::path& cwd,
                                 std::chrono::seconds timeout = std::chrono::seconds(60)) {
  Subprocess p(program, args, cwd);
  return p.wait(std::chrono::steady_clock::now() + timeout);
}

}  // namespace preheat::testing
