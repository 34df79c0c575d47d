// The --authoritative plan without a network: which lookups the answers so far call for.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <ostream>
#include <string>
#include <vector>

#include "audit/authoritative_plan.hpp"
#include "authoritative_samples.hpp"

using namespace tlsrpt;
using namespace tlsrpt::audit;
using namespace tlsrpt::samples;
using dns::Outcome;
using dns::RecordType;

namespace tlsrpt::audit {

// For Catch's messages: a step as the tables below write it.
std::ostream& operator<<(std::ostream& out, const AuthoritativeStep& step) {
    return out << fmt::format("{{{}, \"{}\", {}, \"{}\", {}}}", static_cast<int>(step.lookup),
                              step.name, static_cast<int>(step.type), step.server,
                              step.scope == LookupScope::run ? "run" : "domain");
}

}  // namespace tlsrpt::audit

namespace {

using Steps = std::vector<AuthoritativeStep>;
using Lookup = AuthoritativeLookup;
constexpr LookupScope own = LookupScope::domain;
constexpr LookupScope run = LookupScope::run;

Steps steps(const AuthoritativeAnswers& answers, bool allow_private = false) {
    return next_authoritative_steps("example.com", answers, allow_private);
}

AuthoritativeStep zone_step(const std::string& name) {
    return {Lookup::zone, name, RecordType::soa, "", own};
}

// The serial and TXT lookups at one address.
Steps server_steps(const std::string& address) {
    return {{Lookup::serial, "example.com", RecordType::soa, address, run},
            {Lookup::records, zone_query, RecordType::txt, address, own}};
}

}  // namespace

TEST_CASE("authoritative plan: first the SOA of the query name, through the resolver") {
    CHECK(steps({}) == Steps{zone_step(zone_query)});
}

TEST_CASE("authoritative plan: the search for the zone goes up while no answer names one") {
    struct Case {
        const char* what;
        SharedResponse answer;
        Steps expected;
    };
    dns::Response aliased = response(Outcome::no_data);
    aliased.zone_depth = 2;
    aliased.cnames = {"_smtp._tls.customer.provider.example"};
    const std::vector<Case> cases = {
        {"the zone named: its NS next",
         zone_answer(2),
         {{Lookup::name_servers, "example.com", RecordType::ns, "", run}}},
        {"the name is the apex",
         zone_answer(0),
         {{Lookup::name_servers, zone_query, RecordType::ns, "", run}}},
        {"no SOA in the answer: the parent next", none(), {zone_step("_tls.example.com")}},
        {"an alias: its target's zone is not the name's",
         shared(aliased),
         {zone_step("_tls.example.com")}},
        {"the root zone: the search is over, no zone", zone_answer(4), {}},
        {"a failed lookup ends the search", shared(response(Outcome::server_failure)), {}},
    };
    for (const Case& c : cases) {
        INFO(c.what);
        AuthoritativeAnswers answers;
        answers.zone[zone_query] = c.answer;
        CHECK(steps(answers) == c.expected);
    }
}

TEST_CASE("authoritative plan: the search ends at the top-level domain") {
    AuthoritativeAnswers answers;
    for (const char* name : {"_smtp._tls.example.com", "_tls.example.com", "example.com"}) {
        answers.zone[name] = none();
    }
    CHECK(steps(answers) == Steps{zone_step("com")});
    answers.zone["com"] = none();
    CHECK(steps(answers).empty());
}

TEST_CASE("authoritative plan: A and AAAA of each name server, shared by the run") {
    AuthoritativeAnswers answers;
    answers.zone[zone_query] = zone_answer(2);
    answers.name_servers = shared(
        response(Outcome::answer, {name_server("ns2.example.net"), name_server("NS1.example.net"),
                                   name_server("ns1.example.net"), name_server("")}));
    CHECK(steps(answers) == Steps{{Lookup::a, "ns1.example.net", RecordType::a, "", run},
                                  {Lookup::aaaa, "ns1.example.net", RecordType::aaaa, "", run},
                                  {Lookup::a, "ns2.example.net", RecordType::a, "", run},
                                  {Lookup::aaaa, "ns2.example.net", RecordType::aaaa, "", run}});
    answers.a["ns1.example.net"] = none();
    answers.aaaa["ns2.example.net"] = none();
    CHECK(steps(answers) == Steps{{Lookup::aaaa, "ns1.example.net", RecordType::aaaa, "", run},
                                  {Lookup::a, "ns2.example.net", RecordType::a, "", run}});
    // A failed NS lookup names no server.
    answers.name_servers = shared(response(Outcome::server_failure));
    CHECK(steps(answers).empty());
}

