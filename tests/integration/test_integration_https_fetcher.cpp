// live::HttpsFetcher against the testbed's MTA-STS policy hosts (nginx, tests/integration/chain/
// README.md): what each fetch brings back, on the resolver's event loop.
#include <catch2/catch.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "live/https_fetcher.hpp"
#include "live/trust_store.hpp"
#include "testbed.hpp"

using namespace tlsrpt;
using namespace tlsrpt::testing;
using namespace std::chrono_literals;

namespace {

const std::string good_policy =
    "version: STSv1\r\nmode: enforce\r\nmx: mx-good.chain.test\r\nmax_age: 86400\r\n";
const std::string policy_server = net + ".43";
const std::string nobody = net + ".44";  // nothing listens there

// Room for a loaded machine: every server here answers at once, but `slow`.
constexpr auto patient = 60s;

struct Fetching {
    std::unique_ptr<dns::Resolver> loop;
    std::unique_ptr<live::HttpsFetcher> fetcher;

    // `ca_file`: trust anchors beside the system's, "" for none (--ca-file).
    explicit Fetching(live::FetchOptions options = {}, const std::string& ca_file = chain_ca_file) {
        dns::ResolverOptions resolver;
        resolver.servers = {*dns::parse_server(unbound)};
        auto created = dns::Resolver::create(resolver);
        REQUIRE(created);
        loop = std::move(*created);
        const auto anchors = live::trust_store(ca_file);
        REQUIRE(anchors);
        // The fetcher holds a reference of its own: the store may go with `anchors`.
        auto made = live::HttpsFetcher::create(*loop, std::move(options), anchors->get());
        REQUIRE(made);
        fetcher = std::move(*made);
    }

    live::FetchRequest request(const std::string& domain, std::vector<std::string> addresses = {},
                               std::chrono::milliseconds limit = patient) const {
        if (addresses.empty()) addresses = {policy_server};
        return {.host = "mta-sts." + domain,
                .path = "/.well-known/mta-sts.txt",
                .addresses = std::move(addresses),
                .deadline = loop->now() + limit};
    }

    // Fetches each request at once; the outcomes in request order.
    std::vector<live::FetchOutcome> fetch(std::vector<live::FetchRequest> requests) {
        std::vector<live::FetchOutcome> outcomes(requests.size());
        std::vector<int> calls(requests.size(), 0);
        for (std::size_t i = 0; i < requests.size(); ++i) {
            fetcher->fetch(std::move(requests[i]), [&, i](live::FetchOutcome&& outcome) {
                ++calls[i];
                outcomes[i] = std::move(outcome);
            });
        }
        loop->run();
        CHECK(calls == std::vector<int>(requests.size(), 1));
        return outcomes;
    }

    live::FetchOutcome fetch_one(live::FetchRequest request) {
        return fetch({std::move(request)}).at(0);
    }
};

}  // namespace

TEST_CASE("fetcher: the good policy, whole, from the address given") {
    Fetching fetching;
    const live::FetchOutcome outcome = fetching.fetch_one(fetching.request("good.chain.test"));
    CHECK(outcome.ending == live::FetchEnding::received);
    CHECK(outcome.status == 200);
    CHECK(outcome.media_type == "text/plain");
    CHECK(outcome.body == good_policy);
    CHECK(outcome.address == policy_server);
    CHECK(outcome.location.empty());
    CHECK(outcome.error.empty());
}

TEST_CASE("fetcher: an address that refuses the connection gives way to the next") {
    Fetching fetching;
    const live::FetchOutcome outcome =
        fetching.fetch_one(fetching.request("good.chain.test", {nobody, policy_server}));
    CHECK(outcome.ending == live::FetchEnding::received);
    CHECK(outcome.body == good_policy);
    CHECK(outcome.address == policy_server);

    const live::FetchOutcome refused =
        fetching.fetch_one(fetching.request("unreachable.chain.test", {nobody}));
    CHECK(refused.ending == live::FetchEnding::connect_failed);
    CHECK(refused.address == nobody);
    CHECK(refused.status == 0);
    CHECK_FALSE(refused.error.empty());
}

