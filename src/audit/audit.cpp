#include "audit/audit.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

#include "tlsrpt/domain_name.hpp"
#include "tlsrpt/evaluation.hpp"

namespace tlsrpt::audit {
namespace {

Diagnostic diagnostic(std::string code, Severity severity, std::string message) {
    Diagnostic made;
    made.code = std::move(code);
    made.severity = severity;
    made.message = std::move(message);
    return made;
}

Diagnostic lookup_error(std::string code, std::string message) {
    return diagnostic(std::move(code), Severity::error, std::move(message));
}

Evaluation evaluation_with(Status status, Diagnostic only) {
    Evaluation evaluation;
    evaluation.status = status;
    evaluation.diagnostics.push_back(std::move(only));
    return evaluation;
}

// Why no usable answer came back, as a dns-* diagnostic; nullopt when the answer is usable.
std::optional<Diagnostic> lookup_failure(const dns::Response& response, const std::string& query,
                                         const std::string& rcode) {
    using dns::Outcome;
    switch (response.outcome) {
        case Outcome::answer:
        case Outcome::no_data:
        case Outcome::no_domain:
            return std::nullopt;
        case Outcome::server_failure:
            return lookup_error("dns-servfail",
                                fmt::format("the resolver answered SERVFAIL for {}: the zone's "
                                            "servers may be unreachable or its DNSSEC "
                                            "signatures invalid",
                                            query));
        case Outcome::refused:
            return lookup_error("dns-refused",
                                fmt::format("the server refused to answer for {} (REFUSED): it "
                                            "may not offer recursion to this host",
                                            query));
        case Outcome::other_rcode:
            return lookup_error("dns-rcode",
                                fmt::format("the server answered {} for {}", rcode, query));
        case Outcome::timeout:
            return lookup_error("dns-timeout",
                                fmt::format("no answer for {} after {} attempt(s) ({})", query,
                                            response.attempts, response.detail));
        case Outcome::unreachable:
            return lookup_error(
                "dns-unreachable",
                fmt::format("no DNS server could be reached for {} ({})", query, response.detail));
        case Outcome::malformed:
            return lookup_error(
                "dns-malformed",
                fmt::format("the answer for {} could not be decoded: {}", query, response.detail));
        case Outcome::bad_name:
            return lookup_error("invalid-domain",
                                fmt::format("{} cannot be queried ({})", query, response.detail));
    }
    return std::nullopt;
}

LookupInfo lookup_info(const dns::Response& response) {
    LookupInfo info;
    if (response.rcode) info.rcode = dns::rcode_name(*response.rcode);
    info.cnames = response.cnames;
    for (const dns::ResourceRecord& record : response.records) {
        info.ttl = std::min(info.ttl.value_or(record.ttl), record.ttl);
    }
    info.authenticated = response.authenticated;
    info.server = response.server;
    info.attempts = response.attempts;
    info.elapsed_ms = std::chrono::duration<double, std::milli>(response.elapsed).count();
    return info;
}

Evaluation evaluation_of(const dns::Response& response, const std::string& query,
                         const std::string& rcode) {
    if (auto failure = lookup_failure(response, query, rcode)) {
        return evaluation_with(Status::error, std::move(*failure));
    }
    if (response.outcome == dns::Outcome::answer) {
        TxtRRset rrset;
        for (const dns::ResourceRecord& record : response.records) {
            rrset.push_back(TxtRecord{record.strings});
        }
        return evaluate(rrset);
    }
    const char* what = response.outcome == dns::Outcome::no_domain ? "the name does not exist"
                                                                   : "the name has no TXT data";
    return evaluation_with(
        Status::missing,
        lookup_error("no-record", fmt::format("no TXT record at {}: {} ({})", query, what, rcode)));
}

}  // namespace

CheckResult invalid_domain_result(std::string input, Diagnostic problem) {
    CheckResult result;
    result.input = std::move(input);
    result.evaluation = evaluation_with(Status::error, std::move(problem));
    return result;
}

CheckResult lookup_result(std::string input, std::string domain, const dns::Response& response) {
    CheckResult result;
    result.input = std::move(input);
    result.query = tlsrpt_query_name(domain);
    result.domain = std::move(domain);
    result.dns = lookup_info(response);
    result.evaluation = evaluation_of(response, *result.query, result.dns->rcode);
    if (result.evaluation.status == Status::error) {
        result.dns->error = result.evaluation.diagnostics.front().code;
    }
    if (!response.cnames.empty()) {
        result.evaluation.diagnostics.push_back(
            diagnostic("cname", Severity::info,
                       fmt::format("{} is an alias (CNAME) of {}: the policy is probably "
                                   "published by a hosting provider",
                                   *result.query, response.cnames.back())));
    }
    return result;
}

Auditor::Auditor(dns::Resolver& resolver, AuditOptions options)
    : resolver_(resolver), options_(options) {}

void Auditor::submit(std::string input, std::string domain, ResultCallback done) {
    Pending pending{std::move(input), std::move(domain), std::move(done)};
    if (in_flight_ >= options_.max_in_flight) {
        waiting_.push_back(std::move(pending));
        return;
    }
    start(std::move(pending));
}

void Auditor::start(Pending pending) {
    ++in_flight_;
    const auto deadline = dns::Clock::now() + options_.deadline;
    std::string query = tlsrpt_query_name(pending.domain);
    resolver_.submit(std::move(query), dns::RecordType::txt, deadline,
                     [this, pending = std::move(pending)](dns::Response&& response) mutable {
                         CheckResult row = lookup_result(std::move(pending.input),
                                                         std::move(pending.domain), response);
                         apply_expectations(row, options_.expectations);
                         pending.done(std::move(row));
                         on_domain_finished();
                     });
}

void Auditor::on_domain_finished() {
    --in_flight_;
    if (waiting_.empty()) return;
    Pending next = std::move(waiting_.front());
    waiting_.pop_front();
    start(std::move(next));
}

void Auditor::run(const dns::Resolver::Pacer& pacer) {
    resolver_.run(pacer);
}

void Auditor::abandon_all() {
    waiting_.clear();
    resolver_.abandon_all();
    in_flight_ = 0;
}

}  // namespace tlsrpt::audit
