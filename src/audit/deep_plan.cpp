#include "audit/deep_plan.hpp"

#include <algorithm>
#include <utility>

#include "tlsrpt/domain_name.hpp"

namespace tlsrpt::audit {
namespace {

// A mailto domain without MX may still receive mail at its address records; an NXDOMAIN
// name has none either.
bool needs_address_fallback(const dns::Response& mx) {
    return mx.outcome == dns::Outcome::no_data;
}

class StepList {
  public:
    // Adds a step unless its answer is in or it is named already (two destinations at one
    // host need its lookups once).
    void add(bool answered, DeepLookup lookup, std::string key, std::string name,
             dns::RecordType type, LookupScope scope, std::vector<std::string> addresses = {}) {
        if (answered) return;
        DeepStep step{lookup, std::move(key), std::move(name), type, scope, std::move(addresses)};
        if (std::find(steps_.begin(), steps_.end(), step) != steps_.end()) return;
        steps_.push_back(std::move(step));
    }

    // The A and AAAA of a destination host.
    void add_addresses(const std::string& host, const DeepAnswers& answers) {
        add(answers.destination_a.contains(host), DeepLookup::destination_a, host, host,
            dns::RecordType::a, LookupScope::run);
        add(answers.destination_aaaa.contains(host), DeepLookup::destination_aaaa, host, host,
            dns::RecordType::aaaa, LookupScope::run);
    }

    std::vector<DeepStep> take() { return std::move(steps_); }

  private:
    std::vector<DeepStep> steps_;
};

// Policy senders fetch whether or not the TXT record is there: a policy served without one is
// a finding too (senders never fetch it).
void plan_policy(StepList& plan, std::string_view domain, const DeepAnswers& answers,
                 const DeepPlanOptions& options) {
    std::string host = policy_host_name(domain);
    plan.add(answers.policy_host_a != nullptr, DeepLookup::policy_host_a, "", host,
             dns::RecordType::a, LookupScope::domain);
    plan.add(answers.policy_host_aaaa != nullptr, DeepLookup::policy_host_aaaa, "", host,
             dns::RecordType::aaaa, LookupScope::domain);
    if (!answers.policy_host_a || !answers.policy_host_aaaa) return;
    auto addresses = addresses_to_connect(answers.policy_host_a.get(),
                                          answers.policy_host_aaaa.get(), options.allow_private);
    if (addresses.empty()) return;
    plan.add(answers.policy != nullptr, DeepLookup::policy_fetch, "", std::move(host),
             dns::RecordType::a, LookupScope::domain, std::move(addresses));
}

// A mail host's addresses, then (with its TLSA answer, for DANE) a probe at each.
void plan_probes(StepList& plan, const std::string& host, const DeepAnswers& answers,
                 const DeepPlanOptions& options) {
    const dns::Response* a = answer_for(answers.mail_host_a, host);
    const dns::Response* aaaa = answer_for(answers.mail_host_aaaa, host);
    plan.add(a != nullptr, DeepLookup::mail_host_a, host, host, dns::RecordType::a,
             LookupScope::run);
    plan.add(aaaa != nullptr, DeepLookup::mail_host_aaaa, host, host, dns::RecordType::aaaa,
             LookupScope::run);
    if (a == nullptr || aaaa == nullptr || !answers.tlsa.contains(host)) return;
    for (std::string& address : addresses_to_connect(a, aaaa, options.allow_private)) {
        const bool probed = answers.probes.contains(std::pair(host, address));
        plan.add(probed, DeepLookup::probe, host, std::move(address), dns::RecordType::a,
                 LookupScope::run);
    }
}

}  // namespace

std::vector<DeepStep> next_deep_steps(std::string_view domain, const Evaluation* tlsrpt,
                                      const DeepAnswers& answers, const DeepPlanOptions& options) {
    StepList plan;
    plan.add(answers.mx != nullptr, DeepLookup::mx, "", std::string(domain), dns::RecordType::mx,
             LookupScope::domain);
    plan.add(answers.mta_sts != nullptr, DeepLookup::mta_sts, "", mta_sts_query_name(domain),
             dns::RecordType::txt, LookupScope::domain);
    if (answers.mta_sts && options.fetch_policy) plan_policy(plan, domain, answers, options);
    if (answers.mx) {
        for (const auto& [preference, host] : mail_hosts(*answers.mx, domain).hosts) {
            plan.add(answers.tlsa.contains(host), DeepLookup::tlsa, host, tlsa_query_name(host),
                     dns::RecordType::tlsa, LookupScope::run);
            plan.add(answers.host_tlsrpt.contains(host), DeepLookup::host_tlsrpt, host,
                     tlsrpt_query_name(host), dns::RecordType::txt, LookupScope::run);
            if (options.probe) plan_probes(plan, host, answers, options);
        }
    }
    if (tlsrpt == nullptr) return plan.take();
    for (const Destination* destination : checked_destinations(*tlsrpt).destinations) {
        const std::string& host = destination->host;
        if (is_ip_literal(host)) continue;
        if (destination->scheme != "mailto") {
            plan.add_addresses(host, answers);
            continue;
        }
        const auto mx = answers.destination_mx.find(host);
        const bool answered = mx != answers.destination_mx.end();
        plan.add(answered, DeepLookup::destination_mx, host, host, dns::RecordType::mx,
                 LookupScope::run);
        if (answered && needs_address_fallback(*mx->second)) plan.add_addresses(host, answers);
    }
    if (tlsrpt->status == Status::missing) {
        for (std::string& name : misplaced_query_names(domain)) {
            const bool answered = answers.misplaced.contains(name);
            plan.add(answered, DeepLookup::misplaced, name, name, dns::RecordType::txt,
                     LookupScope::domain);
        }
    }
    return plan.take();
}

void file_answer(DeepAnswers& answers, const DeepStep& step, SharedResponse response) {
    switch (step.lookup) {
        case DeepLookup::mx:
            answers.mx = std::move(response);
            return;
        case DeepLookup::mta_sts:
            answers.mta_sts = std::move(response);
            return;
        case DeepLookup::tlsa:
            answers.tlsa[step.key] = std::move(response);
            return;
        case DeepLookup::host_tlsrpt:
            answers.host_tlsrpt[step.key] = std::move(response);
            return;
        case DeepLookup::destination_mx:
            answers.destination_mx[step.key] = std::move(response);
            return;
        case DeepLookup::destination_a:
            answers.destination_a[step.key] = std::move(response);
            return;
        case DeepLookup::destination_aaaa:
            answers.destination_aaaa[step.key] = std::move(response);
            return;
        case DeepLookup::misplaced:
            answers.misplaced[step.key] = std::move(response);
            return;
        case DeepLookup::policy_host_a:
            answers.policy_host_a = std::move(response);
            return;
        case DeepLookup::policy_host_aaaa:
            answers.policy_host_aaaa = std::move(response);
            return;
        case DeepLookup::mail_host_a:
            answers.mail_host_a[step.key] = std::move(response);
            return;
        case DeepLookup::mail_host_aaaa:
            answers.mail_host_aaaa[step.key] = std::move(response);
            return;
        case DeepLookup::policy_fetch:
        case DeepLookup::probe:
            return;  // not DNS lookups: see below
    }
}

void file_answer(DeepAnswers& answers, const DeepStep&, SharedFetch fetch) {
    answers.policy = std::move(fetch);
}

void file_answer(DeepAnswers& answers, const DeepStep& step, SharedProbe probe) {
    answers.probes[std::pair(step.key, step.name)] = std::move(probe);
}

}  // namespace tlsrpt::audit
