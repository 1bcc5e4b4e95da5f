// Shared helpers for tests: paths to the source tree and temporary folders.
#pragma once

#include <filesystem>
#include <string>

namespace preheat::testing {

// A fresh empty folder under the system temp dir, removed with the object.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

std::string read_file(const std::filesystem::path& path);
void write_file(const std::filesystem::path& path, const std::string& content);

// What a shell command prints on stdout ("" when it cannot be started), for
// the differential tests that ask a node oracle.
std::string command_output(const std::string& command);

}  // namespace preheat::testing
