// The canonical forms shared by suggestions and `generate`, and how suggestions are built.
#include <catch2/catch.hpp>

#include "tlsrpt/canonical.hpp"
#include "tlsrpt/evaluation.hpp"

using namespace tlsrpt;

namespace {

std::string canonical(std::string_view destination) {
    auto uri = canonical_uri(destination);
    INFO(destination);
    REQUIRE(uri.has_value());
    return *uri;
}

std::string refusal(std::string_view destination) {
    auto uri = canonical_uri(destination);
    INFO(destination);
    REQUIRE_FALSE(uri.has_value());
    return uri.error();
}

std::optional<std::string> suggestion_for(std::string record) {
    return evaluate({TxtRecord{{std::move(record)}}}).suggested_record;
}

}  // namespace

TEST_CASE("the canonical record has one rua field, a space after the version, bare commas") {
    CHECK(canonical_record({"mailto:a@example.com"}) == "v=TLSRPTv1; rua=mailto:a@example.com");
    CHECK(canonical_record({"mailto:a@example.com", "https://r.example.com/"}) ==
          "v=TLSRPTv1; rua=mailto:a@example.com,https://r.example.com/");
}

TEST_CASE("percent-encoding covers exactly the RFC 8460 delimiters") {
    CHECK(percent_encode_delimiters("a,b!c;d%2Ce") == "a%2Cb%21c%3Bd%2Ce");
    CHECK(percent_encode_delimiters("https://r.example.com/?a=1&b=2") ==
          "https://r.example.com/?a=1&b=2");
}

TEST_CASE("only the scheme is lowercased") {
    CHECK(lowercase_scheme("HTTPS://R.Example.com/Path") == "https://R.Example.com/Path");
    CHECK(lowercase_scheme("MailTo:A@B.example") == "mailto:A@B.example");
    CHECK(lowercase_scheme("no scheme here") == "no scheme here");
}

TEST_CASE("hosts become lower-case A-labels") {
    CHECK(*host_to_a_label("EXAMPLE.com") == "example.com");
    CHECK(*host_to_a_label("B\xC3\xBC"
                           "cher.DE") == "xn--bcher-kva.de");
    CHECK(*host_to_a_label("m\xC3\xBCnchen.de") == "xn--mnchen-3ya.de");
    CHECK_FALSE(host_to_a_label("bad\xFF.de").has_value());
}

TEST_CASE("canonical_uri repairs what can be repaired") {
    CHECK(canonical("tlsrpt@example.com") == "mailto:tlsrpt@example.com");
    CHECK(canonical("MAILTO:tlsrpt@Example.COM") == "mailto:tlsrpt@example.com");
    CHECK(canonical("https://R.example.com/a,b!c;d") == "https://r.example.com/a%2Cb%21c%3Bd");
    CHECK(canonical("https://b\xC3\xBC"
                    "cher.de/r\xC3\xA9") == "https://xn--bcher-kva.de/r%C3%A9");
    CHECK(canonical("mailto:tls@b\xC3\xBC"
                    "cher.de") == "mailto:tls@xn--bcher-kva.de");
    CHECK(canonical("https://r.example.com:8443/in?x=1") == "https://r.example.com:8443/in?x=1");
}

TEST_CASE("canonical_uri refuses what senders cannot use, saying why") {
    CHECK_THAT(refusal("http://r.example.com/"), Catch::Contains("https"));
    CHECK_THAT(refusal("ftp://r.example.com/"), Catch::Contains("mailto: and https:"));
    CHECK_THAT(refusal("reports.example.com"), Catch::Contains("no scheme"));
    CHECK_THAT(refusal("https://localhost/in"), Catch::Contains("public"));
    CHECK_THAT(refusal("mailto:a@example.com?subject=x"), Catch::Contains("header fields"));
    CHECK_THAT(refusal("https:///in"), Catch::Contains("no host"));
    CHECK_THAT(refusal("mailto:a b@example.com"), Catch::Contains("whitespace"));
    CHECK_THAT(refusal(std::string("mailto:a@example.com\n")), Catch::Contains("control"));
    CHECK_FALSE(canonical_uri("mailto:a@example.com,b@example.com").has_value());
}

TEST_CASE("a canonical URI always makes a valid record") {
    for (const char* destination :
         {"a@example.com", "HTTPS://r.example.com/x!y", "mailto:j\xC3\xB6rg@example.com",
          "https://r.example.com/?a=1;b=2,c=3", "https://[2a00:1450:4001::1]/in"}) {
        INFO(destination);
        const Evaluation evaluation =
            evaluate({TxtRecord{{canonical_record({canonical(destination)})}}});
        CHECK(evaluation.status == Status::valid);
        CHECK(evaluation.diagnostics.empty());
    }
}

TEST_CASE("suggestions merge records and fields in order, once each") {
    const Evaluation evaluation = evaluate({
        TxtRecord{{"v=TLSRPTv1; rua=mailto:b@example.com; rua=MAILTO:a@example.com"}},
        TxtRecord{{"v=TLSRPTv1; rua=mailto:a@example.com,https://r.example.com/"}},
    });
    CHECK(evaluation.status == Status::invalid);
    CHECK(evaluation.suggested_record ==
          "v=TLSRPTv1; rua=mailto:b@example.com,mailto:a@example.com,https://r.example.com/");
}

TEST_CASE("suggestions drop extensions and what cannot be salvaged") {
    CHECK(suggestion_for("v=TLSRPTv1; rua=mailto:a@example.com; ext=1") ==
          "v=TLSRPTv1; rua=mailto:a@example.com");
    CHECK(suggestion_for("v=TLSRPTv1; rua=http://r.example.com/") == std::nullopt);
}

TEST_CASE("a host that is not public stays in a suggestion, with its warning") {
    CHECK(suggestion_for("v=TLSRPTv1; rua=https://localhost/,mailto:a@example.com; ext=1") ==
          "v=TLSRPTv1; rua=https://localhost/,mailto:a@example.com");
    // Nothing else to fix: the record would be its own suggestion.
    CHECK(suggestion_for("v=TLSRPTv1; rua=https://localhost/,mailto:a@example.com") ==
          std::nullopt);
    CHECK(canonical_uri("HTTPS://LocalHost/in", NonPublicHost::keep).value() ==
          "https://localhost/in");
    CHECK_FALSE(canonical_uri("https://localhost/in").has_value());
}

TEST_CASE("a valid record gets no suggestion") {
    CHECK(suggestion_for("v=TLSRPTv1; rua=mailto:a@example.com") == std::nullopt);
}
