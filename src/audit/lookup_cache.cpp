#include "audit/lookup_cache.hpp"

#include <fmt/format.h>

namespace tlsrpt::audit {

LookupCache::LookupCache(dns::Resolver& resolver, std::size_t capacity)
    : resolver_(resolver), capacity_(capacity) {}

void LookupCache::lookup(const std::string& name, dns::RecordType type,
                         dns::Clock::time_point deadline, Callback done) {
    std::string key = fmt::format("{}/{}", static_cast<unsigned>(type), name);
    if (const auto known = index_.find(key); known != index_.end()) {
        answers_.splice(answers_.begin(), answers_, known->second);
        const SharedResponse response = known->second->second;
        done(response);
        return;
    }
    auto [waiting, first] = in_flight_.try_emplace(key);
    waiting->second.push_back(std::move(done));
    if (!first) return;
    resolver_.submit(name, type, deadline, [this, key = std::move(key)](dns::Response&& response) {
        const auto shared = std::make_shared<const dns::Response>(std::move(response));
        const auto waiting = in_flight_.find(key);
        std::vector<Callback> callbacks = std::move(waiting->second);
        in_flight_.erase(waiting);
        remember(key, shared);
        for (Callback& callback : callbacks) callback(shared);
    });
}

void LookupCache::remember(const std::string& key, SharedResponse response) {
    if (capacity_ == 0) return;
    answers_.emplace_front(key, std::move(response));
    index_[key] = answers_.begin();
    if (answers_.size() > capacity_) {
        index_.erase(answers_.back().first);
        answers_.pop_back();
    }
}

void LookupCache::abandon_all() {
    in_flight_.clear();
}

}  // namespace tlsrpt::audit
