#include "output/progress.hpp"

#include <fmt/format.h>

namespace tlsrpt::output {
namespace {

constexpr auto terminal_interval = std::chrono::milliseconds(250);
constexpr auto log_interval = std::chrono::seconds(5);

}  // namespace

ProgressLine::ProgressLine(bool terminal)
    : terminal_(terminal), started_(std::chrono::steady_clock::now()) {}

std::optional<std::string> ProgressLine::update(const RunSummary& rows, std::size_t in_flight,
                                                std::optional<double> done_fraction) {
    const auto now = std::chrono::steady_clock::now();
    if (shown_ && now - last_shown_ < (terminal_ ? terminal_interval : log_interval)) {
        return std::nullopt;
    }
    shown_ = true;
    last_shown_ = now;
    const double seconds = std::chrono::duration<double>(now - started_).count();
    const double rate = seconds > 0 ? static_cast<double>(rows.rows()) / seconds : 0;
    std::string text = fmt::format("{} rows", rows.rows());
    if (done_fraction && *done_fraction > 0) {
        text += fmt::format(" ({:.0f}%", *done_fraction * 100);
        const double left = seconds * (1 - *done_fraction) / *done_fraction;
        text += fmt::format(", ETA {:.0f} s)", left);
    }
    text += fmt::format(
        ", {:.0f}/s, {} in flight: {} valid {} warning {} missing {} invalid {} error", rate,
        in_flight, rows.count(Status::valid), rows.count(Status::warning),
        rows.count(Status::missing), rows.count(Status::invalid), rows.count(Status::error));
    return terminal_ ? "\r" + text + "\033[K" : text + "\n";
}

std::string ProgressLine::clear() const {
    return terminal_ && shown_ ? "\r\033[K" : "";
}

}  // namespace tlsrpt::output
