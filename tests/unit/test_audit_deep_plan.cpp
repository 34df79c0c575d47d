// The --deep plan without a network: which lookups the answers so far call for.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <ostream>
#include <string>
#include <vector>

#include "audit/deep_plan.hpp"
#include "deep_samples.hpp"
#include "live/https_fetcher.hpp"

using namespace tlsrpt;
using namespace tlsrpt::audit;
using namespace tlsrpt::samples;
using dns::Outcome;
using dns::RecordType;

namespace tlsrpt::audit {

// For Catch's messages: a step as the table below writes it.
std::ostream& operator<<(std::ostream& out, const DeepStep& step) {
    return out << fmt::format("{{{}, \"{}\", \"{}\", {}, {}}}", static_cast<int>(step.lookup),
                              step.key, step.name, static_cast<int>(step.type),
                              step.scope == LookupScope::run ? "run" : "domain");
}

}  // namespace tlsrpt::audit

namespace {

using Steps = std::vector<DeepStep>;
constexpr LookupScope own = LookupScope::domain;
constexpr LookupScope run = LookupScope::run;

const DeepStep mx_step{DeepLookup::mx, "", "example.com", RecordType::mx, own};
const DeepStep mta_sts_step{DeepLookup::mta_sts, "", "_mta-sts.example.com", RecordType::txt, own};
const DeepStep policy_a_step{DeepLookup::policy_host_a, "", "mta-sts.example.com", RecordType::a,
                             own};
const DeepStep policy_aaaa_step{DeepLookup::policy_host_aaaa, "", "mta-sts.example.com",
                                RecordType::aaaa, own};

// The steps of a domain whose MX and MTA-STS answers are in, with the TLS-RPT answer `record`.
Steps destination_steps(const std::string& record, const DeepAnswers& more = {}) {
    DeepAnswers answers = more;
    answers.mx = shared(response(Outcome::answer, {mx(0, "")}));
    answers.mta_sts = none();
    answers.policy_host_a = none();
    answers.policy_host_aaaa = none();
    const CheckResult row = row_with(record);
    return next_deep_steps("example.com", &row.evaluation, answers);
}

}  // namespace

TEST_CASE("deep plan: first the MX and MTA-STS of the domain") {
    CHECK(next_deep_steps("example.com", nullptr, {}) == Steps{mx_step, mta_sts_step});

    DeepAnswers answers;
    answers.mta_sts = none();
    CHECK(next_deep_steps("example.com", nullptr, answers) ==
          Steps{mx_step, policy_a_step, policy_aaaa_step});
}

TEST_CASE("deep plan: TLSA and TLS-RPT of each mail host, once the MX answer is in") {
    struct Case {
        const char* what;
        dns::Response mx;
        Steps expected;
    };
    const std::vector<Case> cases = {
        {"no MX: the domain is its own mail host",
         response(Outcome::no_data),
         {{DeepLookup::tlsa, "example.com", "_25._tcp.example.com", RecordType::tlsa, run},
          {DeepLookup::host_tlsrpt, "example.com", "_smtp._tls.example.com", RecordType::txt,
           run}}},
        {"null MX: no mail host", response(Outcome::answer, {mx(0, "")}), {}},
        {"NXDOMAIN: no mail host", response(Outcome::no_domain), {}},
        {"a failed MX lookup: nothing to look at", response(Outcome::server_failure), {}},
        {"MX hosts by preference, in lower case, once each",
         response(Outcome::answer,
                  {mx(20, "B.example.net"), mx(10, "c.example.net"), mx(30, "b.example.net")}),
         {{DeepLookup::tlsa, "c.example.net", "_25._tcp.c.example.net", RecordType::tlsa, run},
          {DeepLookup::host_tlsrpt, "c.example.net", "_smtp._tls.c.example.net", RecordType::txt,
           run},
          {DeepLookup::tlsa, "b.example.net", "_25._tcp.b.example.net", RecordType::tlsa, run},
          {DeepLookup::host_tlsrpt, "b.example.net", "_smtp._tls.b.example.net", RecordType::txt,
           run}}},
    };
    for (const Case& c : cases) {
        INFO(c.what);
        DeepAnswers answers;
        answers.mx = shared(c.mx);
        answers.mta_sts = none();
        answers.policy_host_a = none();
        answers.policy_host_aaaa = none();
        CHECK(next_deep_steps("example.com", nullptr, answers) == c.expected);
    }
}

