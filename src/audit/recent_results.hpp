// Results a run remembers for the domains after it, at most `capacity`, the least recently
// used first out: shared by the lookup cache and the probe cache. Internal to src/audit/.
#pragma once

#include <cstddef>
#include <list>
#include <string>
#include <unordered_map>
#include <utility>

namespace tlsrpt::audit {

template <typename Result>
class RecentResults {
  public:
    explicit RecentResults(std::size_t capacity) : capacity_(capacity) {}

    // The result kept under `key`, now the most recently used; null when none is.
    const Result* find(const std::string& key) {
        const auto found = index_.find(key);
        if (found == index_.end()) return nullptr;
        results_.splice(results_.begin(), results_, found->second);
        return &found->second->second;
    }

    void remember(const std::string& key, Result result) {
        if (capacity_ == 0 || index_.contains(key)) return;
        results_.emplace_front(key, std::move(result));
        index_[key] = results_.begin();
        if (results_.size() > capacity_) {
            index_.erase(results_.back().first);
            results_.pop_back();
        }
    }

  private:
    using Entry = std::pair<std::string, Result>;

    std::size_t capacity_;
    std::list<Entry> results_;  // most recently used first
    std::unordered_map<std::string, typename std::list<Entry>::iterator> index_;
};

}  // namespace tlsrpt::audit
