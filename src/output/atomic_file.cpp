#include "output/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <climits>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <vector>

#include <fmt/format.h>

namespace tlsrpt::output {
namespace {

std::string failure(std::string_view what, const std::string& path) {
    return fmt::format("cannot {} {}: {}", what, path, std::strerror(errno));
}

// The temporary file to remove when a signal ends the process: a signal handler may read only
// lock-free atomics and what they guard.
std::array<char, PATH_MAX> uncommitted_name{};
std::atomic<bool> uncommitted{false};
static_assert(std::atomic<bool>::is_always_lock_free);

void remove_and_end(int signal) {
    remove_uncommitted_file();
    struct sigaction default_action {};
    default_action.sa_handler = SIG_DFL;
    sigaction(signal, &default_action, nullptr);
    raise(signal);  // delivered once this handler returns, with the default action
}

// Every signal whose default action ends the process, where that action is still set: an
// ignored one (nohup) stays ignored, and one handled elsewhere keeps its handler.
void remove_on_terminating_signals() {
    static bool installed = false;
    if (installed) return;
    installed = true;
    std::vector<int> signals = {SIGHUP,  SIGINT,    SIGQUIT, SIGILL,  SIGTRAP, SIGABRT, SIGBUS,
                                SIGFPE,  SIGUSR1,   SIGSEGV, SIGUSR2, SIGALRM, SIGTERM, SIGXCPU,
                                SIGXFSZ, SIGVTALRM, SIGPROF, SIGPOLL, SIGPWR,  SIGSYS,  SIGSTKFLT};
    for (int realtime = SIGRTMIN; realtime <= SIGRTMAX; ++realtime) signals.push_back(realtime);
    struct sigaction action {};
    action.sa_handler = &remove_and_end;
    sigemptyset(&action.sa_mask);
    for (const int signal : signals) {
        struct sigaction current {};
        if (sigaction(signal, nullptr, &current) == 0 && current.sa_handler == SIG_DFL) {
            sigaction(signal, &action, nullptr);
        }
    }
}

void set_uncommitted(const std::string& name) {
    if (name.size() >= uncommitted_name.size()) return;
    std::memcpy(uncommitted_name.data(), name.c_str(), name.size() + 1);
    uncommitted.store(true);
    remove_on_terminating_signals();
}

}  // namespace

void remove_uncommitted_file() noexcept {
    if (uncommitted.load()) unlink(uncommitted_name.data());
}

Expected<std::unique_ptr<AtomicFile>, std::string> AtomicFile::create(std::string path) {
    // Renaming over /dev/null, a named pipe or a terminal would put a plain file in its place
    // (as root, even /dev/null): those are written in place.
    struct stat status {};
    if (stat(path.c_str(), &status) == 0 && !S_ISREG(status.st_mode)) {
        const int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
        if (fd < 0) return unexpected(failure("open", path));
        return std::unique_ptr<AtomicFile>(new AtomicFile(std::move(path), "", fd));
    }
    const std::filesystem::path target(path);
    // A dot name: the textfile collector reads only *.prom files, and ls hides it.
    const std::string hidden_name = fmt::format(".{}.XXXXXX", target.filename().string());
    const std::string pattern = (target.parent_path() / hidden_name).string();
    std::vector<char> name(pattern.begin(), pattern.end());
    name.push_back('\0');
    const int fd = mkstemp(name.data());
    if (fd < 0) return unexpected(failure("create a temporary file for", path));
    // mkstemp makes it 0600; readers such as the collector's user need what any new file gets.
    const mode_t mask = umask(0);
    umask(mask);
    fchmod(fd, 0666 & ~mask);
    set_uncommitted(name.data());
    return std::unique_ptr<AtomicFile>(new AtomicFile(std::move(path), name.data(), fd));
}

AtomicFile::~AtomicFile() {
    if (fd_ >= 0) {
        close(fd_);
        if (!temporary_.empty()) unlink(temporary_.c_str());
    }
    if (!temporary_.empty()) uncommitted.store(false);
}

Expected<bool, std::string> AtomicFile::commit() {
    if (temporary_.empty()) {
        const int closed = close(fd_);
        fd_ = -1;
        if (closed != 0) return unexpected(failure("write", path_));
        return true;
    }
    if (fsync(fd_) != 0) return unexpected(failure("write", path_));
    const int closed = close(fd_);
    fd_ = -1;
    if (closed != 0 || rename(temporary_.c_str(), path_.c_str()) != 0) {
        const std::string error = failure("write", path_);
        unlink(temporary_.c_str());
        uncommitted.store(false);
        return unexpected(error);
    }
    uncommitted.store(false);
    // The rename itself survives a crash only once the directory is synced.
    const std::filesystem::path directory = std::filesystem::path(path_).parent_path();
    const int directory_fd =
        open(directory.empty() ? "." : directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (directory_fd >= 0) {
        fsync(directory_fd);
        close(directory_fd);
    }
    return true;
}

}  // namespace tlsrpt::output
