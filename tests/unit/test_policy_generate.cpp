#include <catch2/catch.hpp>

#include "tlsrpt/evaluation.hpp"
#include "tlsrpt/generate.hpp"

using namespace tlsrpt;

namespace {

std::string generated(const std::vector<std::string>& destinations) {
    const auto record = generate_record(destinations);
    INFO((record ? *record : record.error().destination + ": " + record.error().reason));
    REQUIRE(record);
    return *record;
}

// The record as it would be published: split into strings, then evaluated as senders do.
Status status_of_published(const std::string& record) {
    return evaluate({TxtRecord{split_character_strings(record)}}).status;
}

}  // namespace

TEST_CASE("generated records follow the canonical form") {
    CHECK(generated({"mailto:tlsrpt@example.com"}) == "v=TLSRPTv1; rua=mailto:tlsrpt@example.com");
    CHECK(generated({"tlsrpt@example.com", "https://reports.example.net/v1"}) ==
          "v=TLSRPTv1; rua=mailto:tlsrpt@example.com,https://reports.example.net/v1");
    CHECK(generated({"MAILTO:a@example.com", "HTTPS://Reports.Example.NET/x"}) ==
          "v=TLSRPTv1; rua=mailto:a@example.com,https://reports.example.net/x");
}

TEST_CASE("a destination given twice appears once") {
    CHECK(generated({"a@example.com", "mailto:a@example.com", "MAILTO:a@EXAMPLE.com"}) ==
          "v=TLSRPTv1; rua=mailto:a@example.com");
}

TEST_CASE("delimiters inside URIs are percent-encoded, IDN hosts become A-labels") {
    CHECK(generated({"https://reports.example.net/a,b;c!d"}) ==
          "v=TLSRPTv1; rua=https://reports.example.net/a%2Cb%3Bc%21d");
    CHECK(generated({"tls!rpt@bücher.de"}) == "v=TLSRPTv1; rua=mailto:tls%21rpt@xn--bcher-kva.de");
    CHECK(generated({"https://bücher.de/tls"}) == "v=TLSRPTv1; rua=https://xn--bcher-kva.de/tls");
}

TEST_CASE("unusable destinations are refused with the reason") {
    auto record = generate_record({"a@example.com", "http://reports.example.net/"});
    REQUIRE_FALSE(record);
    CHECK(record.error().destination == "http://reports.example.net/");
    CHECK(record.error().reason.find("https") != std::string::npos);
    for (const char* destination : {"ftp://reports.example.net/", "reports.example.net", "",
                                    "mailto:", "https://", "https:///in"}) {
        INFO(destination);
        record = generate_record({destination});
        REQUIRE_FALSE(record);
        CHECK(record.error().destination == destination);
        CHECK_FALSE(record.error().reason.empty());
    }
    CHECK_FALSE(generate_record({}));
}

TEST_CASE("generated records always evaluate valid") {
    const std::vector<std::vector<std::string>> cases = {
        {"a@example.com"},
        {"https://reports.example.net/path?x=1,2;3!4"},
        {"mailto:a,b@example.com", "mailto:c;d@example.com", "mailto:e!f@example.com"},
        {"postmaster@exämple.com", "https://bücher.example.org/tls", "mailto:x@ドメイン.jp"},
        {"HtTpS://Example.NET:8443/a/b", "MAILTO:Ops@Example.COM"},
        {"https://reports.example.net/%41", "mailto:a+tag@example.com"},
    };
    for (const auto& destinations : cases) {
        const std::string record = generated(destinations);
        INFO(record);
        CHECK(status_of_published(record) == Status::valid);
    }
    // A list well over 255 octets, in several strings.
    std::vector<std::string> many;
    for (int i = 0; i < 40; ++i) {
        many.push_back("mailto:tls-reports-" + std::to_string(i) + "@reports.example.org");
    }
    const std::string record = generated(many);
    CHECK(record.size() > 1000);
    CHECK(split_character_strings(record).size() > 4);
    CHECK(status_of_published(record) == Status::valid);
}

TEST_CASE("records split into strings of at most the limit, after a comma when close") {
    CHECK(split_character_strings("") == std::vector<std::string>{""});
    CHECK(split_character_strings("abc") == std::vector<std::string>{"abc"});
    CHECK(split_character_strings("aaaa,bbbb,cc", 10) ==
          std::vector<std::string>{"aaaa,bbbb,", "cc"});
    CHECK(split_character_strings("aaaaaaaaa,bb", 10) ==
          std::vector<std::string>{"aaaaaaaaa,", "bb"});
    // A comma too early would leave a string mostly empty: cut at the limit instead.
    CHECK(split_character_strings("a,bbbbbbbbbbbb", 10) ==
          std::vector<std::string>{"a,bbbbbbbb", "bbbb"});
    CHECK(split_character_strings(std::string(600, 'x')) ==
          std::vector<std::string>{std::string(255, 'x'), std::string(255, 'x'),
                                   std::string(90, 'x')});
}

TEST_CASE("zone-file lines quote and escape each string") {
    CHECK(zone_file_line("example.com", 86400, "v=TLSRPTv1; rua=mailto:a@example.com") ==
          "_smtp._tls.example.com. 86400 IN TXT \"v=TLSRPTv1; rua=mailto:a@example.com\"");
    CHECK(zone_file_line("example.com.", 300, "x") == "_smtp._tls.example.com. 300 IN TXT \"x\"");
    CHECK(zone_file_line("", 60, "x") == "_smtp._tls 60 IN TXT \"x\"");
    CHECK(zone_file_line("example.com", 1, std::string("q\"b\\s\x01\xff", 7)) ==
          "_smtp._tls.example.com. 1 IN TXT \"q\\\"b\\\\s\\001\\255\"");
    CHECK(zone_file_line("example.com", 1, std::string(300, 'x')) ==
          "_smtp._tls.example.com. 1 IN TXT \"" + std::string(255, 'x') + "\" \"" +
              std::string(45, 'x') + "\"");
}