TEST_CASE("deep plan: at most ten mail hosts, the first by preference") {
    std::vector<dns::ResourceRecord> many;
    for (int i = 13; i >= 1; --i) {
        many.push_back(mx(static_cast<std::uint16_t>(i), fmt::format("h{}.example.net", i)));
    }
    DeepAnswers answers;
    answers.mx = shared(response(Outcome::answer, many));
    answers.mta_sts = none();
    answers.policy_host_a = none();
    answers.policy_host_aaaa = none();
    Steps expected;
    for (int i = 1; i <= 10; ++i) {
        const std::string host = fmt::format("h{}.example.net", i);
        expected.push_back({DeepLookup::tlsa, host, "_25._tcp." + host, RecordType::tlsa, run});
        expected.push_back(
            {DeepLookup::host_tlsrpt, host, "_smtp._tls." + host, RecordType::txt, run});
    }
    CHECK(next_deep_steps("example.com", nullptr, answers) == expected);
}

TEST_CASE("deep plan: a mail host's lookups are named until their answers are in") {
    DeepAnswers answers;
    answers.mx = shared(response(Outcome::answer, {mx(10, "mx.example.com")}));
    answers.mta_sts = none();
    answers.policy_host_a = none();
    answers.policy_host_aaaa = none();
    answers.tlsa["mx.example.com"] = none();
    CHECK(next_deep_steps("example.com", nullptr, answers) ==
          Steps{{DeepLookup::host_tlsrpt, "mx.example.com", "_smtp._tls.mx.example.com",
                 RecordType::txt, run}});
    answers.host_tlsrpt["mx.example.com"] = none();
    CHECK(next_deep_steps("example.com", nullptr, answers).empty());
}

TEST_CASE("deep plan: the checked destinations' MX, A and AAAA") {
    SECTION("https hosts: A and AAAA; mailto domains: MX; IP literals and others: nothing") {
        CHECK(
            destination_steps("v=TLSRPTv1; rua=https://r.example.net/v1,mailto:a@m.example.org,"
                              "https://192.0.2.1/r,https://[2001:db8::1]/r,ftp://x.example/,"
                              "mailto:b@m.example.org,https://r.example.net/v2") ==
            Steps{{DeepLookup::destination_a, "r.example.net", "r.example.net", RecordType::a, run},
                  {DeepLookup::destination_aaaa, "r.example.net", "r.example.net", RecordType::aaaa,
                   run},
                  {DeepLookup::destination_mx, "m.example.org", "m.example.org", RecordType::mx,
                   run}});
    }
    const std::string mailto = "v=TLSRPTv1; rua=mailto:a@m.example.org";
    SECTION("a mailto domain without MX (NODATA): its A and AAAA") {
        DeepAnswers answers;
        answers.destination_mx["m.example.org"] = none();
        CHECK(
            destination_steps(mailto, answers) ==
            Steps{{DeepLookup::destination_a, "m.example.org", "m.example.org", RecordType::a, run},
                  {DeepLookup::destination_aaaa, "m.example.org", "m.example.org", RecordType::aaaa,
                   run}});
        answers.destination_a["m.example.org"] = none();
        answers.destination_aaaa["m.example.org"] = none();
        CHECK(destination_steps(mailto, answers).empty());
    }
    SECTION("a mailto domain with MX hosts, a null MX, NXDOMAIN or a failed lookup: nothing more") {
        for (const dns::Response& answer :
             {response(Outcome::answer, {mx(10, "in.example.org")}),
              response(Outcome::answer, {mx(0, "")}), response(Outcome::no_domain),
              response(Outcome::timeout), response(Outcome::server_failure)}) {
            INFO(static_cast<int>(answer.outcome));
            DeepAnswers answers;
            answers.destination_mx["m.example.org"] = shared(answer);
            CHECK(destination_steps(mailto, answers).empty());
        }
    }
}

TEST_CASE("deep plan: the first ten destinations are looked at, the rest only counted") {
    std::string record = "v=TLSRPTv1; rua=ftp://x.example/";
    Steps expected;
    for (int i = 1; i <= 12; ++i) {
        const std::string host = fmt::format("h{}.e", i);
        record += fmt::format(",https://{}/", host);
        if (i > 10) continue;
        expected.push_back({DeepLookup::destination_a, host, host, RecordType::a, run});
        expected.push_back({DeepLookup::destination_aaaa, host, host, RecordType::aaaa, run});
    }
    CHECK(destination_steps(record) == expected);
}

TEST_CASE("deep plan: misplaced records are looked for only when no policy was found") {
    const Steps misplaced = {
        {DeepLookup::misplaced, "example.com", "example.com", RecordType::txt, own},
        {DeepLookup::misplaced, "_tlsrpt.example.com", "_tlsrpt.example.com", RecordType::txt, own},
        {DeepLookup::misplaced, "_smtp-tlsrpt.example.com", "_smtp-tlsrpt.example.com",
         RecordType::txt, own}};
    SECTION("no record (NXDOMAIN): the three names") {
        CHECK(destination_steps("") == misplaced);
        DeepAnswers answers;
        answers.misplaced["_tlsrpt.example.com"] = none();
        CHECK(destination_steps("", answers) == Steps{misplaced[0], misplaced[2]});
    }
    SECTION("an invalid record is a policy found: nothing") {
        CHECK(destination_steps("v=TLSRPTv1; rua=ftp://x.example/").empty());
    }
}

