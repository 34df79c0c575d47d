#include "audit/authoritative_plan.hpp"

#include <utility>

#include "tlsrpt/domain_name.hpp"

namespace tlsrpt::audit {

std::vector<AuthoritativeStep> next_authoritative_steps(std::string_view domain,
                                                        const AuthoritativeAnswers& answers,
                                                        bool allow_private) {
    using Lookup = AuthoritativeLookup;
    std::vector<AuthoritativeStep> steps;
    const std::string query = tlsrpt_query_name(domain);
    const ZoneSearch search = find_zone(query, answers.zone);
    if (!search.next.empty()) {
        steps.push_back({Lookup::zone, search.next, dns::RecordType::soa, "", LookupScope::domain});
        return steps;
    }
    if (search.zone.empty()) return steps;
    if (!answers.name_servers) {
        steps.push_back(
            {Lookup::name_servers, search.zone, dns::RecordType::ns, "", LookupScope::run});
        return steps;
    }
    const NameServerNames names = name_server_names(*answers.name_servers);
    for (const std::string& name : names.names) {
        if (!answers.a.contains(name)) {
            steps.push_back({Lookup::a, name, dns::RecordType::a, "", LookupScope::run});
        }
        if (!answers.aaaa.contains(name)) {
            steps.push_back({Lookup::aaaa, name, dns::RecordType::aaaa, "", LookupScope::run});
        }
    }
    const std::optional<ServerList> servers = server_list(names, answers, allow_private);
    if (!servers) return steps;
    for (const std::string& address : servers->to_ask) {
        if (!answers.serial.contains(address)) {
            steps.push_back(
                {Lookup::serial, search.zone, dns::RecordType::soa, address, LookupScope::run});
        }
        if (!answers.records.contains(address)) {
            steps.push_back(
                {Lookup::records, query, dns::RecordType::txt, address, LookupScope::domain});
        }
    }
    return steps;
}

void file_answer(AuthoritativeAnswers& answers, const AuthoritativeStep& step,
                 SharedResponse response) {
    switch (step.lookup) {
        case AuthoritativeLookup::zone:
            answers.zone[step.name] = std::move(response);
            return;
        case AuthoritativeLookup::name_servers:
            answers.name_servers = std::move(response);
            return;
        case AuthoritativeLookup::a:
            answers.a[step.name] = std::move(response);
            return;
        case AuthoritativeLookup::aaaa:
            answers.aaaa[step.name] = std::move(response);
            return;
        case AuthoritativeLookup::serial:
            answers.serial[step.server] = std::move(response);
            return;
        case AuthoritativeLookup::records:
            answers.records[step.server] = std::move(response);
            return;
    }
}

}  // namespace tlsrpt::audit
