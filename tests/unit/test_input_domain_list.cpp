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
    const auto lines = read_all("ok.test\ntwo words\n3,\n,x.test\n\"a b\",x\nok2.test\n");
    REQUIRE(lines.size() == 6);
    CHECK_FALSE(lines[0].problem);
    for (std::size_t i = 1; i < 5; ++i) {
        INFO(lines[i].domain);
        REQUIRE(lines[i].problem);
        CHECK(lines[i].problem->find("line " + std::to_string(i + 1) + ":") == 0);
    }
    CHECK(lines[1].domain == "two words");
    CHECK(*lines[1].problem == "line 2: expected one domain per line or column, saw several words");
    CHECK(*lines[2].problem == "line 3: expected a domain in column 2, found none");
    CHECK(*lines[3].problem == "line 4: expected a domain in column 1, found none");
    CHECK_FALSE(lines[5].problem);
    CHECK(lines[5].number == 6);
}

TEST_CASE("a header line is skipped; a title names the domain column") {
    for (const char* list : {"domain\na.test\n", "Domain\r\na.test\n", "rank,domain\n1,a.test\n",
                             "\"Rank\",\"Domain\"\n1,a.test\n", "# list\nsite,owner\na.test,x\n",
                             "rank,name\n1,a.test\n"}) {
        INFO(list);
        const auto lines = read_all(list);
        REQUIRE(lines.size() == 1);
        CHECK(lines[0].domain == "a.test");
        CHECK_FALSE(lines[0].problem);
    }
    // By its title: the domain is the third column here, whatever the others hold.
    const auto named = read_all("id,owner,hostname\n7,ops,b.test\n8,x.test,c.test,extra\n");
    REQUIRE(named.size() == 2);
    CHECK(named[0].domain == "b.test");
    CHECK(named[1].domain == "c.test");
    // A title elsewhere than the first line is data.
    const auto later = read_all("a.test\ndomain\n");
    REQUIRE(later.size() == 2);
    CHECK(later[1].domain == "domain");
}

TEST_CASE("a CSV without a header gives the first column, or the second after a rank") {
    const auto lines =
        read_all("a.test,Owner Inc,2024\n1,b.test,extra\n\"c.test\",\"Owner, Inc\"\nd.test,\n");
    REQUIRE(lines.size() == 4);
    CHECK(lines[0].domain == "a.test");
    CHECK(lines[1].domain == "b.test");
    CHECK(lines[2].domain == "c.test");
    CHECK(lines[3].domain == "d.test");
    for (const auto& line : lines) CHECK_FALSE(line.problem);
}

TEST_CASE("a trailing comment after whitespace is dropped") {
    const auto lines = read_all("a.test # main domain\n1,b.test\t#2\nc.test#x\n");
    REQUIRE(lines.size() == 3);
    CHECK(lines[0].domain == "a.test");
    CHECK(lines[1].domain == "b.test");
    // Without whitespace before it, "#" is part of the name (and the name is refused later).
    CHECK(lines[2].domain == "c.test#x");
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
        "a.test\n" + std::string(100'000, 'x') + "\nb.test\n" + longest + "\n" + "two words\n";
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
    CHECK(lines[4].problem == "line 5: expected one domain per line or column, saw several words");
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
