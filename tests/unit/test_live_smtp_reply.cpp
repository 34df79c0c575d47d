#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "live/smtp_reply.hpp"

using namespace tlsrpt::live;

namespace {

// What reading `chunks` gives: the complete replies in order, then the error if one came.
struct Read {
    std::vector<SmtpReply> replies;
    std::optional<SmtpReplyError> error;
};

Read read_all(const std::vector<std::string>& chunks, SmtpReplyLimits limits = {}) {
    SmtpReplyReader reader(limits);
    Read read;
    for (const std::string& chunk : chunks) {
        reader.append(chunk);
        for (;;) {
            auto next = reader.next();
            if (!next) {
                read.error = next.error();
                return read;
            }
            if (!*next) break;
            read.replies.push_back(std::move(**next));
        }
    }
    return read;
}

bool same(const std::vector<SmtpReply>& a, const std::vector<SmtpReply>& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (a[i].code != b[i].code || a[i].lines != b[i].lines) return false;
    }
    return true;
}

// Every byte on its own: a reply must not depend on how TCP cut the stream.
std::vector<std::string> bytewise(const std::string& text) {
    std::vector<std::string> chunks;
    for (char c : text) chunks.emplace_back(1, c);
    return chunks;
}

}  // namespace

TEST_CASE("SMTP replies: complete replies come out, whole or byte by byte") {
    struct Case {
        std::string bytes;
        std::vector<SmtpReply> replies;
    };
    const std::vector<Case> cases{
        {"220 mx.example ESMTP\r\n", {{220, {"mx.example ESMTP"}}}},
        {"250-mx.example\r\n250-STARTTLS\r\n250 8BITMIME\r\n",
         {{250, {"mx.example", "STARTTLS", "8BITMIME"}}}},
        {"250\r\n", {{250, {""}}}},
        {"250-\r\n250 \r\n", {{250, {"", ""}}}},
        {"220 bare line feed\n", {{220, {"bare line feed"}}}},
        {"220 a\r\n250 b\r\n", {{220, {"a"}}, {250, {"b"}}}},
        // The text is the server's, kept as it came.
        {"554 tab\there, \x01 and \xff\r\n", {{554, {"tab\there, \x01 and \xff"}}}},
        {"220 not ended", {}},
        {"250-first line only\r\n", {}},
        {"559 x\r\n", {{559, {"x"}}}},
        {"200 x\r\n", {{200, {"x"}}}},
    };
    for (const Case& test : cases) {
        INFO(test.bytes);
        const Read whole = read_all({test.bytes});
        CHECK_FALSE(whole.error);
        CHECK(same(whole.replies, test.replies));
        const Read pieces = read_all(bytewise(test.bytes));
        CHECK_FALSE(pieces.error);
        CHECK(same(pieces.replies, test.replies));
    }
}

TEST_CASE("SMTP replies: a broken line or bound is an error, after the replies before it") {
    struct Case {
        std::string bytes;
        SmtpReplyError error;
        std::size_t replies_before = 0;
    };
    const std::string longest_text(1000 - 6, 'x');  // "250 " + text + CRLF: 1,000 octets
    std::string lines_100;
    for (int i = 0; i < 99; ++i) lines_100 += "250-x\r\n";
    const std::vector<Case> cases{
        {"2200 x\r\n", SmtpReplyError::malformed_line},
        {"abc\r\n", SmtpReplyError::malformed_line},
        {"22\r\n", SmtpReplyError::malformed_line},
        {"\r\n", SmtpReplyError::malformed_line},
        {"600 x\r\n", SmtpReplyError::malformed_line},
        {"160 x\r\n", SmtpReplyError::malformed_line},
        {"260 x\r\n", SmtpReplyError::malformed_line},
        {"25a x\r\n", SmtpReplyError::malformed_line},
        {"220 ok\r\n250_x\r\n", SmtpReplyError::malformed_line, 1},
        {"250-a\r\n251 b\r\n", SmtpReplyError::code_changed},
        {"250 " + longest_text + "x\r\n", SmtpReplyError::line_too_long},
        {"220 ok\r\n250 " + longest_text + "xx", SmtpReplyError::line_too_long, 1},
        {lines_100 + "250-x\r\n250 x\r\n", SmtpReplyError::too_many_lines},
    };
    for (const Case& test : cases) {
        INFO(test.bytes.substr(0, 40));
        for (const auto& chunks : {std::vector<std::string>{test.bytes}, bytewise(test.bytes)}) {
            const Read read = read_all(chunks);
            CHECK(read.error == test.error);
            CHECK(read.replies.size() == test.replies_before);
        }
    }
    // Right at the bounds: no error.
    const Read longest = read_all({"250 " + longest_text + "\r\n"});
    CHECK_FALSE(longest.error);
    CHECK(longest.replies.at(0).lines.at(0) == longest_text);
    const Read most_lines = read_all({lines_100 + "250 x\r\n"});
    CHECK_FALSE(most_lines.error);
    CHECK(most_lines.replies.at(0).lines.size() == 100);
}

