// What --deep makes of any answers. Input: a TLS-RPT record (one line in presentation format,
// empty for none), then optionally a NUL and the bytes that shape the answers to the MX,
// MTA-STS, TLSA, host TLS-RPT, destination and misplaced-record lookups: outcome, AD bit and
// records of any content. Checks: the mail hosts follow the MX answer (by preference, at most
// the limit, none for a null MX); one destination check per usable destination; misplaced
// records only without a policy; every finding has a documented code; and the status changes
// only as documented (a valid or warning row becomes invalid exactly when an error is found).
#include <algorithm>
#include <set>
#include <string>

#include "audit/audit.hpp"
#include "audit/deep.hpp"
#include "fuzz_support.hpp"

using namespace tlsrpt;
using namespace tlsrpt::audit;
using fuzz::require;

namespace {

const std::set<std::string> deep_codes = {"deep-lookup-failed",
                                          "no-mx",
                                          "null-mx",
                                          "mail-hosts-not-checked",
                                          "destinations-not-checked",
                                          "mta-sts-invalid",
                                          "mta-sts-policy-not-fetched",
                                          "mta-sts-without-tlsrpt",
                                          "dane-not-authenticated",
                                          "dane-unusable-usage",
                                          "dane-host-without-tlsrpt",
                                          "destination-null-mx",
                                          "destination-no-mail-host",
                                          "destination-unresolvable",
                                          "destination-non-public",
                                          "misplaced-record-apex",
                                          "misplaced-record-tlsrpt-label",
                                          "misplaced-record-draft-name"};

SharedResponse response_from(fuzz::ByteReader& knobs) {
    dns::Response response;
    const std::uint8_t shape = knobs.byte();
    response.outcome = static_cast<dns::Outcome>(shape % 10);
    response.authenticated = (shape & 16) != 0;
    response.attempts = 1;
    if (response.outcome == dns::Outcome::answer) {
        for (int records = 1 + (shape >> 5); records > 0; --records) {
            dns::ResourceRecord record;
            record.preference = static_cast<std::uint16_t>(knobs.u32());
            record.target = knobs.text();
            record.strings = {knobs.text()};
            record.tlsa.usage = knobs.byte();
            response.records.push_back(std::move(record));
        }
    }
    return std::make_shared<const dns::Response>(std::move(response));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const std::size_t split = std::min(input.find('\0'), input.size());
    fuzz::ByteReader knobs(input.substr(std::min(split + 1, input.size())));
    const TxtRRset rrset = fuzz::rrset_from_lines(input.substr(0, split));

    dns::Response tlsrpt;
    tlsrpt.outcome = rrset.empty() ? dns::Outcome::no_domain : dns::Outcome::answer;
    tlsrpt.rcode = rrset.empty() ? 3 : 0;
    for (const TxtRecord& record : rrset) {
        dns::ResourceRecord answer;
        answer.strings = record.strings;
        tlsrpt.records.push_back(std::move(answer));
    }
    const std::string domain = "example.com";
    CheckResult row = lookup_result(domain, domain, tlsrpt);
    const Status before = row.evaluation.status;
    const std::size_t diagnostics_before = row.evaluation.diagnostics.size();

    DeepAnswers answers;
    if (knobs.flag()) answers.mx = response_from(knobs);
    if (knobs.flag()) answers.mta_sts = response_from(knobs);
    if (answers.mx) {
        for (const auto& [preference, host] : mail_hosts(*answers.mx, domain).hosts) {
            answers.tlsa[host] = response_from(knobs);
            answers.host_tlsrpt[host] = response_from(knobs);
        }
    }
    std::size_t usable_destinations = 0;
    if (row.evaluation.policy) {
        for (const Destination& destination : row.evaluation.policy->rua) {
            if (!destination.supported) continue;
            ++usable_destinations;
            answers.destination_mx[destination.host] = response_from(knobs);
            answers.destination_a[destination.host] = response_from(knobs);
            answers.destination_aaaa[destination.host] = response_from(knobs);
        }
    }
    if (before == Status::missing) {
        for (const std::string& name : misplaced_query_names(domain)) {
            answers.misplaced[name] = response_from(knobs);
        }
    }

    add_deep_findings(row, answers);
    require(row.deep.has_value(), "deep sections for a looked-up domain");
    const DeepResult& deep = *row.deep;
    require(deep.mx.hosts.size() <= max_mail_hosts, "at most the limit of mail hosts");
    require(std::is_sorted(
                deep.mx.hosts.begin(), deep.mx.hosts.end(),
                [](const MailHost& a, const MailHost& b) { return a.preference < b.preference; }),
            "mail hosts by preference");
    require(!deep.mx.null_mx || deep.mx.hosts.empty(), "a null MX has no mail hosts");
    require(deep.destinations.size() == std::min(usable_destinations, max_destinations) &&
                deep.destinations.size() + deep.destinations_not_checked == usable_destinations,
            "one check per usable destination up to the limit, the rest counted");
    require(deep.misplaced.empty() || before == Status::missing,
            "misplaced records only without a policy");

    bool error_found = false;
    for (std::size_t i = diagnostics_before; i < row.evaluation.diagnostics.size(); ++i) {
        const Diagnostic& diagnostic = row.evaluation.diagnostics[i];
        require(deep_codes.contains(diagnostic.code), "deep findings have documented codes");
        error_found = error_found || diagnostic.severity == Severity::error;
    }
    const bool usable = before == Status::valid || before == Status::warning;
    const Status expected = usable && error_found ? Status::invalid : before;
    require(row.evaluation.status == expected, "the status changes only for errors found");
    return 0;
}
