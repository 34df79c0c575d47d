// The live progress line of a bulk run, on stderr: rows done (of how many, when known), rate,
// estimated time left and rows per status. On a terminal it is redrawn in place; elsewhere
// (--progress into a file) it is a line every few seconds.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

#include "output/run_summary.hpp"

namespace tlsrpt::output {

class ProgressLine {
  public:
    explicit ProgressLine(bool terminal);

    // The text to print now, or nullopt when the last one is recent enough.
    // `done_fraction`: the part of the input consumed, when the input's size is known.
    std::optional<std::string> update(const RunSummary& rows, std::size_t in_flight,
                                      std::optional<double> done_fraction);
    // What erases the line before the summary ("" when not on a terminal).
    std::string clear() const;

  private:
    bool terminal_;
    std::chrono::steady_clock::time_point started_;
    std::chrono::steady_clock::time_point last_shown_;
    bool shown_ = false;
};

}  // namespace tlsrpt::output
