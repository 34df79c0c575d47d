#include "audit/answers.hpp"

#include <fmt/format.h>

namespace tlsrpt::audit {

Diagnostic audit_diagnostic(std::string_view code, Severity severity, std::string message) {
    Diagnostic made;
    made.code = std::string(code);
    made.severity = severity;
    made.message = std::move(message);
    return made;
}

LookupState lookup_state(dns::Outcome outcome) {
    using dns::Outcome;
    switch (outcome) {
        case Outcome::answer:
            return LookupState::found;
        case Outcome::no_data:
        case Outcome::no_domain:
            return LookupState::none;
        case Outcome::server_failure:
            return LookupState::dns_servfail;
        case Outcome::refused:
            return LookupState::dns_refused;
        case Outcome::other_rcode:
            return LookupState::dns_rcode;
        case Outcome::timeout:
            return LookupState::dns_timeout;
        case Outcome::unreachable:
            return LookupState::dns_unreachable;
        case Outcome::malformed:
            return LookupState::dns_malformed;
        case Outcome::bad_name:
            return LookupState::invalid_domain;
    }
    return LookupState::none;
}

std::string_view failure_code(dns::Outcome outcome) {
    const LookupState state = lookup_state(outcome);
    return lookup_answered(state) ? "" : to_string(state);
}

std::string failure_message(const dns::Response& response, std::string_view query) {
    using dns::Outcome;
    switch (response.outcome) {
        case Outcome::server_failure:
            return fmt::format(
                "the resolver answered SERVFAIL for {}: the zone's servers may be unreachable or "
                "its DNSSEC signatures invalid",
                query);
        case Outcome::refused:
            return fmt::format(
                "the server refused to answer for {} (REFUSED): it may not offer recursion to "
                "this host",
                query);
        case Outcome::other_rcode:
            return fmt::format("the server answered {} for {}",
                               dns::rcode_name(response.rcode.value_or(-1)), query);
        case Outcome::timeout:
            return fmt::format("no answer for {} after {} attempt(s) ({})", query,
                               response.attempts, response.detail);
        case Outcome::unreachable:
            return fmt::format("no DNS server could be reached for {} ({})", query,
                               response.detail);
        case Outcome::malformed:
            return fmt::format("the answer for {} could not be decoded: {}", query,
                               response.detail);
        case Outcome::bad_name:
            return fmt::format("{} cannot be queried ({})", query, response.detail);
        case Outcome::answer:
        case Outcome::no_data:
        case Outcome::no_domain:
            break;
    }
    return "";
}

TxtRRset txt_rrset(const dns::Response& response) {
    TxtRRset rrset;
    rrset.reserve(response.records.size());
    for (const dns::ResourceRecord& record : response.records) {
        rrset.push_back(TxtRecord{record.strings});
    }
    return rrset;
}

TxtRRset take_txt_rrset(dns::Response& response) {
    TxtRRset rrset;
    rrset.reserve(response.records.size());
    for (dns::ResourceRecord& record : response.records) {
        rrset.push_back(TxtRecord{std::move(record.strings)});
    }
    return rrset;
}

}  // namespace tlsrpt::audit