TEST_CASE("fetcher: HTTP answers other than a 200 come back as they are, redirects unfollowed") {
    Fetching fetching;
    const auto outcomes = fetching.fetch({fetching.request("redirect.chain.test"),
                                          fetching.request("notfound.chain.test"),
                                          fetching.request("mediatype.chain.test")});
    CHECK(outcomes[0].ending == live::FetchEnding::received);
    CHECK(outcomes[0].status == 301);
    CHECK(outcomes[0].location == "https://mta-sts.good.chain.test/.well-known/mta-sts.txt");
    CHECK(outcomes[1].ending == live::FetchEnding::received);
    CHECK(outcomes[1].status == 404);
    CHECK(outcomes[2].ending == live::FetchEnding::received);
    CHECK(outcomes[2].status == 200);
    CHECK(outcomes[2].media_type == "text/html");
    CHECK(outcomes[2].body == good_policy);
}

TEST_CASE("fetcher: certificates are checked for the policy host, against the anchors given") {
    Fetching fetching;
    const auto outcomes = fetching.fetch({fetching.request("expired.chain.test"),
                                          fetching.request("untrusted.chain.test"),
                                          fetching.request("wrongname.chain.test")});
    for (const live::FetchOutcome& outcome : outcomes) {
        CHECK(outcome.ending == live::FetchEnding::certificate);
        CHECK(outcome.body.empty());
        CHECK_FALSE(outcome.error.empty());
    }
    CHECK(outcomes[0].verify_result == 10);  // X509_V_ERR_CERT_HAS_EXPIRED
    CHECK(outcomes[1].verify_result == 19);  // X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN
    CHECK(outcomes[2].verify_result == 1);   // a trusted chain: curl's own name check failed

    Fetching system_anchors_only({}, "");
    const live::FetchOutcome good =
        system_anchors_only.fetch_one(system_anchors_only.request("good.chain.test"));
    CHECK(good.ending == live::FetchEnding::certificate);
    CHECK(good.verify_result == 19);
}

TEST_CASE("fetcher: a body past the limit, chunked or not, ends the fetch") {
    SECTION("chunked, no length: cut in the write callback") {
        Fetching fetching;
        const live::FetchOutcome outcome =
            fetching.fetch_one(fetching.request("oversized.chain.test"));
        CHECK(outcome.ending == live::FetchEnding::too_large);
        CHECK(outcome.body.empty());
    }
    SECTION("with a length: refused before the body") {
        Fetching fetching({.max_body = good_policy.size() - 1});
        const live::FetchOutcome outcome = fetching.fetch_one(fetching.request("good.chain.test"));
        CHECK(outcome.ending == live::FetchEnding::too_large);
    }
    SECTION("exactly the limit is whole") {
        Fetching fetching({.max_body = good_policy.size()});
        const live::FetchOutcome outcome = fetching.fetch_one(fetching.request("good.chain.test"));
        CHECK(outcome.ending == live::FetchEnding::received);
        CHECK(outcome.body == good_policy);
    }
}

TEST_CASE("fetcher: a server that says nothing is left at the deadline") {
    Fetching fetching;
    const auto started = fetching.loop->now();  // what the deadline counts from
    const live::FetchOutcome outcome =
        fetching.fetch_one(fetching.request("slow.chain.test", {}, 2s));
    CHECK(outcome.ending == live::FetchEnding::timed_out);
    CHECK(dns::Clock::now() - started >= 2s);
    CHECK(dns::Clock::now() - started < patient);  // not the 60 s the server takes
}

TEST_CASE("fetcher: fetches past the window wait in order, their deadlines counting") {
    Fetching fetching({.max_concurrent = 1});
    // The first holds the only place for 3 s; the second's deadline passes while it waits.
    const auto outcomes = fetching.fetch({fetching.request("slow.chain.test", {}, 3s),
                                          fetching.request("good.chain.test", {}, 1s),
                                          fetching.request("good.chain.test", {}, patient)});
    CHECK(outcomes[0].ending == live::FetchEnding::timed_out);
    CHECK(outcomes[1].ending == live::FetchEnding::timed_out);
    CHECK(outcomes[1].address.empty());  // it never connected
    CHECK(outcomes[2].ending == live::FetchEnding::received);
    CHECK(outcomes[2].body == good_policy);
}

TEST_CASE("fetcher: abandoned fetches never call back, and the loop ends") {
    Fetching fetching;
    int calls = 0;
    for (int i = 0; i < 4; ++i) {
        fetching.fetcher->fetch(fetching.request("slow.chain.test"),
                                [&](live::FetchOutcome&&) { ++calls; });
    }
    fetching.loop->set_timer(fetching.loop->now() + 200ms,
                             [&] { fetching.fetcher->abandon_all(); });
    const auto started = dns::Clock::now();
    fetching.loop->run();
    CHECK(calls == 0);
    CHECK(dns::Clock::now() - started < patient);
}
