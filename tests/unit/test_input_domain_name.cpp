#include <catch2/catch.hpp>

#include <string>

#include "tlsrpt/domain_name.hpp"

using namespace tlsrpt;

namespace {

// What `normalise` makes of `input`, which it must accept.
template <typename Normalise>
auto accepted(Normalise normalise, std::string_view input) {
    auto domain = normalise(input);
    INFO(input << ": " << (domain ? "" : domain.error().message));
    REQUIRE(domain);
    return *domain;
}

// Why `normalise` refuses `input`.
template <typename Normalise>
std::string refused(Normalise normalise, std::string_view input) {
    auto domain = normalise(input);
    INFO(input);
    REQUIRE_FALSE(domain);
    CHECK(domain.error().code == "invalid-domain");
    CHECK(domain.error().severity == Severity::error);
    return domain.error().message;
}

std::string normalised(std::string_view input) {
    return accepted(normalise_domain, input);
}

std::string refusal(std::string_view input) {
    return refused(normalise_domain, input);
}

DomainInput taken_from(std::string_view input) {
    return accepted(normalise_domain_input, input);
}

std::string input_refusal(std::string_view input) {
    return refused(normalise_domain_input, input);
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

TEST_CASE("what people paste for a domain gives the domain and how it was written") {
    struct Case {
        std::string_view input;
        std::string_view domain;
        DomainInputForm form;
    };
    const Case cases[] = {
        {"example.com", "example.com", DomainInputForm::domain},
        {"Example.COM.", "example.com", DomainInputForm::domain},
        {"_smtp._tls.example.com", "example.com", DomainInputForm::query_name},
        {"_SMTP._TLS.Example.com.", "example.com", DomainInputForm::query_name},
        {"https://example.com/", "example.com", DomainInputForm::url},
        {"https://www.example.com:8443/path?q=1#x", "www.example.com", DomainInputForm::url},
        {"http://user:pw@example.org", "example.org", DomainInputForm::url},
        {"HTTPS://bücher.example/", "xn--bcher-kva.example", DomainInputForm::url},
        {"example.com/tlsrpt", "example.com", DomainInputForm::url},
        {"postmaster@example.com", "example.com", DomainInputForm::address},
        {"mailto:tlsrpt@Example.NET?subject=x", "example.net", DomainInputForm::address},
        {"@example.com", "example.com", DomainInputForm::address},
        {"https://_smtp._tls.example.com/", "example.com", DomainInputForm::url},
    };
    for (const Case& c : cases) {
        const DomainInput taken = taken_from(c.input);
        CHECK(taken.domain == c.domain);
        CHECK(taken.form == c.form);
    }
}

TEST_CASE("a domain taken from another form gets a note naming the domain") {
    const Diagnostic query = domain_input_note(DomainInputForm::query_name, "example.com");
    CHECK(query.code == "query-name-given");
    CHECK(query.severity == Severity::info);
    CHECK(query.message ==
          "The input is the name the record is published at, _smtp._tls.example.com; the "
          "domain example.com is checked.");
    const Diagnostic url = domain_input_note(DomainInputForm::url, "example.com");
    CHECK(url.code == "url-given");
    CHECK(url.message == "The input is a URL; the domain of its host, example.com, is checked.");
    const Diagnostic address = domain_input_note(DomainInputForm::address, "example.com");
    CHECK(address.code == "address-given");
    CHECK(address.message ==
          "The input is an e-mail address; its domain, example.com, is checked.");
}

TEST_CASE("an input that holds no domain is refused with what was seen") {
    CHECK(input_refusal("a..b") ==
          "expected a domain name such as example.com, saw \"a..b\": the domain name has an "
          "empty label (two dots in a row, or a leading dot)");
    CHECK(input_refusal("two words") ==
          "expected one domain name such as example.com, saw several words: \"two words\"");
    CHECK(input_refusal("192.0.2.1") ==
          "expected a domain name such as example.com, saw an IP address: \"192.0.2.1\"; "
          "TLS-RPT records are published under domain names");
    CHECK(input_refusal("https://[2001:db8::1]/").find("saw an IP address") != std::string::npos);
    CHECK(input_refusal("https:///path") ==
          "expected a domain name such as example.com, saw a URL without a host: "
          "\"https:///path\"");
    CHECK(input_refusal("postmaster@") ==
          "expected a domain name such as example.com, saw an address without a domain: "
          "\"postmaster@\"");
    CHECK(input_refusal("_smtp._tls.") ==
          "expected a domain name such as example.com, saw the _smtp._tls. prefix alone: "
          "\"_smtp._tls.\"");
    CHECK(input_refusal("example.com:25")
              .find("saw \"example.com:25\": the domain name "
                    "contains ':' at position 12") != std::string::npos);
}

TEST_CASE("a refusal quotes the input in printable ASCII, cut when long") {
    CHECK(input_refusal("a\x1b[31m..b").find("saw \"a\\x1B[31m..b\"") != std::string::npos);
    CHECK(input_refusal("\"q\"..x").find("saw \"\\\"q\\\"..x\"") != std::string::npos);
    const std::string long_input = std::string(70, 'a') + "..b";
    CHECK(input_refusal(long_input).find("saw \"" + std::string(64, 'a') + "\"...:") !=
          std::string::npos);
}
