// Printable names of the core's enumerations, and the exit code each status maps to.
#include <algorithm>

#include "tlsrpt/authoritative.hpp"
#include "tlsrpt/deep.hpp"
#include "tlsrpt/diagnostic.hpp"
#include "tlsrpt/evaluation.hpp"
#include "tlsrpt/exit_code.hpp"
#include "tlsrpt/report_types.hpp"
#include "tlsrpt/result.hpp"
#include "tlsrpt/sts_policy.hpp"

namespace tlsrpt {

std::string_view to_string(Severity severity) {
    switch (severity) {
        case Severity::info:
            return "info";
        case Severity::warning:
            return "warning";
        case Severity::error:
            return "error";
    }
    return "error";
}

std::string_view to_string(Status status) {
    switch (status) {
        case Status::valid:
            return "valid";
        case Status::warning:
            return "warning";
        case Status::missing:
            return "missing";
        case Status::invalid:
            return "invalid";
        case Status::error:
            return "error";
    }
    return "error";
}

std::string_view to_string(PolicyFetchState state) {
    switch (state) {
        case PolicyFetchState::not_made:
            return "";
        case PolicyFetchState::fetched:
            return "fetched";
        case PolicyFetchState::failed:
            return "failed";
        case PolicyFetchState::no_address:
            return "no-address";
        case PolicyFetchState::non_public:
            return "non-public";
        case PolicyFetchState::lookup_failed:
            return "lookup-failed";
    }
    return "";
}

std::string_view to_string(PolicyType type) {
    switch (type) {
        case PolicyType::sts:
            return "sts";
        case PolicyType::tlsa:
            return "tlsa";
        case PolicyType::no_policy_found:
            return "no-policy-found";
    }
    return "no-policy-found";
}

std::string_view to_string(ResultType type) {
    switch (type) {
        case ResultType::starttls_not_supported:
            return "starttls-not-supported";
        case ResultType::certificate_host_mismatch:
            return "certificate-host-mismatch";
        case ResultType::certificate_expired:
            return "certificate-expired";
        case ResultType::certificate_not_trusted:
            return "certificate-not-trusted";
        case ResultType::validation_failure:
            return "validation-failure";
        case ResultType::tlsa_invalid:
            return "tlsa-invalid";
        case ResultType::dnssec_invalid:
            return "dnssec-invalid";
        case ResultType::dane_required:
            return "dane-required";
        case ResultType::sts_policy_fetch_error:
            return "sts-policy-fetch-error";
        case ResultType::sts_policy_invalid:
            return "sts-policy-invalid";
        case ResultType::sts_webpki_invalid:
            return "sts-webpki-invalid";
    }
    return "validation-failure";
}

std::string_view to_string(LookupState state) {
    switch (state) {
        case LookupState::not_made:
            return "";
        case LookupState::found:
            return "found";
        case LookupState::none:
            return "none";
        case LookupState::dns_servfail:
            return "dns-servfail";
        case LookupState::dns_refused:
            return "dns-refused";
        case LookupState::dns_rcode:
            return "dns-rcode";
        case LookupState::dns_timeout:
            return "dns-timeout";
        case LookupState::dns_unreachable:
            return "dns-unreachable";
        case LookupState::dns_malformed:
            return "dns-malformed";
        case LookupState::invalid_domain:
            return "invalid-domain";
    }
    return "";
}

std::string_view to_string(DestinationVerdict verdict) {
    switch (verdict.reach) {
        case Reach::not_checked:
            return "";
        case Reach::ok:
            return "ok";
        case Reach::null_mx:
            return "null-mx";
        case Reach::no_mail_host:
            return "no-mail-host";
        case Reach::unresolvable:
            return "unresolvable";
        case Reach::non_public:
            return "non-public";
        case Reach::lookup_failed:
            return to_string(verdict.failure);
    }
    return "";
}

std::string_view to_string(ServerState state) {
    switch (state) {
        case ServerState::authoritative:
            return "authoritative";
        case ServerState::lame:
            return "lame";
        case ServerState::dns_timeout:
            return "dns-timeout";
        case ServerState::dns_unreachable:
            return "dns-unreachable";
        case ServerState::dns_malformed:
            return "dns-malformed";
        case ServerState::no_address:
            return "no-address";
        case ServerState::address_unknown:
            return "address-lookup-failed";
        case ServerState::not_asked:
            return "not-asked-non-public";
    }
    return "";
}

std::string_view to_string(TtlSource source) {
    switch (source) {
        case TtlSource::resolver:
            return "resolver";
        case TtlSource::authoritative:
            return "authoritative";
    }
    return "";
}

std::string_view to_string(StsMode mode) {
    switch (mode) {
        case StsMode::enforce:
            return "enforce";
        case StsMode::testing:
            return "testing";
        case StsMode::none:
            return "none";
    }
    return "none";
}

ExitCode exit_code_for(Status status) {
    switch (status) {
        case Status::valid:
            return ExitCode::valid;
        case Status::warning:
            return ExitCode::warning;
        case Status::missing:
            return ExitCode::missing;
        case Status::invalid:
            return ExitCode::invalid;
        case Status::error:
            return ExitCode::lookup_error;
    }
    return ExitCode::internal;
}

ExitCode worst(ExitCode a, ExitCode b) {
    return static_cast<int>(a) >= static_cast<int>(b) ? a : b;
}

}  // namespace tlsrpt