TEST_CASE("SMTP replies: a line with no end is refused once it is past the longest line") {
    SmtpReplyReader reader;
    reader.append("220 " + std::string(995, 'x'));  // 999 octets: CRLF could still follow
    auto next = reader.next();
    REQUIRE(next);
    CHECK_FALSE(*next);
    reader.append("x");  // 1,000 octets and no LF: the line is longer than allowed
    next = reader.next();
    REQUIRE_FALSE(next);
    CHECK(next.error() == SmtpReplyError::line_too_long);
}

TEST_CASE("SMTP replies: the bytes of a reply are bounded, whatever its lines") {
    SmtpReplyLimits limits;
    limits.reply_octets = 25;
    // 15 + 10 octets, endings included: right at the bound.
    const Read at_bound = read_all({"250-123456789\r\n250 1234\r\n"}, limits);
    CHECK_FALSE(at_bound.error);
    CHECK(at_bound.replies.size() == 1);
    // 19 + 7: one past it.
    const Read past = read_all({"250-1234567890123\r\n250 x\r\n"}, limits);
    CHECK(past.error == SmtpReplyError::reply_too_long);
    // The bound is per reply: two replies at it are fine.
    const Read two =
        read_all({"250-123456789\r\n250 1234\r\n250-123456789\r\n250 1234\r\n"}, limits);
    CHECK_FALSE(two.error);
    CHECK(two.replies.size() == 2);
}

TEST_CASE("SMTP replies: an error stays, whatever comes after it") {
    SmtpReplyReader reader;
    reader.append("abc\r\n");
    REQUIRE_FALSE(reader.next());
    reader.append("220 fine\r\n");
    const auto next = reader.next();
    REQUIRE_FALSE(next);
    CHECK(next.error() == SmtpReplyError::malformed_line);
}

TEST_CASE("SMTP replies: clear() forgets what came after the replies taken") {
    SmtpReplyReader reader;
    reader.append("220 ready for TLS\r\n250 injected\r\n250-begun");
    auto next = reader.next();
    REQUIRE(next);
    REQUIRE(*next);
    CHECK((*next)->code == 220);
    CHECK(reader.buffered() == std::string("250 injected\r\n250-begun").size());
    reader.clear();
    CHECK(reader.buffered() == 0);
    next = reader.next();
    REQUIRE(next);
    CHECK_FALSE(*next);

    // A reply begun is forgotten too.
    reader.append("250-first\r\n");
    REQUIRE(reader.next());
    CHECK(reader.buffered() == 11);
    reader.clear();
    reader.append("221 bye\r\n");
    next = reader.next();
    REQUIRE(next);
    REQUIRE(*next);
    CHECK((*next)->code == 221);
    CHECK((*next)->lines == std::vector<std::string>{"bye"});
}

TEST_CASE("EHLO keywords: the first word of each line after the first, in upper case") {
    struct Case {
        std::vector<std::string> lines;
        std::vector<std::string> keywords;
    };
    const std::vector<Case> cases{
        {{"mx.example greets you", "starttls", "SIZE 1000", "8BITMIME", "AUTH PLAIN LOGIN"},
         {"STARTTLS", "SIZE", "8BITMIME", "AUTH"}},
        {{"STARTTLS"}, {}},  // the first line is the greeting, whatever it says
        {{"mx", "StartTLS"}, {"STARTTLS"}},
        {{"mx", "X-EXPN", "-bad", "", " STARTTLS", "X_Y", "ST\xc3\x84RTTLS", "DSN"},
         {"X-EXPN", "DSN"}},
        {{}, {}},
    };
    for (const Case& test : cases) {
        CHECK(ehlo_keywords(SmtpReply{250, test.lines}) == test.keywords);
    }
}

TEST_CASE("SMTP reply errors have words") {
    CHECK(to_string(SmtpReplyError::line_too_long) == "reply line too long");
    CHECK(to_string(SmtpReplyError::too_many_lines) == "reply of too many lines");
    CHECK(to_string(SmtpReplyError::reply_too_long) == "reply too long");
    CHECK(to_string(SmtpReplyError::malformed_line) == "malformed reply line");
    CHECK(to_string(SmtpReplyError::code_changed) == "reply code changed within a reply");
}
