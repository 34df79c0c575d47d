// Domain lists for bulk checks: one domain per line, or the `rank,domain` CSV of top-site
// lists. Read one line at a time, each of bounded length, so that a list of any size (even
// one without line endings) needs constant memory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <istream>
#include <memory>
#include <optional>
#include <string>

namespace tlsrpt::input {

// A line that names a domain, or says why it cannot.
struct DomainLine {
    std::size_t number = 0;  // 1-based line number in its input
    std::string domain;      // as written, without rank, whitespace or line ending
    // Set when the line is malformed; `domain` is then the line, or empty for one too long.
    std::optional<std::string> problem;
};

class DomainListReader {
  public:
    // Longer lines (without their line ending) are malformed, and skipped unread: a domain
    // name has at most 253 octets, a line of a CSV export a few more.
    static constexpr std::size_t max_line_length = 64 * 1024;

    // An exception thrown inside `in` (a failed allocation) propagates from next(): an error is
    // never taken for the end of the list.
    explicit DomainListReader(std::istream& in);

    // The next line naming a domain (or malformed); blank and `#` comment lines are skipped.
    // nullopt at the end of the input.
    std::optional<DomainLine> next();

    // Octets consumed so far, for progress on inputs of known size.
    std::uint64_t bytes_read() const { return bytes_read_; }

  private:
    std::istream& in_;
    std::size_t line_number_ = 0;
    std::uint64_t bytes_read_ = 0;
    std::unique_ptr<char[]> line_;  // max_line_length octets and getline's terminating NUL
};

// The domain in one line without its line ending: nullopt for blank and comment lines.
std::optional<DomainLine> parse_domain_line(std::string_view line, std::size_t number);

}  // namespace tlsrpt::input
