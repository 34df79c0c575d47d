// dns::Resolver against a responder inside the test process, where the test can watch the heap:
// what the resolver keeps must follow the lookups in flight, not the lookups that have ended.
#include <catch2/catch.hpp>

#include <cstddef>

#if defined(__SANITIZE_ADDRESS__)
// From the sanitizer runtime (g++ ships no header declaring it).
extern "C" std::size_t __sanitizer_get_current_allocated_bytes();
#else
#include <malloc.h>
#endif

#include <algorithm>
#include <chrono>
#include <string>

#include "dns/resolver.hpp"
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

}  // namespace

TEST_CASE("the resolver's memory follows the lookups in flight, not those that have ended") {
    const std::size_t few = peak_heap_growth(20'000);
    const std::size_t many = peak_heap_growth(300'000);
    INFO("peak heap growth: " << few << " octets for 20,000 lookups, " << many << " for 300,000");
    // Keeping each ended lookup's deadline would take 4.5 MiB more (16 octets each).
    CHECK(many < few + 1024 * 1024);
}
