// Reading TXT RRs written in zone-file presentation format: as `dig +short TXT` prints them,
// as zone-file lines, and as whole `dig` output.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "tlsrpt/expected.hpp"
#include "tlsrpt/txt.hpp"

namespace tlsrpt {

struct PresentationError {
    std::size_t column = 0;  // 1-based byte column in the line
    std::string message;
};

// One or more double-quoted character-strings with \" \\ and \DDD escapes, separated by
// whitespace; a line with no quote at all is one string taken as is (no escapes). Strings
// over 255 octets are kept: the evaluator reports them.
Expected<TxtRecord, PresentationError> parse_presentation(std::string_view line);

// Reads the records of what people copy, line by line: `dig +short` lines and bare record
// text (parse_presentation), zone-file lines `NAME [TTL] [CLASS] TXT "..."` (`@` or no name
// too), and whole `dig` output, of which the TXT records of the ANSWER section count. `;`
// comments, `$` directives, the other sections of dig output and records of other types (a
// CNAME in an answer) are skipped.
class RecordTextReader {
  public:
    // What the text is: many lines (a file, standard input), or one record (an argument),
    // which is never skipped as blank or as a comment, and is an error when it is a record of
    // another type.
    enum class Input { lines, one_record };

    explicit RecordTextReader(Input input = Input::lines) : input_(input) {}

    // The TXT record in `line` (without its line ending), nullopt for a line that holds none.
    // An error's message ends by naming the formats this reader expects.
    Expected<std::optional<TxtRecord>, PresentationError> read_line(std::string_view line);

  private:
    enum class Section { none, answer, other };
    Input input_;
    Section section_ = Section::none;
};

}  // namespace tlsrpt
