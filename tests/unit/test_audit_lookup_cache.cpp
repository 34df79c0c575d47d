// The lookup cache of --deep against a responder on 127.0.0.1 that counts the queries it gets:
// what the cache saves is only visible at the server.
#include <catch2/catch.hpp>

#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "audit/lookup_cache.hpp"
#include "nxdomain_responder.hpp"

using namespace tlsrpt;
using namespace std::chrono_literals;

namespace {

// Counts the queries per name that an NXDOMAIN responder gets.
class CountingResponder {
  public:
    std::string server() const { return responder_.server(); }

    std::size_t queries(const std::string& name) const {
        const std::lock_guard lock(mutex_);
        const auto found = counts_.find(name);
        return found == counts_.end() ? 0 : found->second;
    }

  private:
    mutable std::mutex mutex_;
    std::map<std::string, std::size_t, std::less<>> counts_;
    // Last: it stops before the counts go.
    testing::NxdomainResponder responder_{[this](std::string_view name) {
        const std::lock_guard lock(mutex_);
        ++counts_[std::string(name)];
    }};
};

std::unique_ptr<dns::Resolver> resolver_for(const CountingResponder& responder) {
    dns::ResolverOptions options;
    options.servers = {*dns::parse_server(responder.server())};
    options.timeout = 1000ms;
    options.tries = 1;
    auto resolver = dns::Resolver::create(options);
    REQUIRE(resolver);
    return std::move(*resolver);
}

struct Collected {
    std::vector<audit::SharedResponse> answers;

    audit::LookupCache::Callback callback() {
        return [this](const audit::SharedResponse& response) { answers.push_back(response); };
    }
};

dns::Clock::time_point soon() {
    return dns::Clock::now() + 5s;
}

}  // namespace

TEST_CASE("lookup cache: a name asked for by many is queried once, and the answer kept") {
    CountingResponder responder;
    auto resolver = resolver_for(responder);
    audit::LookupCache cache(*resolver, 16);
    Collected collected;
    for (int i = 0; i < 3; ++i) {
        cache.lookup("mx.example.test", dns::RecordType::txt, soon(), collected.callback());
    }
    CHECK(collected.answers.empty());
    resolver->run();
    REQUIRE(collected.answers.size() == 3);
    CHECK(collected.answers[0]->outcome == dns::Outcome::no_domain);
    CHECK(collected.answers[1] == collected.answers[0]);
    CHECK(collected.answers[2] == collected.answers[0]);
    CHECK(responder.queries("mx.example.test") == 1);

    // Remembered: answered at once, without a query.
    cache.lookup("mx.example.test", dns::RecordType::txt, soon(), collected.callback());
    REQUIRE(collected.answers.size() == 4);
    CHECK(collected.answers[3] == collected.answers[0]);

    // Another type is another lookup.
    cache.lookup("mx.example.test", dns::RecordType::tlsa, soon(), collected.callback());
    resolver->run();
    CHECK(collected.answers.size() == 5);
    CHECK(responder.queries("mx.example.test") == 2);
}

TEST_CASE("lookup cache: when full, the least recently used answer goes") {
    CountingResponder responder;
    auto resolver = resolver_for(responder);
    audit::LookupCache cache(*resolver, 2);
    Collected collected;
    const auto ask = [&](const std::string& name) {
        cache.lookup(name, dns::RecordType::mx, soon(), collected.callback());
        resolver->run();
    };
    ask("a.test");
    ask("b.test");
    ask("a.test");  // used again: b.test is now the oldest
    ask("c.test");  // evicts b.test
    ask("a.test");
    ask("b.test");
    CHECK(responder.queries("a.test") == 1);
    CHECK(responder.queries("b.test") == 2);
    CHECK(responder.queries("c.test") == 1);
    CHECK(collected.answers.size() == 6);
}

TEST_CASE("lookup cache: without room it still joins lookups in flight") {
    CountingResponder responder;
    auto resolver = resolver_for(responder);
    audit::LookupCache cache(*resolver, 0);
    Collected collected;
    cache.lookup("a.test", dns::RecordType::a, soon(), collected.callback());
    cache.lookup("a.test", dns::RecordType::a, soon(), collected.callback());
    resolver->run();
    cache.lookup("a.test", dns::RecordType::a, soon(), collected.callback());
    resolver->run();
    CHECK(collected.answers.size() == 3);
    CHECK(responder.queries("a.test") == 2);
}
