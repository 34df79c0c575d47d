// Domain lists for bulk checks: one domain per line, the `rank,domain` CSV of top-site lists,
// or a CSV with a domain column, a header line allowed. Read one line at a time, each of
// bounded length, so that a list of any size (even one without line endings) needs constant
// memory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <istream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace tlsrpt::input {

// A line that names a domain, or says why it cannot.
struct DomainLine {
    std::size_t number = 0;  // 1-based line number in its input
    std::string domain;      // as written, without rank, whitespace or line ending
    // Set when the line is malformed; `domain` is then the line, or empty for one too long.
    std::optional<std::string> problem;
};

// What the first line of a list told about the others.
struct ListLayout {
    bool content_seen = false;  // a line other than a blank or comment one was read
    // The domain column a header named (0-based); without one, each line's own shape says.
    std::optional<std::size_t> domain_column;
};

class DomainListReader {
  public:
    // Longer lines (without their line ending) are malformed, and skipped unread: a domain
    // name has at most 253 octets, a line of a CSV export a few more.
    static constexpr std::size_t max_line_length = 64 * 1024;

    // An exception thrown inside `in` (a failed allocation) propagates from next(): an error is
    // never taken for the end of the list.
    explicit DomainListReader(std::istream& in);

    // The next line naming a domain (or malformed); blank and `#` comment lines and a header
    // line are skipped. nullopt at the end of the input.
    std::optional<DomainLine> next();

    // Octets consumed so far, for progress on inputs of known size.
    std::uint64_t bytes_read() const { return bytes_read_; }

  private:
    std::istream& in_;
    std::size_t line_number_ = 0;
    std::uint64_t bytes_read_ = 0;
    std::unique_ptr<char[]> line_;  // max_line_length octets and getline's terminating NUL
    ListLayout layout_;
};

// The domain in one line without its line ending: nullopt for blank and comment lines and
// for a header. `#` after whitespace starts a comment. A line of several comma-separated
// cells gives the cell `layout` names, else the second after a numeric rank, else the first.
// The first line with content is a header when a cell is a column title (`domain`, `host`,
// `site`, `url`, ...: that column is the domain's) or when its domain cell is a word without
// a dot (`rank,name`).
std::optional<DomainLine> parse_domain_line(std::string_view line, std::size_t number,
                                            ListLayout& layout);

}  // namespace tlsrpt::input
