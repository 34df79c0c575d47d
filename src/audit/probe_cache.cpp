#include "audit/probe_cache.hpp"

#include <memory>
#include <utility>

namespace tlsrpt::audit {

ProbeCache::ProbeCache(live::StarttlsProber& prober, std::size_t capacity)
    : prober_(prober), outcomes_(capacity) {}

void ProbeCache::probe(live::ProbeRequest request, Callback done) {
    // Host names hold no space: the key splits back.
    std::string key = request.host + ' ' + request.address;
    if (const SharedProbe* known = outcomes_.find(key)) {
        const SharedProbe outcome = *known;
        done(outcome);
        return;
    }
    const auto [found, first] = in_flight_.try_emplace(key);
    found->second.push_back(std::move(done));
    if (!first) return;
    prober_.probe(std::move(request), [this, key](live::ProbeOutcome&& outcome) {
        on_outcome(key, std::move(outcome));
    });
}

void ProbeCache::on_outcome(const std::string& key, live::ProbeOutcome&& outcome) {
    const auto found = in_flight_.find(key);
    if (found == in_flight_.end()) return;
    std::vector<Callback> waiters = std::move(found->second);
    in_flight_.erase(found);
    const auto shared = std::make_shared<const live::ProbeOutcome>(std::move(outcome));
    outcomes_.remember(key, shared);
    // Last: a callback may start probes, of this host too.
    for (Callback& waiter : waiters) waiter(shared);
}

void ProbeCache::abandon_all() {
    in_flight_.clear();
}

}  // namespace tlsrpt::audit
