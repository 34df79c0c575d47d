// STARTTLS probes shared by the domains of a run: one probe per mail host and address however
// many domains deliver there (a provider's MX hosts serve thousands of them), the outcomes kept
// in a bounded table, least recently used first out.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

#include "audit/deep.hpp"
#include "audit/recent_results.hpp"
#include "live/starttls_prober.hpp"

namespace tlsrpt::audit {

class ProbeCache {
  public:
    using Callback = std::function<void(const SharedProbe&)>;

    ProbeCache(live::StarttlsProber& prober, std::size_t capacity);

    // `done` runs exactly once: at once for a remembered outcome, else from the resolver's
    // run() when the probe (new, or started for another domain) ends. The probe runs under
    // the request of the domain that asked first (its deadline, its TLSA records).
    void probe(live::ProbeRequest request, Callback done);

    // Forgets the probes in flight without calling their callbacks (after an interruption).
    void abandon_all();

  private:
    void on_outcome(const std::string& key, live::ProbeOutcome&& outcome);

    live::StarttlsProber& prober_;
    std::unordered_map<std::string, std::vector<Callback>> in_flight_;  // waiters, by key
    RecentResults<SharedProbe> outcomes_;
};

}  // namespace tlsrpt::audit
