#include "audit/authoritative.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <iterator>
#include <map>
#include <set>
#include <utility>

#include "audit/answers.hpp"
#include "policy/address.hpp"
#include "policy/ascii.hpp"
#include "tlsrpt/domain_name.hpp"

namespace tlsrpt::audit {
namespace {

using policy::lowercase;

// `name` without its first label; "" for a top-level domain (query names hold no escapes).
std::string_view parent_of(std::string_view name) {
    const auto dot = name.find('.');
    return dot == std::string_view::npos ? std::string_view() : name.substr(dot + 1);
}

std::string server_label(const NameServer& server) {
    return server.address.empty() ? server.name
                                  : fmt::format("{} ({})", server.name, server.address);
}

ServerState answer_state(const dns::Response& response) {
    using dns::Outcome;
    switch (response.outcome) {
        case Outcome::answer:
        case Outcome::no_data:
        case Outcome::no_domain:
            return response.authoritative ? ServerState::authoritative : ServerState::lame;
        case Outcome::server_failure:
        case Outcome::refused:
        case Outcome::other_rcode:
            return ServerState::lame;
        case Outcome::timeout:
            return ServerState::dns_timeout;
        case Outcome::malformed:
            return ServerState::dns_malformed;
        case Outcome::unreachable:
        case Outcome::bad_name:  // the resolver's query had the name already: not seen here
            return ServerState::dns_unreachable;
    }
    return ServerState::dns_unreachable;
}

// The serial of the zone's SOA as the server gave it with authority.
std::optional<std::uint32_t> serial_of(const dns::Response* soa) {
    if (soa == nullptr || soa->outcome != dns::Outcome::answer || !soa->authoritative) {
        return std::nullopt;
    }
    return soa->records.front().serial;
}

// What makes two answers the same: the rcode, the alias and the records (their
// character-strings, wire for wire), in any order.
struct AnswerKey {
    std::string rcode;
    std::string alias;
    std::vector<std::vector<std::string>> records;

    auto operator<=>(const AnswerKey&) const = default;
};

// Fills what the server's answers say; returns what tells its answer from others.
AnswerKey read_answers(NameServer& server, const dns::Response& records, const dns::Response* soa) {
    server.state = answer_state(records);
    if (records.rcode) server.rcode = dns::rcode_name(*records.rcode);
    server.aa = records.authoritative;
    server.elapsed_ms = std::chrono::duration<double, std::milli>(records.elapsed).count();
    server.serial = serial_of(soa);
    AnswerKey key{server.rcode, "", {}};
    if (!records.cnames.empty()) {
        server.alias = key.alias = records.cnames.front();
        return key;
    }
    for (const dns::ResourceRecord& record : records.records) {
        server.records.push_back(join_strings(TxtRecord{record.strings}));
        server.ttl = std::min(server.ttl.value_or(record.ttl), record.ttl);
        key.records.push_back(record.strings);
    }
    std::sort(key.records.begin(), key.records.end());
    return key;
}

std::string describe_answer(const ServedAnswer& answer) {
    if (!answer.alias.empty()) return fmt::format("{}, an alias of {}", answer.rcode, answer.alias);
    if (answer.records.empty()) return fmt::format("{}, no TXT record", answer.rcode);
    return fmt::format("{}, {} record{}, {}", answer.rcode, answer.records.size(),
                       answer.records.size() == 1 ? "" : "s",
                       tlsrpt::to_string(answer.status.value_or(Status::missing)));
}

class Findings {
  public:
    Findings(AuthoritativeResult& result, std::string query)
        : result_(result), query_(std::move(query)) {}

    void add(std::string_view code, Severity severity, std::string message) {
        diagnostics_.push_back(audit_diagnostic(code, severity, std::move(message)));
    }

    void lookup_failed(const dns::Response& response, std::string_view what,
                       std::string_view consequence) {
        add("ns-lookup-failed", Severity::warning,
            fmt::format("{}, so {}", failure_message(response, what), consequence));
    }

