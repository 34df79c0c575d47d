// SMTP replies (RFC 5321 §4.2) read from a server's bytes as they come: a reply is complete
// with its last line ("NNN text" or "NNN"); "NNN-text" lines continue it. Every bound (line
// length, lines per reply, bytes per reply) is checked before anything grows past it, and a
// line that breaks the syntax ends the reading with an error value. No I/O.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tlsrpt/expected.hpp"

namespace tlsrpt::live {

struct SmtpReply {
    int code = 0;  // 200 to 559
    // The text of each line after "NNN-" or "NNN ", without the line ending: the server's
    // bytes, unchecked (escape before printing).
    std::vector<std::string> lines;
};

enum class SmtpReplyError {
    line_too_long,   // a line (its ending included) longer than the limit
    too_many_lines,  // a reply of more lines than the limit
    reply_too_long,  // a reply of more bytes than the limit
    malformed_line,  // not "NNN", "NNN text" or "NNN-text" with a reply code
    code_changed,    // a continuation line with another code than the reply's first line
};

std::string_view to_string(SmtpReplyError error);

struct SmtpReplyLimits {
    // RFC 5321 §4.5.3.1.5 allows reply lines of 512 octets with the CRLF; servers that write
    // longer ones exist, so twice that is allowed (about the 1,000 octets of a text line).
    std::size_t line_octets = 1000;
    // An EHLO reply names each extension on a line of its own: a few dozen at most.
    std::size_t lines = 100;
    std::size_t reply_octets = 16 * 1024;
};

class SmtpReplyReader {
  public:
    explicit SmtpReplyReader(SmtpReplyLimits limits = {}) : limits_(limits) {}

    // Bytes as they came from the server. What they complete is taken with next().
    void append(std::string_view bytes);

    // The next complete reply; nullopt while its last line has not come yet. After an error
    // every further call returns the same error: the server's stream cannot be trusted again.
    Expected<std::optional<SmtpReply>, SmtpReplyError> next();

    // Forgets the bytes received after the replies taken (RFC 3207 §4.2: nothing the server
    // sent before the TLS handshake may count after it) and any reply begun.
    void clear();

    // Bytes received and not yet part of a reply taken.
    std::size_t buffered() const { return pending_.size() + reply_octets_; }

  private:
    // Adds a line (without its ending) to the reply begun; true when it was the last one.
    Expected<bool, SmtpReplyError> take_line(std::string_view line);

    SmtpReplyLimits limits_;
    std::string pending_;  // bytes not yet read as lines
    SmtpReply reply_;      // the lines of the reply begun
    std::size_t reply_octets_ = 0;
    std::optional<SmtpReplyError> error_;
};

// The extension keywords of an EHLO reply (RFC 5321 §4.1.1.1): the first word of each line
// after the first, in upper case. Words that are no keyword (ALPHA / DIGIT, then also "-")
// are left out.
std::vector<std::string> ehlo_keywords(const SmtpReply& ehlo);

}  // namespace tlsrpt::live
