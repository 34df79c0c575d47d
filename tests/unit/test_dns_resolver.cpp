// dns::Resolver against responders inside the test process, where the test can watch the heap
// and the descriptors: what the resolver keeps must follow the lookups in flight, not the
// lookups that have ended; and a lookup at one server (submit_direct) goes there alone.
#include <catch2/catch.hpp>

#include <cstddef>

#if defined(__SANITIZE_ADDRESS__)
// From the sanitizer runtime (g++ ships no header declaring it).
extern "C" std::size_t __sanitizer_get_current_allocated_bytes();
#else
#include <malloc.h>
#endif

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iterator>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "dns/resolver.hpp"
#include "loopback_socket.hpp"
#include "nxdomain_responder.hpp"

using namespace tlsrpt;
using namespace std::chrono_literals;

namespace {

// Octets allocated and not yet freed, as the allocator in use counts them.
std::size_t live_heap_bytes() {
#if defined(__SANITIZE_ADDRESS__)
    return __sanitizer_get_current_allocated_bytes();
#else
    const struct mallinfo2 info = mallinfo2();
    return info.uordblks + info.hblkhd;
#endif
}

// Looks up `names` distinct names, at most 256 at a time, under a deadline none of them reaches
// (each is answered at once): returns the most the heap held beyond where it started, sampled
// between rounds of the event loop.
std::size_t peak_heap_growth(std::size_t names) {
    testing::NxdomainResponder responder;
    dns::ResolverOptions options;
    options.servers = {*dns::parse_server(responder.server())};
    options.timeout = 5000ms;
    auto created = dns::Resolver::create(options);
    REQUIRE(created);
    dns::Resolver& resolver = **created;

    std::size_t submitted = 0;
    std::size_t answered = 0;
    std::size_t nxdomain = 0;
    const std::size_t start = live_heap_bytes();
    std::size_t peak = start;
    resolver.run([&]() -> std::optional<dns::Clock::time_point> {
        peak = std::max(peak, live_heap_bytes());
        while (submitted < names && submitted - answered < 256) {
            resolver.submit("gone" + std::to_string(++submitted) + ".test", dns::RecordType::txt,
                            resolver.now() + 600s, [&](dns::Response&& response) {
                                ++answered;
                                if (response.outcome == dns::Outcome::no_domain) ++nxdomain;
                            });
        }
        if (submitted == names) return std::nullopt;
        return resolver.now() + 10ms;
    });
    CHECK(answered == names);
    CHECK(nxdomain == names);
    return peak - start;
}

// What a responder was asked: each name, and whether RD was set.
class QueryLog {
  public:
    testing::NxdomainResponder::OnQuery recorder() {
        return [this](std::string_view name, bool recursion_desired) {
            const std::lock_guard lock(mutex_);
            queries_.emplace_back(name, recursion_desired);
        };
    }
    std::vector<std::pair<std::string, bool>> queries() const {
        const std::lock_guard lock(mutex_);
        return queries_;
    }

  private:
    mutable std::mutex mutex_;
    std::vector<std::pair<std::string, bool>> queries_;
};

std::unique_ptr<dns::Resolver> resolver_for(const testing::NxdomainResponder& responder) {
    dns::ResolverOptions options;
    options.servers = {*dns::parse_server(responder.server())};
    options.timeout = 5000ms;
    auto created = dns::Resolver::create(options);
    REQUIRE(created);
    return std::move(*created);
}

std::size_t open_descriptors() {
    return static_cast<std::size_t>(
        std::distance(std::filesystem::directory_iterator("/proc/self/fd"),
                      std::filesystem::directory_iterator()));
}

// A port on 127.0.0.1 that nobody listens on: queries to it meet "port unreachable".
std::string unused_port_server() {
    const int fd = testing::bind_loopback(SOCK_DGRAM);
    const std::uint16_t port = testing::bound_port(fd);
    close(fd);
    return "127.0.0.1:" + std::to_string(port);
}

}  // namespace