TEST_CASE("authoritative plan: each address once every address is in, the serial shared") {
    AuthoritativeAnswers answers = answers_up_to_servers();
    Steps expected = server_steps(ns1_address);
    const Steps ns2 = server_steps(ns2_address);
    expected.insert(expected.end(), ns2.begin(), ns2.end());
    CHECK(steps(answers) == expected);

    // Not before the last address lookup is in: the limit on addresses counts them in order.
    answers.aaaa.erase("ns2.example.net");
    CHECK(steps(answers) == Steps{{Lookup::aaaa, "ns2.example.net", RecordType::aaaa, "", run}});

    answers = answers_with(from_server(Outcome::no_domain), from_server(Outcome::no_domain));
    CHECK(steps(answers).empty());
}

TEST_CASE("authoritative plan: an address two names share is asked once") {
    AuthoritativeAnswers answers = answers_up_to_servers();
    answers.a["ns2.example.net"] = shared(response(Outcome::answer, {address(ns1_address)}));
    CHECK(steps(answers) == server_steps(ns1_address));
}

TEST_CASE("authoritative plan: addresses that are not public only with allow_private") {
    AuthoritativeAnswers answers = answers_up_to_servers();
    answers.a["ns1.example.net"] =
        shared(response(Outcome::answer, {address("127.0.91.53"), address("10.1.2.3")}));
    answers.aaaa["ns2.example.net"] = shared(response(Outcome::answer, {address("::1")}));
    CHECK(steps(answers) == server_steps(ns2_address));
    Steps all = server_steps("10.1.2.3");
    for (const char* address : {"127.0.91.53", ns2_address.c_str(), "::1"}) {
        const Steps more = server_steps(address);
        all.insert(all.end(), more.begin(), more.end());
    }
    CHECK(steps(answers, true) == all);
}

TEST_CASE("authoritative plan: at most 13 names and 26 addresses are asked") {
    AuthoritativeAnswers answers;
    answers.zone[zone_query] = zone_answer(2);
    std::vector<dns::ResourceRecord> names;
    for (int i = 10; i < 30; ++i) names.push_back(name_server(fmt::format("ns{}.example.net", i)));
    answers.name_servers = shared(response(Outcome::answer, names));
    CHECK(steps(answers).size() == 2 * max_name_servers);
    for (int i = 10; i < 30; ++i) {
        const std::string name = fmt::format("ns{}.example.net", i);
        answers.a[name] =
            shared(response(Outcome::answer, {address(fmt::format("93.184.{}.1", i)),
                                              address(fmt::format("93.184.{}.2", i)),
                                              address(fmt::format("93.184.{}.3", i))}));
        answers.aaaa[name] = none();
    }
    CHECK(steps(answers).size() == 2 * max_server_addresses);
}

TEST_CASE("authoritative plan: answers are filed under the name or the server asked") {
    AuthoritativeAnswers answers;
    const SharedResponse answer = none();
    file_answer(answers, zone_step("_tls.example.com"), answer);
    file_answer(answers, {Lookup::name_servers, "example.com", RecordType::ns, "", run}, answer);
    file_answer(answers, {Lookup::a, "ns1.example.net", RecordType::a, "", run}, answer);
    file_answer(answers, {Lookup::aaaa, "ns1.example.net", RecordType::aaaa, "", run}, answer);
    for (const AuthoritativeStep& step : server_steps(ns1_address)) {
        file_answer(answers, step, answer);
    }
    CHECK(answers.zone.at("_tls.example.com") == answer);
    CHECK(answers.name_servers == answer);
    CHECK(answers.a.at("ns1.example.net") == answer);
    CHECK(answers.aaaa.at("ns1.example.net") == answer);
    CHECK(answers.serial.at(ns1_address) == answer);
    CHECK(answers.records.at(ns1_address) == answer);
}
