// The record evaluator over any RRset: the input holds one TXT record per line in presentation
// format (a line that does not parse is one string as is). Checks the contract of Evaluation:
// records joined as received, a status that agrees with the diagnostics and the policy,
// diagnostics inside their record and free of raw bytes, and a suggestion that is itself a
// valid record with nothing to report but hosts that are not public; a destination senders can
// deliver to names a real address where it names one. And what RFC 8460 §3 implies: the verdict
// depends on the joined text, not on where the strings split it, nor on the order of the records.
#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <string>
#include <vector>

#include "fuzz_support.hpp"
#include "tlsrpt/canonical.hpp"
#include "tlsrpt/evaluation.hpp"
#include "tlsrpt/generate.hpp"

using namespace tlsrpt;
using fuzz::require;

namespace {

// The host of a mailto (domain of the address) or https URI (authority without user
// information and port), or "" when the URI has no such shape. The scheme is in lower case.
std::string_view host_of(std::string_view uri) {
    if (uri.starts_with("mailto:")) {
        const std::string_view address = uri.substr(0, uri.find('?'));
        const std::size_t at = address.rfind('@');
        return at == std::string_view::npos ? "" : address.substr(at + 1);
    }
    if (!uri.starts_with("https://")) return "";
    std::string_view authority = uri.substr(8);
    authority = authority.substr(0, authority.find_first_of("/?#"));
    if (const std::size_t at = authority.rfind('@'); at != std::string_view::npos) {
        authority.remove_prefix(at + 1);
    }
    if (authority.starts_with("[")) {
        const std::size_t close = authority.find(']');
        return close == std::string_view::npos ? authority : authority.substr(0, close + 1);
    }
    return authority.substr(0, authority.rfind(':'));
}

bool is_address(int family, std::string_view text) {
    const std::string terminated(text);  // inet_pton reads a C string
    in6_addr address;
    return inet_pton(family, terminated.c_str(), &address) == 1;
}

// "IPv6:" in any case: tags of address literals are case-insensitive (RFC 5321 §4.1.3).
bool starts_with_ipv6_tag(std::string_view literal) {
    const std::string_view tag = "ipv6:";
    return literal.size() >= tag.size() &&
           std::equal(tag.begin(), tag.end(), literal.begin(), [](char t, char c) {
               return t == ((c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c);
           });
}

// An address literal in brackets is an IPv6 address (RFC 3986 §3.2.2) or, in a mail domain,
// an IPv4 address or a tag such as "IPv6:" and an address (RFC 5321 §4.1.3); a host name
// whose last label is numeric is an IPv4 address.
void check_host(std::string_view published) {
    const std::string uri = lowercase_scheme(published);
    const std::string_view host = host_of(uri);
    if (host.starts_with("[")) {
        require(host.ends_with("]"), "an address literal is closed");
        std::string_view literal = host.substr(1, host.size() - 2);
        const bool mail = uri.starts_with("mailto:");
        if (mail && starts_with_ipv6_tag(literal)) literal.remove_prefix(5);
        require(is_address(AF_INET6, literal) || (mail && is_address(AF_INET, literal)),
                "a usable address literal is an address");
    } else if (!host.empty() && host.back() >= '0' && host.back() <= '9') {
        require(is_address(AF_INET, host), "a usable numeric host is an IPv4 address");
    }
}

bool has_severity(const Evaluation& evaluation, Severity severity) {
    return std::any_of(evaluation.diagnostics.begin(), evaluation.diagnostics.end(),
                       [&](const Diagnostic& d) { return d.severity == severity; });
}

void check_status(const Evaluation& evaluation) {
    const bool errors = has_severity(evaluation, Severity::error);
    const bool warnings = has_severity(evaluation, Severity::warning);
    switch (evaluation.status) {
        case Status::valid:
            require(!errors && !warnings, "valid: no error or warning");
            break;
        case Status::warning:
            require(!errors && warnings, "warning: warnings and no error");
            break;
        case Status::invalid:
            require(errors, "invalid: an error");
            break;
        case Status::missing:
            require(!errors && !warnings, "missing: only notes");
            break;
        case Status::error:
            require(false, "evaluation never gives the lookup status error");
    }
    const bool used = evaluation.status == Status::valid || evaluation.status == Status::warning;
    require(evaluation.policy.has_value() == used, "a policy exactly when senders use one");
    if (evaluation.policy) {
        require(evaluation.policy->record < evaluation.records.size(), "the policy's record");
        const std::string& record = evaluation.records[evaluation.policy->record];
        for (const Destination& destination : evaluation.policy->rua) {
            require(record.find(destination.uri) != std::string::npos,
                    "destinations as published in the record");
            if (destination.supported) check_host(destination.uri);
        }
    }
    if (evaluation.suggested_record) {
        require(evaluation.status == Status::warning || evaluation.status == Status::invalid,
                "a suggestion only for a warning or an invalid verdict");
    }
}

void check_diagnostics(const Evaluation& evaluation) {
    for (const Diagnostic& diagnostic : evaluation.diagnostics) {
        require(!diagnostic.code.empty(), "every diagnostic has a code");
        require(fuzz::is_printable_ascii(diagnostic.message), "messages are printable ASCII");
        if (diagnostic.record) {
            require(*diagnostic.record < evaluation.records.size(), "a diagnostic's record");
        }
        if (diagnostic.offset) {
            require(diagnostic.record.has_value(), "a byte range belongs to a record");
            require(*diagnostic.offset + diagnostic.length <=
                        evaluation.records[*diagnostic.record].size(),
                    "a byte range lies inside its record");
        }
    }
}

// Published as `generate --format zone` would write it: strings of at most 255 octets.
void check_suggestion(const std::string& suggestion) {
    const TxtRecord published{split_character_strings(suggestion)};
    const Evaluation again = evaluate({published});
    require(std::all_of(again.diagnostics.begin(), again.diagnostics.end(),
                        [](const Diagnostic& d) { return d.code == "non-public-host"; }),
            "a suggested record has no diagnostic but for a host that is not public");
    require(again.status == (again.diagnostics.empty() ? Status::valid : Status::warning),
            "a suggested record evaluates valid, or warning for a host that is not public");
    require(!again.suggested_record, "a suggested record needs no further suggestion");
}

std::vector<std::string> sorted_codes(const Evaluation& evaluation) {
    std::vector<std::string> codes;
    for (const Diagnostic& diagnostic : evaluation.diagnostics) codes.push_back(diagnostic.code);
    std::sort(codes.begin(), codes.end());
    return codes;
}

bool same_evaluation(const Evaluation& a, const Evaluation& b) {
    const auto same_diagnostic = [](const Diagnostic& x, const Diagnostic& y) {
        return x.code == y.code && x.severity == y.severity && x.message == y.message &&
               x.record == y.record && x.offset == y.offset && x.length == y.length;
    };
    return a.status == b.status && a.records == b.records &&
           a.suggested_record == b.suggested_record &&
           std::equal(a.diagnostics.begin(), a.diagnostics.end(), b.diagnostics.begin(),
                      b.diagnostics.end(), same_diagnostic);
}

// Only character-string-too-long looks at the strings themselves: below that length, the same
// records split anywhere else evaluate the same.
void check_split_invariance(const TxtRRset& rrset, const Evaluation& evaluation) {
    TxtRRset resplit;
    for (const TxtRecord& record : rrset) {
        for (const std::string& string : record.strings) {
            if (string.size() > 255) return;
        }
        resplit.push_back({split_character_strings(join_strings(record), 7)});
    }
    require(same_evaluation(evaluate(resplit), evaluation),
            "the evaluation does not depend on where strings split a record");
}

void check_order_invariance(const TxtRRset& rrset, const Evaluation& evaluation) {
    const TxtRRset reversed(rrset.rbegin(), rrset.rend());
    const Evaluation again = evaluate(reversed);
    require(again.status == evaluation.status, "the status does not depend on record order");
    require(sorted_codes(again) == sorted_codes(evaluation),
            "the findings do not depend on record order");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const TxtRRset rrset = fuzz::rrset_from_lines(fuzz::as_text(data, size));
    const Evaluation evaluation = evaluate(rrset);

    require(evaluation.records.size() == rrset.size(), "one joined record per RR");
    for (std::size_t i = 0; i < rrset.size(); ++i) {
        require(evaluation.records[i] == join_strings(rrset[i]), "records joined as received");
    }
    if (rrset.empty()) {
        require(evaluation.status == Status::missing, "an empty RRset is missing");
    }
    check_status(evaluation);
    check_diagnostics(evaluation);
    if (evaluation.suggested_record) check_suggestion(*evaluation.suggested_record);
    check_split_invariance(rrset, evaluation);
    check_order_invariance(rrset, evaluation);
    return 0;
}
