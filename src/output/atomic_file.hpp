// A file replaced in one step (-o FILE): written under a temporary name in the same directory,
// then synced and renamed over the target, so that a reader (node_exporter's textfile
// collector, a monitoring agent) sees the old content or the new, never a part. A target that
// is no regular file (/dev/null, a named pipe, a terminal) is written in place instead. A
// signal that ends the process (one not handled otherwise, not ignored) removes the temporary
// file first.
#pragma once

#include <memory>
#include <string>

#include "tlsrpt/expected.hpp"

namespace tlsrpt::output {

class AtomicFile {
  public:
    // Creates the temporary file beside `path`, or opens `path` when it exists and is no regular
    // file. The error is a sentence naming the file.
    static Expected<std::unique_ptr<AtomicFile>, std::string> create(std::string path);

    ~AtomicFile();  // without commit(), the temporary file is removed and the target left alone
    AtomicFile(const AtomicFile&) = delete;
    AtomicFile& operator=(const AtomicFile&) = delete;

    int fd() const { return fd_; }

    // Syncs the data, renames the temporary file over the target and syncs the directory.
    // The error is a sentence naming the file.
    Expected<bool, std::string> commit();

  private:
    AtomicFile(std::string path, std::string temporary, int fd)
        : path_(std::move(path)), temporary_(std::move(temporary)), fd_(fd) {}

    std::string path_;
    std::string temporary_;  // "" when the target is written in place
    int fd_;
};

// Removes the temporary file of the AtomicFile not committed yet, if any. Async-signal-safe,
// for a process that ends from a signal handler.
void remove_uncommitted_file() noexcept;

}  // namespace tlsrpt::output
