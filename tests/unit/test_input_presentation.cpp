#include <string>

#include <catch2/catch.hpp>

#include "tlsrpt/presentation.hpp"

using namespace tlsrpt;

namespace {

std::vector<std::string> strings_of(std::string_view line) {
    auto record = parse_presentation(line);
    REQUIRE(record.has_value());
    return record->strings;
}

PresentationError error_of(std::string_view line) {
    auto record = parse_presentation(line);
    REQUIRE_FALSE(record.has_value());
    return record.error();
}

}  // namespace

TEST_CASE("quoted character-strings are separated by whitespace") {
    CHECK(strings_of(R"("v=TLSRPTv1; " "rua=mailto:a@example.com")") ==
          std::vector<std::string>{"v=TLSRPTv1; ", "rua=mailto:a@example.com"});
    CHECK(strings_of("\t\"a\"\t\"b\"  ") == std::vector<std::string>{"a", "b"});
    CHECK(strings_of(R"("a""b")") == std::vector<std::string>{"a", "b"});
    CHECK(strings_of(R"("")") == std::vector<std::string>{""});
}

TEST_CASE("a line without quotes is one string taken as is") {
    CHECK(strings_of(" v=TLSRPTv1; rua=mailto:a@b.c \\065") ==
          std::vector<std::string>{" v=TLSRPTv1; rua=mailto:a@b.c \\065"});
    CHECK(strings_of("") == std::vector<std::string>{""});
}

TEST_CASE("escapes give quotes, backslashes and any octet") {
    CHECK(strings_of(R"("\"q\" \\ \065\066")") == std::vector<std::string>{"\"q\" \\ AB"});
    CHECK(strings_of(R"("\000\255")") == std::vector<std::string>{std::string("\0\xff", 2)});
    CHECK(strings_of(R"("\;\x")") == std::vector<std::string>{";x"});
}

TEST_CASE("strings over 255 octets are kept for the evaluator to report") {
    const std::string long_text(300, 'a');
    CHECK(strings_of("\"" + long_text + "\"") == std::vector<std::string>{long_text});
}

TEST_CASE("malformed lines give a 1-based column and a reason") {
    const auto unterminated = error_of(R"("a" "bc)");
    CHECK(unterminated.column == 5);
    CHECK_THAT(unterminated.message, Catch::Contains("Unterminated"));

    const auto too_big = error_of(R"("ab\256")");
    CHECK(too_big.column == 4);
    CHECK_THAT(too_big.message, Catch::Contains("255"));

    const auto short_escape = error_of(R"("\12x")");
    CHECK(short_escape.column == 2);
    CHECK_THAT(short_escape.message, Catch::Contains("three decimal digits"));

    const auto between = error_of(R"("a" b "c")");
    CHECK(between.column == 5);
    CHECK_THAT(between.message, Catch::Contains("between or after"));

    const auto after = error_of(R"("a" junk)");
    CHECK(after.column == 5);

    const auto before = error_of(R"(txt "a")");
    CHECK(before.column == 1);
    CHECK_THAT(before.message, Catch::Contains("before the first"));

    const auto trailing_backslash = error_of("\"a\\");
    CHECK(trailing_backslash.column == 3);
}
