// A file with the given content under /tmp that removes itself, for tests that pass a path.
#pragma once

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

namespace tlsrpt::testing {

class TempFile {
  public:
    explicit TempFile(const std::string& content) {
        char name[] = "/tmp/tlsrpt-test-XXXXXX";
        const int fd = mkstemp(name);
        if (fd < 0) throw std::runtime_error("cannot create a temporary file");
        close(fd);
        path_ = name;
        std::ofstream(path_, std::ios::binary) << content;
    }
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;
    ~TempFile() { std::remove(path_.c_str()); }
    const std::string& path() const { return path_; }

  private:
    std::string path_;
};

// An empty directory under /tmp, removed with what it holds.
class TempDirectory {
  public:
    TempDirectory() {
        char name[] = "/tmp/tlsrpt-test-XXXXXX";
        if (mkdtemp(name) == nullptr) throw std::runtime_error("cannot create a directory");
        path_ = name;
    }
    TempDirectory(const TempDirectory&) = delete;
    TempDirectory& operator=(const TempDirectory&) = delete;
    ~TempDirectory() { std::filesystem::remove_all(path_); }
    const std::string& path() const { return path_; }
    // Writes `content` to the file `name` in the directory; returns its path.
    std::string write(const std::string& name, const std::string& content) const {
        const std::string file = path_ + "/" + name;
        std::ofstream(file, std::ios::binary) << content;
        return file;
    }

  private:
    std::string path_;
};

}  // namespace tlsrpt::testing