    // Groups the servers that answered with authority by their answer, evaluates each answer
    // once, and says where they disagree.
    void compare_answers(const std::vector<AnswerKey>& keys) {
        std::map<AnswerKey, std::size_t> index;
        for (std::size_t i = 0; i < result_.servers.size(); ++i) {
            NameServer& server = result_.servers[i];
            if (server.state != ServerState::authoritative) continue;
            const auto [found, added] = index.try_emplace(keys[i], result_.answers.size());
            if (added) {
                ServedAnswer answer;
                answer.rcode = server.rcode;
                answer.alias = server.alias;
                answer.records = server.records;
                std::sort(answer.records.begin(), answer.records.end());
                TxtRRset rrset;
                for (const std::vector<std::string>& strings : keys[i].records) {
                    rrset.push_back(TxtRecord{strings});
                }
                if (answer.alias.empty()) answer.status = evaluate(rrset).status;
                result_.answers.push_back(std::move(answer));
            }
            server.answer = found->second;
            result_.answers[found->second].servers.push_back(i);
        }
        if (result_.answers.empty()) return;
        result_.consistent = result_.answers.size() == 1;
        if (*result_.consistent) return;
        std::string served;
        for (std::size_t a = 0; a < result_.answers.size(); ++a) {
            const ServedAnswer& answer = result_.answers[a];
            std::string servers;
            for (const std::size_t i : answer.servers) {
                servers += (servers.empty() ? "" : ", ") + server_label(result_.servers[i]);
            }
            served += fmt::format("{}answer {} ({}) from {}", served.empty() ? "" : "; ", a + 1,
                                  describe_answer(answer), servers);
        }
        add("ns-inconsistent", Severity::error,
            fmt::format("the authoritative servers of {} give {} different answers for {}: {}",
                        result_.zone, result_.answers.size(), query_, served));
    }

    void report_lame(const NameServer& server) {
        std::string why;
        switch (server.state) {
            case ServerState::lame:
                why = server.aa ? server.rcode : fmt::format("no AA bit ({})", server.rcode);
                break;
            case ServerState::no_address:
                why = "its name has no A or AAAA record";
                break;
            default:
                why = fmt::format("no answer ({})", tlsrpt::to_string(server.state));
        }
        add("ns-lame", Severity::warning,
            fmt::format("{} is listed as a name server of {} but does not answer for it: {}",
                        server_label(server), result_.zone, why));
    }

    void compare_serials() {
        std::map<std::uint32_t, std::vector<std::string>> by_serial;
        for (const NameServer& server : result_.servers) {
            if (server.serial) by_serial[*server.serial].push_back(server_label(server));
        }
        if (by_serial.size() < 2) return;
        add("ns-serial-mismatch", Severity::warning,
            fmt::format("the authoritative servers of {} serve different versions of the zone: "
                        "SOA serial {}",
                        result_.zone, listing(by_serial)));
    }

    // The smallest TTL of the records the servers serve with authority, noted when they differ.
    std::optional<std::uint32_t> published_ttl() {
        std::map<std::uint32_t, std::vector<std::string>> by_ttl;
        for (const NameServer& server : result_.servers) {
            if (server.state == ServerState::authoritative && server.ttl) {
                by_ttl[*server.ttl].push_back(server_label(server));
            }
        }
        if (by_ttl.empty()) return std::nullopt;
        if (by_ttl.size() > 1) {
            add("ttl-differs", Severity::info,
                fmt::format("the authoritative servers of {} publish {} with different TTLs: {}",
                            result_.zone, query_, listing(by_ttl)));
        }
        return by_ttl.begin()->first;
    }

    std::vector<Diagnostic>& diagnostics() { return diagnostics_; }

  private:
    // "V1 at A, B; V2 at C".
    static std::string listing(const std::map<std::uint32_t, std::vector<std::string>>& by) {
        std::string text;
        for (const auto& [value, servers] : by) {
            text += fmt::format("{}{} at ", text.empty() ? "" : "; ", value);
            for (std::size_t i = 0; i < servers.size(); ++i) {
                text += (i == 0 ? "" : ", ") + servers[i];
            }
        }
        return text;
    }