TEST_CASE("deep plan: a failed TLS-RPT lookup calls for no destination or misplaced lookup") {
    const CheckResult row = lookup_result("example.com", "example.com", response(Outcome::timeout));
    REQUIRE(row.evaluation.status == Status::error);
    DeepAnswers answers;
    answers.mx = shared(response(Outcome::answer, {mx(0, "")}));
    answers.mta_sts = none();
    answers.policy_host_a = none();
    answers.policy_host_aaaa = none();
    CHECK(next_deep_steps("example.com", &row.evaluation, answers).empty());
}

TEST_CASE("deep plan: each answer is filed where the findings read it") {
    // A whole domain, as the pipeline carries it out: ask every step named, file the answers,
    // ask the plan again until it names nothing.
    const CheckResult row = row_with("v=TLSRPTv1; rua=mailto:a@m.example.org");
    const auto answer_to = [](const DeepStep& step) {
        if (step.lookup == DeepLookup::mx) {
            return shared(response(Outcome::answer, {mx(10, "mx.example.com")}));
        }
        return step.lookup == DeepLookup::tlsa ? shared(response(Outcome::answer, {tlsa(3)}))
                                               : none();
    };
    DeepAnswers answers;
    std::vector<Steps> rounds;
    for (Steps steps = next_deep_steps("example.com", &row.evaluation, answers); !steps.empty();
         steps = next_deep_steps("example.com", &row.evaluation, answers)) {
        for (const DeepStep& step : steps) file_answer(answers, step, answer_to(step));
        rounds.push_back(steps);
    }
    CHECK(
        rounds ==
        std::vector<Steps>{
            {mx_step,
             mta_sts_step,
             {DeepLookup::destination_mx, "m.example.org", "m.example.org", RecordType::mx, run}},
            {policy_a_step,
             policy_aaaa_step,
             {DeepLookup::tlsa, "mx.example.com", "_25._tcp.mx.example.com", RecordType::tlsa, run},
             {DeepLookup::host_tlsrpt, "mx.example.com", "_smtp._tls.mx.example.com",
              RecordType::txt, run},
             {DeepLookup::destination_a, "m.example.org", "m.example.org", RecordType::a, run},
             {DeepLookup::destination_aaaa, "m.example.org", "m.example.org", RecordType::aaaa,
              run}}});
    CHECK(answers.mx->records.size() == 1);
    CHECK(answers.mta_sts->outcome == Outcome::no_data);
    CHECK(answers.tlsa.at("mx.example.com")->records.size() == 1);
    CHECK(answers.host_tlsrpt.size() == 1);
    CHECK(answers.host_tlsrpt.contains("mx.example.com"));
    CHECK(answers.destination_mx.contains("m.example.org"));
    CHECK(answers.destination_a.contains("m.example.org"));
    CHECK(answers.destination_aaaa.contains("m.example.org"));
    CHECK(answers.misplaced.empty());
    CHECK(answers.policy_host_a->outcome == Outcome::no_data);
    CHECK(answers.policy_host_aaaa->outcome == Outcome::no_data);
    CHECK(answers.policy == nullptr);  // no address: nothing to fetch

    DeepAnswers misplaced;
    file_answer(
        misplaced,
        {DeepLookup::misplaced, "_tlsrpt.example.com", "_tlsrpt.example.com", RecordType::txt, own},
        none());
    CHECK(misplaced.misplaced.contains("_tlsrpt.example.com"));
}