TEST_CASE("a direct lookup goes to its server alone, with RD clear, and gets its answer") {
    QueryLog configured_log;
    QueryLog direct_log;
    testing::NxdomainResponder configured(configured_log.recorder());
    testing::NxdomainResponder direct(direct_log.recorder());
    auto resolver = resolver_for(configured);
    std::vector<dns::Response> responses;
    const auto keep = [&](dns::Response&& response) { responses.push_back(std::move(response)); };
    resolver->submit_direct(*dns::parse_server(direct.server()), "_smtp._tls.a.test",
                            dns::RecordType::txt, resolver->now() + 10s, keep);
    resolver->submit("_smtp._tls.b.test", dns::RecordType::txt, resolver->now() + 10s, keep);
    resolver->run();
    REQUIRE(responses.size() == 2);
    for (const dns::Response& response : responses) {
        CHECK(response.outcome == dns::Outcome::no_domain);
        CHECK(response.attempts == 1);
    }
    const auto by_server = [&](const std::string& server) {
        return std::count_if(responses.begin(), responses.end(),
                             [&](const dns::Response& r) { return r.server == server; });
    };
    CHECK(by_server(direct.server()) == 1);
    CHECK(by_server(configured.server()) == 1);
    using Asked = std::vector<std::pair<std::string, bool>>;
    CHECK(direct_log.queries() == Asked{{"_smtp._tls.a.test", false}});
    CHECK(configured_log.queries() == Asked{{"_smtp._tls.b.test", true}});
}

TEST_CASE("a direct lookup at a server that refuses ends unreachable; no other server is asked") {
    QueryLog configured_log;
    testing::NxdomainResponder configured(configured_log.recorder());
    auto resolver = resolver_for(configured);
    dns::Response response;
    resolver->submit_direct(*dns::parse_server(unused_port_server()), "_smtp._tls.a.test",
                            dns::RecordType::txt, resolver->now() + 10s,
                            [&](dns::Response&& r) { response = std::move(r); });
    resolver->run();
    CHECK(response.outcome == dns::Outcome::unreachable);
    CHECK(configured_log.queries().empty());
}

TEST_CASE("a direct lookup answered SERVFAIL is not asked again; a lookup of the servers is") {
    QueryLog log;
    testing::NxdomainResponder failing(log.recorder(), /*rcode=*/2);
    auto resolver = resolver_for(failing);
    std::vector<dns::Outcome> outcomes;
    const auto keep = [&](dns::Response&& response) { outcomes.push_back(response.outcome); };
    resolver->submit_direct(*dns::parse_server(failing.server()), "direct.test",
                            dns::RecordType::txt, resolver->now() + 10s, keep);
    resolver->submit("resolved.test", dns::RecordType::txt, resolver->now() + 10s, keep);
    resolver->run();
    CHECK(outcomes == std::vector{dns::Outcome::server_failure, dns::Outcome::server_failure});
    const auto queries = log.queries();
    const auto asked = [&](const std::string& name) {
        return std::count_if(queries.begin(), queries.end(),
                             [&](const auto& query) { return query.first == name; });
    };
    CHECK(asked("direct.test") == 1);
    CHECK(asked("resolved.test") == 2);  // the default of two tries
}

TEST_CASE("direct lookups at many servers keep no socket once they have ended") {
    testing::NxdomainResponder configured;
    std::vector<std::unique_ptr<testing::NxdomainResponder>> servers;
    for (int i = 0; i < 8; ++i) servers.push_back(std::make_unique<testing::NxdomainResponder>());
    auto resolver = resolver_for(configured);
    const std::size_t before = open_descriptors();
    for (int round = 0; round < 2; ++round) {
        std::size_t answered = 0;
        for (int lookup = 0; lookup < 100; ++lookup) {
            const auto& server = servers[static_cast<std::size_t>(lookup) % servers.size()];
            resolver->submit_direct(*dns::parse_server(server->server()),
                                    "n" + std::to_string(lookup) + ".test", dns::RecordType::txt,
                                    resolver->now() + 10s, [&](dns::Response&& response) {
                                        if (response.outcome == dns::Outcome::no_domain) {
                                            ++answered;
                                        }
                                    });
        }
        resolver->run();
        INFO("round " << round);
        CHECK(answered == 100);
        CHECK(open_descriptors() == before);
    }
}

TEST_CASE("the resolver's memory follows the lookups in flight, not those that have ended") {
    const std::size_t few = peak_heap_growth(20'000);
    const std::size_t many = peak_heap_growth(300'000);
    INFO("peak heap growth: " << few << " octets for 20,000 lookups, " << many << " for 300,000");
    // Keeping each ended lookup's deadline would take 4.5 MiB more (16 octets each).
    CHECK(many < few + 1024 * 1024);
}
