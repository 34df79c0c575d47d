// Domain lists for bulk checks: one domain per line, or the `rank,domain` CSV of top-site
// lists. Read one line at a time so that a list of any size needs constant memory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <istream>
#include <optional>
#include <string>

namespace tlsrpt::input {

// A line that names a domain, or says why it cannot.
struct DomainLine {
    std::size_t number = 0;              // 1-based line number in its input
    std::string domain;                  // as written, without rank, whitespace or line ending
    std::optional<std::string> problem;  // set when the line is malformed; `domain` is the line
};

class DomainListReader {
  public:
    explicit DomainListReader(std::istream& in) : in_(in) {}

    // The next line naming a domain (or malformed); blank and `#` comment lines are skipped.
    // nullopt at the end of the input.
    std::optional<DomainLine> next();

    // Octets consumed so far, for progress on inputs of known size.
    std::uint64_t bytes_read() const { return bytes_read_; }

  private:
    std::istream& in_;
    std::size_t line_number_ = 0;
    std::uint64_t bytes_read_ = 0;
    std::string line_;
};

// The domain in one line without its line ending: nullopt for blank and comment lines.
std::optional<DomainLine> parse_domain_line(std::string_view line, std::size_t number);

}  // namespace tlsrpt::input
