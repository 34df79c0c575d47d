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
             dns::RecordType type, LookupScope scope) {
        if (answered) return;
        DeepStep step{lookup, std::move(key), std::move(name), type, scope};
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

}  // namespace

std::vector<DeepStep> next_deep_steps(std::string_view domain, const Evaluation* tlsrpt,
                                      const DeepAnswers& answers) {
    StepList plan;
    plan.add(answers.mx != nullptr, DeepLookup::mx, "", std::string(domain), dns::RecordType::mx,
             LookupScope::domain);
    plan.add(answers.mta_sts != nullptr, DeepLookup::mta_sts, "", mta_sts_query_name(domain),
             dns::RecordType::txt, LookupScope::domain);
    if (answers.mx) {
        for (const auto& [preference, host] : mail_hosts(*answers.mx, domain).hosts) {
            plan.add(answers.tlsa.contains(host), DeepLookup::tlsa, host, tlsa_query_name(host),
                     dns::RecordType::tlsa, LookupScope::run);
            plan.add(answers.host_tlsrpt.contains(host), DeepLookup::host_tlsrpt, host,
                     tlsrpt_query_name(host), dns::RecordType::txt, LookupScope::run);
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
    }
}

}  // namespace tlsrpt::audit