TEST_CASE("deep plan: the MTA-STS policy is fetched from the policy host's addresses to connect") {
    const auto a = [](std::vector<std::string> addresses) {
        std::vector<dns::ResourceRecord> records;
        for (std::string& text : addresses) records.push_back(address(std::move(text)));
        return shared(response(Outcome::answer, std::move(records)));
    };
    const auto fetch = [](std::vector<std::string> addresses) {
        return DeepStep{DeepLookup::policy_fetch, "", "mta-sts.example.com", RecordType::a, own,
                        std::move(addresses)};
    };
    DeepAnswers answers;
    answers.mx = shared(response(Outcome::answer, {mx(0, "")}));
    answers.mta_sts = none();
    answers.policy_host_a = a({"10.0.0.1", "93.184.215.14", "93.184.215.15", "93.184.215.16"});
    CHECK(next_deep_steps("example.com", nullptr, answers) == Steps{policy_aaaa_step});
    answers.policy_host_aaaa = a({"2606:2800::1", "::1", "2606:2800::2", "2606:2800::3"});

    SECTION("public ones only, two per family, IPv4 first") {
        CHECK(next_deep_steps("example.com", nullptr, answers) ==
              Steps{fetch({"93.184.215.14", "93.184.215.15", "2606:2800::1", "2606:2800::2"})});
    }
    SECTION("--allow-private: the first two of each family, whatever they are") {
        CHECK(next_deep_steps("example.com", nullptr, answers, {.allow_private = true}) ==
              Steps{fetch({"10.0.0.1", "93.184.215.14", "2606:2800::1", "::1"})});
    }
    SECTION("only non-public addresses: nothing is fetched") {
        answers.policy_host_a = a({"127.0.0.1"});
        answers.policy_host_aaaa = none();
        CHECK(next_deep_steps("example.com", nullptr, answers).empty());
        CHECK(next_deep_steps("example.com", nullptr, answers, {.allow_private = true}) ==
              Steps{fetch({"127.0.0.1"})});
    }
    SECTION("a failed lookup of one family: the other's addresses") {
        answers.policy_host_a = shared(response(Outcome::timeout));
        CHECK(next_deep_steps("example.com", nullptr, answers) ==
              Steps{fetch({"2606:2800::1", "2606:2800::2"})});
    }
    SECTION("the fetch is named until its outcome is filed") {
        const Steps steps = next_deep_steps("example.com", nullptr, answers);
        REQUIRE(steps.size() == 1);
        live::FetchOutcome outcome;
        outcome.status = 200;
        file_answer(answers, steps[0], std::make_shared<const live::FetchOutcome>(outcome));
        REQUIRE(answers.policy != nullptr);
        CHECK(answers.policy->status == 200);
        CHECK(next_deep_steps("example.com", nullptr, answers).empty());
    }
    SECTION("without policy fetching, neither the policy host nor the fetch") {
        answers.policy_host_a = nullptr;
        answers.policy_host_aaaa = nullptr;
        CHECK(next_deep_steps("example.com", nullptr, answers, {.fetch_policy = false}).empty());
    }
}

TEST_CASE("deep plan: --probe asks a mail host's addresses, then, with its TLSA answer, each") {
    const DeepPlanOptions probing{.probe = true};
    const std::string host = "mx.example.com";
    DeepAnswers answers;
    answers.mx = shared(response(Outcome::answer, {mx(10, host)}));
    answers.mta_sts = none();
    answers.policy_host_a = none();
    answers.policy_host_aaaa = none();
    answers.host_tlsrpt[host] = none();
    const DeepStep tlsa_step{DeepLookup::tlsa, host, "_25._tcp." + host, RecordType::tlsa, run};
    const DeepStep a_step{DeepLookup::mail_host_a, host, host, RecordType::a, run};
    const DeepStep aaaa_step{DeepLookup::mail_host_aaaa, host, host, RecordType::aaaa, run};
    const auto probe = [&](std::string address) {
        return DeepStep{DeepLookup::probe, host, std::move(address), RecordType::a, run};
    };
    CHECK(next_deep_steps("example.com", nullptr, answers) == Steps{tlsa_step});
    CHECK(next_deep_steps("example.com", nullptr, answers, probing) ==
          Steps{tlsa_step, a_step, aaaa_step});

    answers.mail_host_a[host] =
        shared(response(Outcome::answer, {address("93.184.215.14"), address("10.1.1.1"),
                                          address("93.184.215.15"), address("93.184.215.16")}));
    answers.mail_host_aaaa[host] = shared(response(Outcome::answer, {address("2606:2800::1")}));
    CHECK(next_deep_steps("example.com", nullptr, answers, probing) == Steps{tlsa_step});

    answers.tlsa[host] = none();
    CHECK(next_deep_steps("example.com", nullptr, answers, probing) ==
          Steps{probe("93.184.215.14"), probe("93.184.215.15"), probe("2606:2800::1")});
    CHECK(
        next_deep_steps("example.com", nullptr, answers, {.probe = true, .allow_private = true}) ==
        Steps{probe("93.184.215.14"), probe("10.1.1.1"), probe("2606:2800::1")});

    file_answer(answers, probe("93.184.215.14"), SharedProbe());
    CHECK(answers.probes.contains(std::pair(host, std::string("93.184.215.14"))));
    CHECK(next_deep_steps("example.com", nullptr, answers, probing) ==
          Steps{probe("93.184.215.15"), probe("2606:2800::1")});
}
