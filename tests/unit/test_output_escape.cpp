#include <catch2/catch.hpp>

#include <random>

#include "json.hpp"
#include "output/escape.hpp"
#include "utf8.hpp"

using namespace tlsrpt::output;

namespace {

std::string json(std::string_view bytes) {
    std::string out;
    append_json_string(out, bytes);
    return out;
}

}  // namespace

TEST_CASE("escape_bytes shows every byte outside printable ASCII as \\DDD") {
    CHECK(escape_bytes("v=TLSRPTv1; rua=mailto:a@b") == "v=TLSRPTv1; rua=mailto:a@b");
    CHECK(escape_bytes(std::string("a\0b", 3)) == "a\\000b");
    CHECK(escape_bytes("\x1b[31mred\x7f") == "\\027[31mred\\127");
    CHECK(escape_bytes("caf\xc3\xa9") == "caf\\195\\169");
    CHECK(escape_bytes("back\\slash") == "back\\\\slash");
    CHECK(escape_bytes("a|b", "|") == "a\\124b");
    CHECK(escape_bytes("\r\n\t") == "\\013\\010\\009");
}

TEST_CASE("escaped_width counts the columns of the escaped display") {
    CHECK(escaped_width("abc") == 3);
    CHECK(escaped_width("\\") == 2);
    CHECK(escaped_width("\x01\xff") == 8);
    CHECK(escaped_width("") == 0);
    const std::string record = "a\tb\\c\xc3\xa9";
    CHECK(escaped_width(record) == escape_bytes(record).size());
}

TEST_CASE("JSON strings escape quotes, backslashes and controls") {
    CHECK(json("plain") == "\"plain\"");
    CHECK(json("say \"hi\" \\ bye") == "\"say \\\"hi\\\" \\\\ bye\"");
    CHECK(json("\n\r\t") == "\"\\n\\r\\t\"");
    CHECK(json(std::string("\0\x01\x1f\x7f", 4)) == "\"\\u0000\\u0001\\u001f\\u007f\"");
    CHECK(json("") == "\"\"");
}

TEST_CASE("JSON strings keep valid UTF-8 and escape C1 controls and line separators") {
    CHECK(json("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80") ==
          "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
    CHECK(json("\xc2\x85\xc2\x9b") == "\"\\u0085\\u009b\"");
    CHECK(json("\xe2\x80\xa8\xe2\x80\xa9") == "\"\\u2028\\u2029\"");
    CHECK(json("\xc2\xa0") == "\"\xc2\xa0\"");  // NBSP is printable
}

TEST_CASE("JSON strings escape the controls that reorder how a line is displayed") {
    // RLO and PDF (U+202E, U+202C), LRI and PDI (U+2066, U+2069); the mark U+200F stays.
    CHECK(json("\xe2\x80\xae"
               "evil\xe2\x80\xac\xe2\x81\xa6x\xe2\x81\xa9\xe2\x80\x8f") ==
          "\"\\u202eevil\\u202c\\u2066x\\u2069\xe2\x80\x8f\"");
    CHECK(json("\xe2\x80\xa9\xe2\x80\xa7\xe2\x81\xa5") == "\"\\u2029\xe2\x80\xa7\xe2\x81\xa5\"");
}

TEST_CASE("each byte of ill-formed UTF-8 becomes U+FFFD") {
    const std::string fffd = "\xef\xbf\xbd";
    CHECK(json("a\xff"
               "b") == "\"a" + fffd + "b\"");
    CHECK(json("\xc3") == "\"" + fffd + "\"");                                   // truncated
    CHECK(json("\xc0\xaf") == "\"" + fffd + fffd + "\"");                        // overlong
    CHECK(json("\xed\xa0\x80") == "\"" + fffd + fffd + fffd + "\"");             // surrogate
    CHECK(json("\xf4\x90\x80\x80") == "\"" + fffd + fffd + fffd + fffd + "\"");  // > U+10FFFF
    CHECK(json("\xe2\x82"
               "a") == "\"" + fffd + fffd + "a\"");
}

TEST_CASE("CSV cells are quoted per RFC 4180 and formulas neutralised") {
    CHECK(csv_cell("plain") == "plain");
    CHECK(csv_cell("") == "");
    CHECK(csv_cell("a,b") == "\"a,b\"");
    CHECK(csv_cell("say \"hi\"") == "\"say \"\"hi\"\"\"");
    CHECK(csv_cell("line\nbreak") == "\"line\nbreak\"");
    CHECK(csv_cell("=1+1") == "'=1+1");
    CHECK(csv_cell("+1") == "'+1");
    CHECK(csv_cell("-1") == "'-1");
    CHECK(csv_cell("@SUM(A1)") == "'@SUM(A1)");
    CHECK(csv_cell("\tx") == "'\tx");
    CHECK(csv_cell("\rx") == "\"'\rx\"");
    CHECK(csv_cell("=a,b") == "\"'=a,b\"");
}

TEST_CASE("escape_prose keeps backslashes and escapes the rest like escape_bytes") {
    CHECK(escape_prose("The escape \\999 is above 255.") == "The escape \\999 is above 255.");
    CHECK(escape_prose("file\x1b[2J\xc3\xa9") == "file\\027[2J\\195\\169");
}

TEST_CASE("a name in presentation form keeps its escapes, and is escaped like bytes otherwise") {
    CHECK(escape_name("a\\000b.x\\.y\\\\z.example") == "a\\000b.x\\.y\\\\z.example");
    CHECK(escape_name("odd\x1b.example") == "odd\\027.example");
    std::string cell;
    append_escaped_name(cell, "a|b\\124c", "|");
    CHECK(cell == "a\\124b\\124c");
}

TEST_CASE("any bytes make a valid JSON string of valid UTF-8") {
    using tlsrpt::testing::is_valid_utf8;
    using tlsrpt::testing::Json;
    const auto check = [](std::string_view bytes) {
        const std::string text = json(bytes);
        INFO(escape_bytes(bytes));
        REQUIRE(is_valid_utf8(text));
        const std::string decoded = Json::parse(text).string();
        // Well-formed input comes back unchanged; ill-formed bytes became U+FFFD.
        if (is_valid_utf8(bytes)) REQUIRE(decoded == bytes);
    };
    std::mt19937 random(8460);
    std::uniform_int_distribution<int> byte(0, 255), size(0, 12);
    for (int round = 0; round < 20000; ++round) {
        std::string bytes;
        for (int i = size(random); i > 0; --i) bytes += static_cast<char>(byte(random));
        check(bytes);
    }
    for (int first = 0; first < 256; ++first) {
        for (int second = 0; second < 256; ++second) {
            const char pair[] = {static_cast<char>(first), static_cast<char>(second)};
            check(std::string_view(pair, 2));
        }
    }
}
