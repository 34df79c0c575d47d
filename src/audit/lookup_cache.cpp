#include "audit/lookup_cache.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "audit/answers.hpp"

namespace tlsrpt::audit {

void submit_lookup(dns::Resolver& resolver, const std::string& name, dns::RecordType type,
                   const std::string& server, dns::Clock::time_point deadline,
                   dns::Resolver::Callback done) {
    if (server.empty()) {
        resolver.submit(name, type, deadline, std::move(done));
        return;
    }
    auto address = dns::parse_server(server);
    if (!address) {
        // Addresses come from decoded A and AAAA records: this is not seen.
        dns::Response response;
        response.outcome = dns::Outcome::unreachable;
        response.detail = address.error();
        done(std::move(response));
        return;
    }
    resolver.submit_direct(*address, name, type, deadline, std::move(done));
}

LookupCache::LookupCache(dns::Resolver& resolver, std::size_t capacity)
    : resolver_(resolver), answers_(capacity) {}

void LookupCache::lookup(const std::string& name, dns::RecordType type,
                         dns::Clock::time_point deadline, Callback done,
                         const std::string& server) {
    std::string key = server.empty()
                          ? fmt::format("{}/{}", static_cast<unsigned>(type), name)
                          : fmt::format("{}/{}@{}", static_cast<unsigned>(type), name, server);
    if (const SharedResponse* known = answers_.find(key)) {
        const SharedResponse response = *known;
        done(response);
        return;
    }
    const auto [found, first] = in_flight_.try_emplace(std::move(key));
    Query& query = found->second;
    if (!first) {
        add_waiter(found->first, query, Waiter{deadline, std::move(done)});
        return;
    }
    query.name = name;
    query.type = type;
    query.server = server;
    query.deadline = deadline;
    query.waiters.push_back(Waiter{deadline, std::move(done)});
    ask(found->first, query);
}

void LookupCache::add_waiter(const std::string& key, Query& query, Waiter waiter) {
    if (waiter.deadline < query.deadline) expiries_.emplace(waiter.deadline, key);
    query.waiters.push_back(std::move(waiter));
}

void LookupCache::ask(const std::string& key, Query& query) {
    submit_lookup(resolver_, query.name, query.type, query.server, query.deadline,
                  [this, key](dns::Response&& response) { on_response(key, std::move(response)); });
}

void LookupCache::on_response(const std::string& key, dns::Response&& response) {
    const auto found = in_flight_.find(key);
    if (found == in_flight_.end()) return;
    Query& query = found->second;
    const auto shared = std::make_shared<const dns::Response>(std::move(response));
    std::vector<Waiter> ended;
    const auto now = resolver_.now();
    if (failure_code(shared->outcome).empty()) {
        ended.swap(query.waiters);
        answers_.remember(found->first, shared);
    } else if (now >= query.deadline) {
        // Ended by the deadline of the domains that asked first: those whose deadline is
        // later must not fail with them, so the lookup is asked again for them.
        const auto later = std::partition(query.waiters.begin(), query.waiters.end(),
                                          [now](const Waiter& w) { return w.deadline <= now; });
        std::move(query.waiters.begin(), later, std::back_inserter(ended));
        std::vector<Waiter> left(std::make_move_iterator(later),
                                 std::make_move_iterator(query.waiters.end()));
        query.waiters.clear();
        if (!left.empty()) {
            query.deadline =
                std::max_element(left.begin(), left.end(), [](const Waiter& a, const Waiter& b) {
                    return a.deadline < b.deadline;
                })->deadline;
            for (Waiter& waiter : left) add_waiter(found->first, query, std::move(waiter));
            ask(found->first, query);
        }
    } else {
        // A failure is no answer: every domain waiting gets it, the next one asks again.
        ended.swap(query.waiters);
    }
    if (query.waiters.empty()) in_flight_.erase(found);
    // Last: a callback may start lookups, of this name too.
    for (Waiter& waiter : ended) waiter.done(shared);
}

dns::Resolver::Pacer LookupCache::with_expiry(dns::Resolver::Pacer pacer) {
    return [this, pacer = std::move(pacer)]() -> std::optional<dns::Clock::time_point> {
        expire(resolver_.now());
        std::optional<dns::Clock::time_point> wake = pacer ? pacer() : std::nullopt;
        if (const auto expiry = next_expiry()) wake = std::min(wake.value_or(*expiry), *expiry);
        return wake;
    };
}

void LookupCache::expire(dns::Clock::time_point now) {
    if (in_flight_.empty()) expiries_ = {};
    std::vector<Waiter> ended;
    while (!expiries_.empty() && expiries_.top().first <= now) {
        const auto found = in_flight_.find(expiries_.top().second);
        expiries_.pop();
        if (found == in_flight_.end()) continue;
        // The query goes on for the others (at least the domain whose deadline it has).
        std::vector<Waiter>& waiters = found->second.waiters;
        const auto due = std::partition(waiters.begin(), waiters.end(),
                                        [now](const Waiter& w) { return w.deadline > now; });
        std::move(due, waiters.end(), std::back_inserter(ended));
        waiters.erase(due, waiters.end());
    }
    if (ended.empty()) return;
    auto timeout = std::make_shared<dns::Response>();
    timeout->outcome = dns::Outcome::timeout;
    timeout->detail = "deadline reached";
    timeout->attempts = 1;  // the query it waited for was sent
    const SharedResponse shared = std::move(timeout);
    for (Waiter& waiter : ended) waiter.done(shared);
}

std::optional<dns::Clock::time_point> LookupCache::next_expiry() const {
    if (in_flight_.empty() || expiries_.empty()) return std::nullopt;
    return expiries_.top().first;
}

void LookupCache::abandon_all() {
    in_flight_.clear();
    expiries_ = {};
}

}  // namespace tlsrpt::audit