    AuthoritativeResult& result_;
    std::string query_;
    std::vector<Diagnostic> diagnostics_;
};

// The name servers of the zone once the search is over, or the reason there are none.
std::optional<NameServerNames> find_name_servers(const ZoneSearch& search,
                                                 const AuthoritativeAnswers& answers,
                                                 AuthoritativeResult& result, Findings& findings) {
    const std::string consequence = "the zone's authoritative servers were not asked";
    if (search.failed != nullptr) {
        result.lookup = lookup_state(search.failed->outcome);
        findings.lookup_failed(*search.failed, search.failed_name + " SOA", consequence);
        return std::nullopt;
    }
    if (search.zone.empty()) {
        result.lookup = LookupState::none;
        return std::nullopt;
    }
    result.zone = search.zone;
    if (!answers.name_servers) return std::nullopt;
    const dns::Response& ns = *answers.name_servers;
    result.lookup = lookup_state(ns.outcome);
    if (!lookup_answered(result.lookup)) {
        findings.lookup_failed(ns, search.zone + " NS", consequence);
        return std::nullopt;
    }
    NameServerNames names = name_server_names(ns);
    if (names.names.empty()) result.lookup = LookupState::none;
    return names;
}

}  // namespace

ZoneSearch find_zone(std::string_view query, const AnswersByName& zone_answers) {
    ZoneSearch search;
    for (std::string_view name = query; !name.empty(); name = parent_of(name)) {
        const dns::Response* soa = answer_for(zone_answers, name);
        if (soa == nullptr) {
            search.next = std::string(name);
            return search;
        }
        if (!failure_code(soa->outcome).empty()) {
            search.failed = soa;
            search.failed_name = std::string(name);
            return search;
        }
        if (soa->cnames.empty() && soa->zone_depth) {
            std::string_view apex = name;
            for (int label = 0; label < *soa->zone_depth; ++label) apex = parent_of(apex);
            // The root zone: no server there is asked about a domain's record.
            if (!apex.empty()) search.zone = lowercase(apex);
            return search;
        }
    }
    return search;
}

NameServerNames name_server_names(const dns::Response& ns) {
    NameServerNames list;
    if (ns.outcome != dns::Outcome::answer) return list;
    std::set<std::string> names;
    for (const dns::ResourceRecord& record : ns.records) {
        if (!record.target.empty()) names.insert(lowercase(record.target));
    }
    list.names.assign(names.begin(), names.end());
    if (list.names.size() > max_name_servers) {
        list.not_checked = list.names.size() - max_name_servers;
        list.names.resize(max_name_servers);
    }
    return list;
}

std::optional<ServerList> server_list(const NameServerNames& names,
                                      const AuthoritativeAnswers& answers, bool allow_private) {
    ServerList list;
    std::set<std::string> seen;
    for (const std::string& name : names.names) {
        bool failed = false;
        std::vector<std::string> addresses;
        for (const AnswersByName* family : {&answers.a, &answers.aaaa}) {
            const dns::Response* response = answer_for(*family, name);
            if (response == nullptr) return std::nullopt;
            if (!lookup_answered(lookup_state(response->outcome))) failed = true;
            std::vector<std::string> found;
            for (const dns::ResourceRecord& record : response->records) {
                found.push_back(record.target);
            }
            std::sort(found.begin(), found.end());
            addresses.insert(addresses.end(), found.begin(), found.end());
        }
        addresses.erase(std::unique(addresses.begin(), addresses.end()), addresses.end());
        if (addresses.empty()) {
            NameServer server;
            server.name = name;
            server.state = failed ? ServerState::address_unknown : ServerState::no_address;
            list.servers.push_back(std::move(server));
            continue;
        }
        for (std::string& address : addresses) {
            const bool known = seen.contains(address);
            if (!known && seen.size() == max_server_addresses) {
                ++list.not_checked;
                continue;
            }
            NameServer server;
            server.name = name;
            server.address = std::move(address);
            const bool askable = allow_private || policy::is_public_address(server.address);
            // Until its answer is read: a lookup the deadline kept from being made got none.
            server.state = askable ? ServerState::dns_timeout : ServerState::not_asked;
            // Asked once, whatever its names: each entry reads the same answers.
            if (askable && !known) list.to_ask.push_back(server.address);
            seen.insert(server.address);
            list.servers.push_back(std::move(server));
        }
    }
    return list;
}

void add_authoritative_findings(CheckResult& row, const AuthoritativeAnswers& answers,
                                bool allow_private) {
    if (!row.domain || !row.query) return;
    AuthoritativeResult result;
    Findings findings(result, *row.query);
    const ZoneSearch search = find_zone(*row.query, answers.zone);
    const std::optional<NameServerNames> names =
        find_name_servers(search, answers, result, findings);
    std::optional<ServerList> list;
    if (names) list = server_list(*names, answers, allow_private);
    if (list) {
        result.servers = std::move(list->servers);
        result.servers_not_checked = names->not_checked + list->not_checked;
    }

    std::vector<AnswerKey> keys(result.servers.size());
    for (std::size_t i = 0; i < result.servers.size(); ++i) {
        NameServer& server = result.servers[i];
        if (server.address.empty() || server.state == ServerState::not_asked) continue;
        const dns::Response* records = answer_for(answers.records, server.address);
        if (records == nullptr) continue;  // not asked before the deadline came
        keys[i] = read_answers(server, *records, answer_for(answers.serial, server.address));
    }
    const std::array<std::pair<const char*, const AnswersByName*>, 2> families = {
        {{"A", &answers.a}, {"AAAA", &answers.aaaa}}};
    for (const std::string& name : names ? names->names : std::vector<std::string>()) {
        for (const auto& [family, by_name] : families) {
            const dns::Response* response = answer_for(*by_name, name);
            if (response != nullptr && !failure_code(response->outcome).empty()) {
                findings.lookup_failed(*response, fmt::format("{} {}", name, family),
                                       "not every address of " + name + " was asked");
            }
        }
    }
    findings.compare_answers(keys);
    for (const NameServer& server : result.servers) {
        if (is_lame(server.state)) findings.report_lame(server);
        if (server.state == ServerState::not_asked) {
            findings.add("ns-not-asked", Severity::info,
                         fmt::format("{} was not asked: {} is not a public address "
                                     "(--allow-private asks it)",
                                     server_label(server), server.address));
        }
    }
    findings.compare_serials();
    const std::optional<std::uint32_t> ttl = findings.published_ttl();
    if (result.lookup == LookupState::none) {
        findings.add("ns-not-found", Severity::info,
                     result.zone.empty()
                         ? fmt::format("no zone that holds {} was found, so no authoritative "
                                       "server was asked",
                                       *row.query)
                         : fmt::format("{} has no NS records, so no authoritative server was "
                                       "asked",
                                       result.zone));
    }
    if (result.servers_not_checked > 0) {
        findings.add("ns-not-checked", Severity::info,
                     fmt::format("{} has {} more name server names or addresses than the {} "
                                 "names and {} addresses asked",
                                 result.zone, result.servers_not_checked, max_name_servers,
                                 max_server_addresses));
    }

    if (ttl && row.dns) {
        row.dns->ttl = ttl;
        row.dns->ttl_source = TtlSource::authoritative;
    }
    std::vector<Diagnostic>& diagnostics = findings.diagnostics();
    const auto worst = std::max_element(
        diagnostics.begin(), diagnostics.end(),
        [](const Diagnostic& a, const Diagnostic& b) { return a.severity < b.severity; });
    Status& status = row.evaluation.status;
    if (worst != diagnostics.end() && worst->severity == Severity::error &&
        status != Status::error) {
        status = Status::invalid;
    } else if (worst != diagnostics.end() && worst->severity == Severity::warning &&
               status == Status::valid) {
        status = Status::warning;
    }
    std::move(diagnostics.begin(), diagnostics.end(),
              std::back_inserter(row.evaluation.diagnostics));
    row.authoritative = std::move(result);
}

}  // namespace tlsrpt::audit
