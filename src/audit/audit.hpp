// The per-domain pipeline: name -> normalised domain -> TXT lookup at _smtp._tls.<domain> ->
// evaluation -> one CheckResult. With `deep` and `authoritative`, the further lookups of
// deep_plan.hpp and authoritative_plan.hpp join in, each as soon as the answer it depends on is
// in. Lookups run asynchronously on a dns::Resolver, at most `max_in_flight` domains at a time,
// each domain under one deadline for all its lookups.
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "audit/authoritative_plan.hpp"
#include "audit/deep_plan.hpp"
#include "audit/expectations.hpp"
#include "audit/lookup_cache.hpp"
#include "audit/probe_cache.hpp"
#include "dns/resolver.hpp"
#include "live/https_fetcher.hpp"
#include "live/starttls_prober.hpp"
#include "tlsrpt/result.hpp"

namespace tlsrpt::audit {

struct AuditOptions {
    // Hard limit for all of a domain's lookups, retries included.
    std::chrono::milliseconds deadline{10'000};
    // Domains being looked up at once; further submissions wait in order.
    std::size_t max_in_flight = 256;
    // Checked on every looked-up row (--expect-rua, --min-ttl).
    Expectations expectations;
    // MX, MTA-STS, DANE, destinations and misplaced records too (--deep).
    bool deep = false;
    // The zone's name servers asked directly, and the TTL they publish (--authoritative).
    bool authoritative = false;
    // --allow-private: connect to non-public addresses too (policy hosts, name servers).
    bool allow_private = false;
    // --deep, --authoritative: answers remembered for other domains of the run.
    std::size_t lookup_cache_entries = 16384;
    // --deep: each fetch of an MTA-STS policy, from its start (RFC 8461 §3.3 suggests a
    // minute at most; a policy host slower than this one fails as a sender's fetch would).
    std::chrono::milliseconds fetch_timeout{20'000};
    // --probe: STARTTLS to the mail hosts; each probe's limit, from its start.
    bool probe = false;
    std::chrono::milliseconds probe_timeout{30'000};
};

// What --deep connects with beyond DNS, made by the caller on the resolver's loop: the
// MTA-STS policy fetch and the STARTTLS probes.
struct LiveChecks {
    live::HttpsFetcher* fetcher = nullptr;   // null: no policy is fetched
    live::StarttlsProber* prober = nullptr;  // null: no probes
};

class Auditor {
  public:
    using ResultCallback = std::function<void(CheckResult&&)>;

    Auditor(dns::Resolver& resolver, AuditOptions options, LiveChecks live = {});

    // Looks up `domain`, as normalise_domain() returned it for `input`; `done` runs exactly
    // once, from run(), with the row.
    void submit(std::string input, std::string domain, ResultCallback done);

    // Domains whose lookups have started and not yet finished.
    std::size_t in_flight() const { return in_flight_; }

    // Returns when every submitted domain has its row (see dns::Resolver::run for `pacer`).
    void run(const dns::Resolver::Pacer& pacer = {});

    // Forgets every domain not finished yet: their callbacks never run.
    void abandon_all();

  private:
    struct Pending {
        std::string input;
        std::string domain;
        ResultCallback done;
    };
    // A domain with further lookups (--deep, --authoritative).
    struct Job;
    using JobPtr = std::shared_ptr<Job>;
    using Filer = std::function<void(Job& job, const SharedResponse& response)>;

    void start(Pending pending);
    void start_job(Pending pending, dns::Clock::time_point deadline);
    void finish(Pending& pending, CheckResult&& row);
    void on_domain_finished();

    // Asks the steps the plans name for `job` that were not asked yet.
    void follow_plans(const JobPtr& job);
    // One more lookup for `job`: `file` files its answer, and the plans are asked again. The
    // job's row is finished when its last lookup is in.
    void ask(const JobPtr& job, const std::string& name, dns::RecordType type,
             const std::string& server, LookupScope scope, Filer file);
    // --deep: the same for a fetch of the MTA-STS policy, and for a probe (--probe).
    void fetch_policy(const JobPtr& job, const DeepStep& step);
    void probe(const JobPtr& job, const DeepStep& step);
    void release(const JobPtr& job);

    dns::Resolver& resolver_;
    AuditOptions options_;
    LiveChecks live_;
    DeepPlanOptions plan_options_;
    LookupCache cache_;
    std::optional<ProbeCache> probes_;
    // Plain checks in flight, in slots reused as they end: a lookup's callback holds its
    // slot's index only, small enough for std::function to keep without allocating.
    std::vector<Pending> running_;
    std::vector<std::size_t> free_slots_;
    std::size_t in_flight_ = 0;
    std::deque<Pending> waiting_;
};

// The row for a name that is not a usable domain name.
CheckResult invalid_domain_result(std::string input, Diagnostic problem);

// The row for a finished TXT lookup of `domain`: pure, so that every DNS outcome can be
// tested without a network.
CheckResult lookup_result(std::string input, std::string domain, dns::Response response);

}  // namespace tlsrpt::audit
