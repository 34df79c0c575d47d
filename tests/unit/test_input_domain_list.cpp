#include <catch2/catch.hpp>

#include <new>
#include <sstream>
#include <streambuf>
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

TEST_CASE("a line over 64 KiB is a malformed line of its own, read past but not kept") {
    const std::string longest(DomainListReader::max_line_length, 'y');
    const std::string text =
        "a.test\n" + std::string(100'000, 'x') + "\nb.test\n" + longest + "\n" + "z,z\n";
    std::istringstream in(text + std::string(70'000, '\0'));
    DomainListReader reader(in);
    std::vector<DomainLine> lines;
    while (auto line = reader.next()) lines.push_back(std::move(*line));
    REQUIRE(lines.size() == 6);
    CHECK(lines[0].domain == "a.test");
    CHECK(lines[1].number == 2);
    CHECK(lines[1].domain.empty());
    CHECK(lines[1].problem == "line 2: longer than 65536 octets");
    CHECK(lines[2].domain == "b.test");
    CHECK(lines[2].number == 3);
    // A line of exactly the limit is still read.
    CHECK(lines[3].domain == longest);
    CHECK_FALSE(lines[3].problem);
    CHECK(lines[4].number == 5);
    REQUIRE(lines[4].problem);
    // The last line, without a line ending.
    CHECK(lines[5].number == 6);
    CHECK(lines[5].problem == "line 6: longer than 65536 octets");
    CHECK(reader.bytes_read() == text.size() + 70'000);
}

namespace {

// A stream buffer that gives `lines`, then throws `std::bad_alloc`, as a read that runs out of
// memory does.
class FailingInput : public std::streambuf {
  public:
    explicit FailingInput(std::string lines) : lines_(std::move(lines)) {
        setg(lines_.data(), lines_.data(), lines_.data() + lines_.size());
    }

  protected:
    int_type underflow() override { throw std::bad_alloc(); }

  private:
    std::string lines_;
};

}  // namespace

TEST_CASE("an error inside the stream is never taken for the end of the list") {
    FailingInput failing("a.test\nb.te");
    std::istream in(&failing);
    DomainListReader reader(in);
    REQUIRE(reader.next());
    CHECK_THROWS_AS(reader.next(), std::bad_alloc);
}
