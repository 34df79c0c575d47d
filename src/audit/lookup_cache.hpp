// Lookups shared by the domains of a run: one query per name, type and server however many
// domains need it (a provider's MX host or name servers serve thousands of them), and the
// answers kept in a bounded table, least recently used first out. Failures are not kept: the
// next domain asks again.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <queue>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "audit/deep.hpp"
#include "audit/recent_results.hpp"
#include "dns/resolver.hpp"

namespace tlsrpt::audit {

// Asks the resolver for `name` and `type`, or, when `server` names an address (IPv4 or IPv6
// text), that server directly at port 53 (Resolver::submit_direct).
void submit_lookup(dns::Resolver& resolver, const std::string& name, dns::RecordType type,
                   const std::string& server, dns::Clock::time_point deadline,
                   dns::Resolver::Callback done);

class LookupCache {
  public:
    using Callback = std::function<void(const SharedResponse&)>;

    LookupCache(dns::Resolver& resolver, std::size_t capacity);

    // `done` runs exactly once, by `deadline` at the latest: at once for a remembered answer,
    // else from the resolver's run() when the query (new, or already asked for by another
    // domain) completes, or from expire() when `deadline` comes first. A query ended by the
    // deadline of the domain that asked first is asked again for the domains whose own
    // deadline is later. `server` as for submit_lookup.
    void lookup(const std::string& name, dns::RecordType type, dns::Clock::time_point deadline,
                Callback done, const std::string& server = {});

    // For the resolver's run(): `pacer` (if any), after ending with a timeout the waits whose
    // deadline came before their query's, and waking the event loop for the next such one.
    dns::Resolver::Pacer with_expiry(dns::Resolver::Pacer pacer);

    // Forgets the lookups in flight without calling their callbacks (after an interruption).
    void abandon_all();

  private:
    struct Waiter {
        dns::Clock::time_point deadline;
        Callback done;
    };
    // A query in flight and the domains waiting for it.
    struct Query {
        std::string name;
        dns::RecordType type = dns::RecordType::txt;
        std::string server;               // "" for the resolver
        dns::Clock::time_point deadline;  // the latest of its waiters' when it was asked
        std::vector<Waiter> waiters;
    };
    using Expiry = std::pair<dns::Clock::time_point, std::string>;  // a waiter's deadline, key

    void expire(dns::Clock::time_point now);
    std::optional<dns::Clock::time_point> next_expiry() const;
    void ask(const std::string& key, Query& query);
    void on_response(const std::string& key, dns::Response&& response);
    void add_waiter(const std::string& key, Query& query, Waiter waiter);

    dns::Resolver& resolver_;
    std::unordered_map<std::string, Query> in_flight_;
    // Waiters whose deadline comes before their query's, earliest first. An entry may outlive
    // its waiter (answered meanwhile): expire() then finds nothing to end.
    std::priority_queue<Expiry, std::vector<Expiry>, std::greater<>> expiries_;
    RecentResults<SharedResponse> answers_;
};

}  // namespace tlsrpt::audit
