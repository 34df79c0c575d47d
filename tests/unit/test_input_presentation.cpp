#include <sstream>
#include <string>
#include <vector>

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

namespace {

// The records RecordTextReader finds in `text`, one line at a time, each as its strings.
std::vector<std::vector<std::string>> records_in(const std::string& text) {
    RecordTextReader reader;
    std::vector<std::vector<std::string>> records;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        auto record = reader.read_line(line);
        INFO(line);
        REQUIRE(record);
        if (*record) records.push_back((*record)->strings);
    }
    return records;
}

}  // namespace

TEST_CASE("zone-file lines give their TXT data, with or without TTL, class and owner") {
    using Strings = std::vector<std::string>;
    CHECK(records_in("_smtp._tls.example.com. 3600 IN TXT \"v=TLSRPTv1; \" \"rua=mailto:a@b.c\"") ==
          std::vector<Strings>{{"v=TLSRPTv1; ", "rua=mailto:a@b.c"}});
    CHECK(records_in("_smtp._tls IN 300 txt \"a\"\n@ TXT \"b\"\n\tIN TXT \"c\"") ==
          std::vector<Strings>{{"a"}, {"b"}, {"c"}});
    // Records of other types are skipped in a file, and so are ; comments.
    CHECK(records_in("; zone\nexample.com. 300 IN MX 10 mx.example.com.\n@ IN TXT \"d\"") ==
          std::vector<Strings>{{"d"}});
}

TEST_CASE("dig output gives the TXT records of its ANSWER section only") {
    const std::string dig =
        "; <<>> DiG 9.18.28 <<>> TXT _smtp._tls.example.com\n"
        ";; global options: +cmd\n"
        ";; Got answer:\n"
        ";; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: 4242\n"
        ";; flags: qr rd ra; QUERY: 1, ANSWER: 2, AUTHORITY: 1, ADDITIONAL: 1\n"
        "\n"
        ";; QUESTION SECTION:\n"
        ";_smtp._tls.example.com.\t\tIN\tTXT\n"
        "\n"
        ";; ANSWER SECTION:\n"
        "_smtp._tls.example.com.\t300\tIN\tCNAME\ttlsrpt.example.net.\n"
        "tlsrpt.example.net.\t300\tIN\tTXT\t\"v=TLSRPTv1; rua=mailto:a@example.net\"\n"
        "\n"
        ";; AUTHORITY SECTION:\n"
        "example.net.\t300\tIN\tTXT\t\"not an answer\"\n"
        "\n"
        ";; Query time: 1 msec\n";
    CHECK(records_in(dig) ==
          std::vector<std::vector<std::string>>{{"v=TLSRPTv1; rua=mailto:a@example.net"}});
}

TEST_CASE("dig +short lines and bare record text are read as before") {
    CHECK(records_in("\"v=TLSRPTv1; \" \"rua=mailto:a@b.c\"\nv=TLSRPTv1; rua=mailto:x@y.z\n"
                     ";v=TLSRPTv1; rua=mailto:a@b.c\n") ==
          std::vector<std::vector<std::string>>{{"v=TLSRPTv1; ", "rua=mailto:a@b.c"},
                                                {"v=TLSRPTv1; rua=mailto:x@y.z"},
                                                {";v=TLSRPTv1; rua=mailto:a@b.c"}});
}

TEST_CASE("what the reader cannot read names the formats it expects") {
    RecordTextReader reader;
    const auto broken = reader.read_line("_smtp._tls 300 IN TXT \"v=TLSRPTv1; rua=");
    REQUIRE_FALSE(broken);
    CHECK(broken.error().column == 23);
    CHECK(broken.error().message ==
          "Unterminated quoted string: the closing quote is missing. Expected a TXT record as "
          "dig +short prints it (\"...\" \"...\"), a zone-file line (NAME [TTL] [CLASS] TXT "
          "\"...\") or dig output.");
    // One record given alone must be a TXT record; blank or ";" text is taken as it is.
    RecordTextReader one(RecordTextReader::Input::one_record);
    const auto other_type = one.read_line("example.com. 300 IN MX 10 mx.example.com.");
    REQUIRE_FALSE(other_type);
    CHECK(other_type.error().message.rfind("This is a record of type MX, not a TXT record. "
                                           "Expected a TXT record as dig +short prints it",
                                           0) == 0);
    const auto comment_like = one.read_line("; no record");
    REQUIRE(comment_like);
    REQUIRE(*comment_like);
    CHECK((*comment_like)->strings == std::vector<std::string>{"; no record"});
}
