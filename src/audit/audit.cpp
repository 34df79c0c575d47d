#include "audit/audit.hpp"

#include "audit/answers.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <utility>

#include "tlsrpt/domain_name.hpp"
#include "tlsrpt/evaluation.hpp"

namespace tlsrpt::audit {
namespace {

Diagnostic lookup_error(std::string_view code, std::string message) {
    return audit_diagnostic(code, Severity::error, std::move(message));
}

Evaluation evaluation_with(Status status, Diagnostic only) {
    Evaluation evaluation;
    evaluation.status = status;
    evaluation.diagnostics.push_back(std::move(only));
    return evaluation;
}

// Why no usable answer came back, as a dns-* diagnostic; nullopt when the answer is usable.
std::optional<Diagnostic> lookup_failure(const dns::Response& response, const std::string& query) {
    const std::string_view code = failure_code(response.outcome);
    if (code.empty()) return std::nullopt;
    return lookup_error(code, failure_message(response, query));
}

// Moves the CNAME chain and the server out of `response`.
LookupInfo lookup_info(dns::Response& response) {
    LookupInfo info;
    if (response.rcode) info.rcode = dns::rcode_name(*response.rcode);
    for (const dns::ResourceRecord& record : response.records) {
        info.ttl = std::min(info.ttl.value_or(record.ttl), record.ttl);
    }
    info.cnames = std::move(response.cnames);
    info.authenticated = response.authenticated;
    info.server = std::move(response.server);
    info.attempts = response.attempts;
    info.elapsed_ms = std::chrono::duration<double, std::milli>(response.elapsed).count();
    return info;
}

// Moves the TXT records out of `response`.
Evaluation evaluation_of(dns::Response& response, const std::string& query,
                         const std::string& rcode) {
    if (auto failure = lookup_failure(response, query)) {
        return evaluation_with(Status::error, std::move(*failure));
    }
    if (response.outcome == dns::Outcome::answer) return evaluate(take_txt_rrset(response));
    const char* what = response.outcome == dns::Outcome::no_domain ? "the name does not exist"
                                                                   : "the name has no TXT data";
    // A note, as from `evaluate`: the status `missing` is the verdict. Joined without fmt: half
    // the rows of a bulk run say this.
    std::string message = "no TXT record at ";
    message += query;
    message += ": ";
    message += what;
    message += " (";
    message += rcode;
    message += ')';
    return evaluation_with(Status::missing,
                           audit_diagnostic("no-record", Severity::info, std::move(message)));
}

}  // namespace

CheckResult invalid_domain_result(std::string input, Diagnostic problem) {
    CheckResult result;
    result.input = std::move(input);
    result.evaluation = evaluation_with(Status::error, std::move(problem));
    return result;
}

CheckResult lookup_result(std::string input, std::string domain, dns::Response response) {
    CheckResult result;
    result.input = std::move(input);
    result.query = tlsrpt_query_name(domain);
    result.domain = std::move(domain);
    result.dns = lookup_info(response);
    result.evaluation = evaluation_of(response, *result.query, result.dns->rcode);
    if (result.evaluation.status == Status::error) {
        result.dns->error = result.evaluation.diagnostics.front().code;
    }
    if (!result.dns->cnames.empty()) {
        result.evaluation.diagnostics.push_back(
            audit_diagnostic("cname", Severity::info,
                             fmt::format("{} is an alias (CNAME) of {}: the policy is probably "
                                         "published by a hosting provider",
                                         *result.query, result.dns->cnames.back())));
    }
    return result;
}

// A domain under --deep or --authoritative: its answers so far and the lookups still out.
struct Auditor::Job {
    Pending pending;
    dns::Clock::time_point deadline;
    // Lookups not yet in, plus one held by start_job() while it is still asking.
    std::size_t outstanding = 1;
    std::optional<CheckResult> row;  // once the TLS-RPT answer is in
    DeepAnswers deep;
    AuthoritativeAnswers authoritative;
    // A plan names a step until its answer is in: each is asked once.
    std::set<DeepStep> deep_asked;
    std::set<AuthoritativeStep> authoritative_asked;
};

Auditor::Auditor(dns::Resolver& resolver, AuditOptions options, LiveChecks live)
    : resolver_(resolver),
      options_(std::move(options)),
      live_(live),
      plan_options_{.fetch_policy = live.fetcher != nullptr,
                    .probe = options_.probe && live.prober != nullptr,
                    .allow_private = options_.allow_private},
      cache_(resolver, options_.lookup_cache_entries) {
    if (plan_options_.probe) probes_.emplace(*live.prober, options_.lookup_cache_entries);
}

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
    const auto deadline = resolver_.now() + options_.deadline;
    if (options_.deep || options_.authoritative) {
        start_job(std::move(pending), deadline);
        return;
    }
    std::string query = tlsrpt_query_name(pending.domain);
    std::size_t slot = running_.size();
    if (free_slots_.empty()) {
        running_.push_back(std::move(pending));
    } else {
        slot = free_slots_.back();
        free_slots_.pop_back();
        running_[slot] = std::move(pending);
    }
    resolver_.submit(std::move(query), dns::RecordType::txt, deadline,
                     [this, slot](dns::Response&& response) {
                         Pending done = std::move(running_[slot]);
                         free_slots_.push_back(slot);
                         finish(done, lookup_result(std::move(done.input), std::move(done.domain),
                                                    std::move(response)));
                     });
}

