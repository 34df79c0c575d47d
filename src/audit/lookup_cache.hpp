// Lookups shared by the domains of a run: one query per name and type however many domains
// need it (a provider's MX host serves thousands of them), and the answers kept in a bounded
// table, least recently used first out.
#pragma once

#include <cstddef>
#include <functional>
#include <list>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "audit/deep.hpp"
#include "dns/resolver.hpp"

namespace tlsrpt::audit {

class LookupCache {
  public:
    using Callback = std::function<void(const SharedResponse&)>;

    LookupCache(dns::Resolver& resolver, std::size_t capacity);

    // `done` runs exactly once: at once for a remembered answer, else from the resolver's
    // run() when the query (new, or already asked for by another domain) completes. A lookup
    // joined while in flight keeps the deadline of the domain that started it.
    void lookup(const std::string& name, dns::RecordType type, dns::Clock::time_point deadline,
                Callback done);

    // Forgets the lookups in flight without calling their callbacks (after an interruption).
    void abandon_all();

  private:
    using Entry = std::pair<std::string, SharedResponse>;
    void remember(const std::string& key, SharedResponse response);

    dns::Resolver& resolver_;
    std::size_t capacity_;
    std::unordered_map<std::string, std::vector<Callback>> in_flight_;
    std::list<Entry> answers_;  // most recently used first
    std::unordered_map<std::string, std::list<Entry>::iterator> index_;
};

}  // namespace tlsrpt::audit
