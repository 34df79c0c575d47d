#include <catch2/catch.hpp>

#include <string>

#include "tlsrpt/domain_name.hpp"

using namespace tlsrpt;

namespace {

std::string normalised(std::string_view input) {
    auto domain = normalise_domain(input);
    INFO(input << ": " << (domain ? "" : domain.error().message));
    REQUIRE(domain);
    return *domain;
}

std::string refusal(std::string_view input) {
    auto domain = normalise_domain(input);
    INFO(input);
    REQUIRE_FALSE(domain);
    CHECK(domain.error().code == "invalid-domain");
    CHECK(domain.error().severity == Severity::error);
    return domain.error().message;
}

}  // namespace

TEST_CASE("domain names are case-folded and lose one trailing dot") {
    CHECK(normalised("example.com") == "example.com");
    CHECK(normalised("Example.COM.") == "example.com");
    CHECK(normalised("mail-1.sub_domain.example") == "mail-1.sub_domain.example");
    CHECK(normalised("localhost") == "localhost");
}

TEST_CASE("IDN names become A-labels") {
    CHECK(normalised("bücher.example") == "xn--bcher-kva.example");
    CHECK(normalised("BÜCHER.example.") == "xn--bcher-kva.example");
    CHECK(normalised("例え.テスト") == "xn--r8jz45g.xn--zckzah");
    // Non-transitional processing (IDNA 2008): ß stays ß instead of becoming ss.
    CHECK(normalised("faß.de") == "xn--fa-hia.de");
    CHECK(normalised("xn--bcher-kva.example") == "xn--bcher-kva.example");
}

TEST_CASE("empty names and empty labels are refused") {
    CHECK(refusal("").find("empty") != std::string::npos);
    CHECK(refusal(".").find("empty") != std::string::npos);
    CHECK(refusal("a..b").find("empty label") != std::string::npos);
    CHECK(refusal(".example.com").find("empty label") != std::string::npos);
    CHECK(refusal("example.com..").find("empty label") != std::string::npos);
}

TEST_CASE("labels are at most 63 octets") {
    CHECK(normalised(std::string(63, 'a') + ".example") == std::string(63, 'a') + ".example");
    CHECK(refusal(std::string(64, 'a') + ".example").find("64 octets") != std::string::npos);
}

TEST_CASE("the name with _smtp._tls. in front is at most 253 octets") {
    // 11 octets of prefix + 242 = 253.
    const std::string label(60, 'a');
    const std::string fits = label + "." + label + "." + label + "." + std::string(59, 'b');
    REQUIRE(fits.size() == 242);
    CHECK(normalised(fits) == fits);
    CHECK(refusal(fits + "b").find("254 octets") != std::string::npos);
}

TEST_CASE("characters that cannot be in a host name are refused") {
    CHECK(refusal("exa mple.com").find("\\x20") != std::string::npos);
    CHECK(refusal("user@example.com").find("'@' at position 5") != std::string::npos);
    CHECK(refusal("https://example.com").find("':'") != std::string::npos);
    CHECK(refusal("example.com/").find("'/'") != std::string::npos);
    CHECK(refusal("exa\x1bmple.com").find("\\x1B") != std::string::npos);
    CHECK(refusal(std::string("a\0b.com", 7)).find("NUL") != std::string::npos);
}

TEST_CASE("names libidn2 cannot convert are refused") {
    CHECK(refusal("\xff\xfe.example").find("A-labels") != std::string::npos);
}

TEST_CASE("the query name puts _smtp._tls. in front") {
    CHECK(tlsrpt_query_name("example.com") == "_smtp._tls.example.com");
}