void Auditor::start_job(Pending pending, dns::Clock::time_point deadline) {
    auto job = std::make_shared<Job>();
    job->pending = std::move(pending);
    job->deadline = deadline;
    ++job->outstanding;
    resolver_.submit(tlsrpt_query_name(job->pending.domain), dns::RecordType::txt, deadline,
                     [this, job](dns::Response&& response) {
                         job->row = lookup_result(job->pending.input, job->pending.domain,
                                                  std::move(response));
                         follow_plans(job);
                         release(job);
                     });
    follow_plans(job);
    release(job);
}

void Auditor::follow_plans(const JobPtr& job) {
    const std::string& domain = job->pending.domain;
    if (options_.deep) {
        const Evaluation* tlsrpt = job->row ? &job->row->evaluation : nullptr;
        for (const DeepStep& step : next_deep_steps(domain, tlsrpt, job->deep, plan_options_)) {
            if (!job->deep_asked.insert(step).second) continue;
            if (step.lookup == DeepLookup::policy_fetch) {
                fetch_policy(job, step);
                continue;
            }
            if (step.lookup == DeepLookup::probe) {
                probe(job, step);
                continue;
            }
            ask(job, step.name, step.type, "", step.scope,
                [step](Job& asking, const SharedResponse& response) {
                    file_answer(asking.deep, step, response);
                });
        }
    }
    if (options_.authoritative) {
        for (const AuthoritativeStep& step :
             next_authoritative_steps(domain, job->authoritative, options_.allow_private)) {
            if (!job->authoritative_asked.insert(step).second) continue;
            ask(job, step.name, step.type, step.server, step.scope,
                [step](Job& asking, const SharedResponse& response) {
                    file_answer(asking.authoritative, step, response);
                });
        }
    }
}

void Auditor::ask(const JobPtr& job, const std::string& name, dns::RecordType type,
                  const std::string& server, LookupScope scope, Filer file) {
    ++job->outstanding;
    auto done = [this, job, file = std::move(file)](const SharedResponse& response) {
        file(*job, response);
        follow_plans(job);
        release(job);
    };
    if (scope == LookupScope::run) {
        cache_.lookup(name, type, job->deadline, std::move(done), server);
        return;
    }
    submit_lookup(resolver_, name, type, server, job->deadline,
                  [done = std::move(done)](dns::Response&& response) {
                      done(std::make_shared<const dns::Response>(std::move(response)));
                  });
}

void Auditor::fetch_policy(const JobPtr& job, const DeepStep& step) {
    ++job->outstanding;
    live::FetchRequest request{.host = step.name,
                               .path = std::string(policy_path),
                               .addresses = step.addresses,
                               .deadline = resolver_.now() + options_.fetch_timeout};
    live_.fetcher->fetch(std::move(request), [this, job, step](live::FetchOutcome&& outcome) {
        file_answer(job->deep, step,
                    std::make_shared<const live::FetchOutcome>(std::move(outcome)));
        follow_plans(job);
        release(job);
    });
}

namespace {

// DANE per RFC 7672: the host's TLSA records count only when DNSSEC-authenticated.
std::vector<live::TlsaRecord> authenticated_tlsa(const dns::Response* tlsa) {
    std::vector<live::TlsaRecord> records;
    if (tlsa == nullptr || !tlsa->authenticated) return records;
    for (const dns::ResourceRecord& record : tlsa->records) {
        records.push_back(record.tlsa);
    }
    return records;
}

}  // namespace

void Auditor::probe(const JobPtr& job, const DeepStep& step) {
    ++job->outstanding;
    live::ProbeRequest request{.host = step.key,
                               .address = step.name,
                               .port = 25,
                               .tlsa = authenticated_tlsa(answer_for(job->deep.tlsa, step.key)),
                               .deadline = resolver_.now() + options_.probe_timeout};
    probes_->probe(std::move(request), [this, job, step](const SharedProbe& outcome) {
        file_answer(job->deep, step, outcome);
        follow_plans(job);
        release(job);
    });
}

void Auditor::release(const JobPtr& job) {
    if (--job->outstanding > 0) return;
    CheckResult row = std::move(*job->row);
    if (options_.deep) add_deep_findings(row, job->deep, plan_options_.probe);
    if (options_.authoritative) {
        add_authoritative_findings(row, job->authoritative, options_.allow_private);
    }
    finish(job->pending, std::move(row));
}

void Auditor::finish(Pending& pending, CheckResult&& row) {
    apply_expectations(row, options_.expectations);
    pending.done(std::move(row));
    on_domain_finished();
}

void Auditor::on_domain_finished() {
    --in_flight_;
    if (waiting_.empty()) return;
    Pending next = std::move(waiting_.front());
    waiting_.pop_front();
    start(std::move(next));
}

void Auditor::run(const dns::Resolver::Pacer& pacer) {
    // Domains waiting on a lookup another domain started end at their own deadline.
    resolver_.run(cache_.with_expiry(pacer));
}

void Auditor::abandon_all() {
    waiting_.clear();
    running_.clear();
    free_slots_.clear();
    cache_.abandon_all();
    if (live_.fetcher != nullptr) live_.fetcher->abandon_all();
    if (probes_) probes_->abandon_all();
    if (live_.prober != nullptr) live_.prober->abandon_all();
    resolver_.abandon_all();
    in_flight_ = 0;
}

}  // namespace tlsrpt::audit
