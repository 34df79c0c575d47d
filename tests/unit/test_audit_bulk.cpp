// BulkAudit's handling of a stop request, without a network: the sources here end before any
// lookup starts, so the resolver never sends a query.
#include <catch2/catch.hpp>

#include <optional>
#include <vector>

#include "audit/bulk.hpp"
#include "dns/resolver.hpp"

using namespace tlsrpt;

namespace {

struct Run {
    bool completed = false;
    std::vector<std::string> inputs;  // of the rows, in the order they were sunk
};

// Runs a bulk audit over `source` until it ends or `stop_requested` turns true.
Run run_bulk(const audit::BulkAudit::Source& source, const bool& stop_requested) {
    dns::ResolverOptions resolver_options;
    resolver_options.servers = {*dns::parse_server("127.0.0.1:9")};
    auto resolver = dns::Resolver::create(resolver_options);
    REQUIRE(resolver);
    audit::Auditor auditor(**resolver, audit::AuditOptions{});
    Run run;
    audit::BulkAudit bulk(auditor, audit::BulkOptions{}, source,
                          [&run](audit::BulkRow&& row) { run.inputs.push_back(row.input); });
    run.completed = bulk.run([&] { return stop_requested; }, {});
    return run;
}

}  // namespace

TEST_CASE("a list that ends because of the stop request leaves the run stopped, not completed") {
    // As when SIGINT cuts short a read of a pipe: the source's end comes with the request.
    bool stop_requested = false;
    int calls = 0;
    const auto source = [&]() -> std::optional<audit::BulkItem> {
        if (++calls == 1) return audit::BulkItem{"not a domain", 1, "line 1: malformed"};
        stop_requested = true;
        return std::nullopt;
    };
    const Run run = run_bulk(source, stop_requested);
    CHECK_FALSE(run.completed);
    CHECK(run.inputs == std::vector<std::string>{"not a domain"});
}

TEST_CASE("a list that ends on its own completes the run") {
    const bool stop_requested = false;
    int calls = 0;
    const auto source = [&]() -> std::optional<audit::BulkItem> {
        if (++calls == 1) return audit::BulkItem{"not a domain", 1, "line 1: malformed"};
        return std::nullopt;
    };
    const Run run = run_bulk(source, stop_requested);
    CHECK(run.completed);
    CHECK(run.inputs == std::vector<std::string>{"not a domain"});
}
