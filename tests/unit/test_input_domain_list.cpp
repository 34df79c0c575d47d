#include <catch2/catch.hpp>

#include <sstream>
#include <string>
#include <vector>

#include "input/domain_list.hpp"

using tlsrpt::input::DomainLine;
using tlsrpt::input::DomainListReader;

namespace {

std::vector<DomainLine> read_all(const std::string& text) {
    std::istringstream in(text);
    DomainListReader reader(in);
    std::vector<DomainLine> lines;
    while (auto line = reader.next()) lines.push_back(std::move(*line));
    return lines;
}

}  // namespace

TEST_CASE("a domain list yields one entry per domain line with its line number") {
    const auto lines =
        read_all("example.com\n\n# a comment\n  example.org  \n\t# indented\nx.test");
    REQUIRE(lines.size() == 3);
    CHECK(lines[0].number == 1);
    CHECK(lines[0].domain == "example.com");
    CHECK(lines[1].number == 4);
    CHECK(lines[1].domain == "example.org");
    CHECK(lines[2].number == 6);
    CHECK(lines[2].domain == "x.test");
    for (const auto& line : lines) CHECK_FALSE(line.problem);
}

TEST_CASE("CRLF line endings and surrounding whitespace are tolerated") {
    const auto lines = read_all("a.test\r\n \tb.test \r\n\r\n");
    REQUIRE(lines.size() == 2);
    CHECK(lines[0].domain == "a.test");
    CHECK(lines[1].domain == "b.test");
    CHECK(lines[1].number == 2);
}

TEST_CASE("rank,domain lines give the domain") {
    const auto lines = read_all("1,google.com\r\n2, example.org\n");
    REQUIRE(lines.size() == 2);
    CHECK(lines[0].domain == "google.com");
    CHECK(lines[1].domain == "example.org");
    CHECK_FALSE(lines[1].problem);
}

TEST_CASE("malformed lines are reported with their line number, never dropped") {
    const auto lines = read_all("ok.test\ntwo words\nx,example.com\n1,a.test,b\n3,\nok2.test\n");
    REQUIRE(lines.size() == 6);
    CHECK_FALSE(lines[0].problem);
    for (std::size_t i = 1; i < 5; ++i) {
        INFO(lines[i].domain);
        REQUIRE(lines[i].problem);
        CHECK(lines[i].problem->find("line " + std::to_string(i + 1) + ":") == 0);
    }
    CHECK(lines[1].domain == "two words");
    CHECK_FALSE(lines[5].problem);
    CHECK(lines[5].number == 6);
}

TEST_CASE("an empty list and a list of comments yield nothing") {
    CHECK(read_all("").empty());
    CHECK(read_all("# only\n\n   \n").empty());
}

TEST_CASE("the reader counts the octets it consumed") {
    std::istringstream in("a.test\r\nb.test\n");
    DomainListReader reader(in);
    REQUIRE(reader.next());
    CHECK(reader.bytes_read() == 8);
    REQUIRE(reader.next());
    CHECK(reader.bytes_read() == 15);
}
