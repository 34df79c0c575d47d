#include "live/smtp_reply.hpp"

#include <algorithm>

#include "policy/ascii.hpp"

namespace tlsrpt::live {
namespace {

using policy::is_alnum;
using policy::is_digit;

// Reply-code = %x32-35 %x30-35 %x30-39 (RFC 5321 §4.2).
std::optional<int> reply_code(std::string_view line) {
    if (line.size() < 3 || line[0] < '2' || line[0] > '5' || line[1] < '0' || line[1] > '5' ||
        !is_digit(line[2])) {
        return std::nullopt;
    }
    return (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
}

}  // namespace

std::string_view to_string(SmtpReplyError error) {
    switch (error) {
        case SmtpReplyError::line_too_long:
            return "reply line too long";
        case SmtpReplyError::too_many_lines:
            return "reply of too many lines";
        case SmtpReplyError::reply_too_long:
            return "reply too long";
        case SmtpReplyError::malformed_line:
            return "malformed reply line";
        case SmtpReplyError::code_changed:
            return "reply code changed within a reply";
    }
    return "malformed reply line";
}

void SmtpReplyReader::append(std::string_view bytes) {
    pending_.append(bytes);
}

Expected<std::optional<SmtpReply>, SmtpReplyError> SmtpReplyReader::next() {
    while (!error_) {
        const std::size_t end = pending_.find('\n');
        if (end == std::string::npos) {
            // The longest line allowed has its ending within the limit.
            if (pending_.size() < limits_.line_octets) return std::optional<SmtpReply>();
            error_ = SmtpReplyError::line_too_long;
            break;
        }
        const std::size_t octets = end + 1;
        if (octets > limits_.line_octets) {
            error_ = SmtpReplyError::line_too_long;
            break;
        }
        reply_octets_ += octets;
        if (reply_octets_ > limits_.reply_octets) {
            error_ = SmtpReplyError::reply_too_long;
            break;
        }
        // CRLF ends a line; a bare LF is taken too, as most clients do.
        std::string_view line(pending_.data(), end);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        const auto last = take_line(line);
        pending_.erase(0, octets);
        if (!last) {
            error_ = last.error();
            break;
        }
        if (*last) {
            SmtpReply complete = std::move(reply_);
            reply_ = SmtpReply{};
            reply_octets_ = 0;
            return std::optional<SmtpReply>(std::move(complete));
        }
    }
    return unexpected(*error_);
}

Expected<bool, SmtpReplyError> SmtpReplyReader::take_line(std::string_view line) {
    const std::optional<int> code = reply_code(line);
    if (!code || (line.size() > 3 && line[3] != ' ' && line[3] != '-')) {
        return unexpected(SmtpReplyError::malformed_line);
    }
    if (!reply_.lines.empty() && *code != reply_.code) {
        return unexpected(SmtpReplyError::code_changed);
    }
    if (reply_.lines.size() == limits_.lines) return unexpected(SmtpReplyError::too_many_lines);
    reply_.code = *code;
    reply_.lines.emplace_back(line.size() > 4 ? line.substr(4) : std::string_view());
    return line.size() == 3 || line[3] == ' ';
}

void SmtpReplyReader::clear() {
    pending_.clear();
    reply_ = SmtpReply{};
    reply_octets_ = 0;
}

std::vector<std::string> ehlo_keywords(const SmtpReply& ehlo) {
    std::vector<std::string> keywords;
    for (std::size_t i = 1; i < ehlo.lines.size(); ++i) {
        const std::string_view line = ehlo.lines[i];
        const std::string_view word = line.substr(0, line.find(' '));
        const bool keyword =
            !word.empty() && is_alnum(word.front()) &&
            std::all_of(word.begin(), word.end(), [](char c) { return is_alnum(c) || c == '-'; });
        if (!keyword) continue;
        std::string upper(word);
        std::transform(upper.begin(), upper.end(), upper.begin(), [](char c) {
            return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
        });
        keywords.push_back(std::move(upper));
    }
    return keywords;
}

}  // namespace tlsrpt::live
