// The lookup cache of --deep against a responder on 127.0.0.1 that counts the queries it gets:
// what the cache saves is only visible at the server.
#include <catch2/catch.hpp>

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <iterator>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "audit/audit.hpp"
#include "audit/lookup_cache.hpp"
#include "dns_question.hpp"
#include "loopback_socket.hpp"

using namespace tlsrpt;
using namespace std::chrono_literals;

namespace {

// Answers from a thread of its own, and counts the queries per name: MX queries for names
// under mail.test with one MX record (mx.shared.test), every other query NXDOMAIN. The first
// query for the name `drop_first_of` goes unanswered (a lost packet).
class CountingResponder {
  public:
    explicit CountingResponder(std::string drop_first_of = {})
        : drop_first_of_(std::move(drop_first_of)) {
        socket_ = testing::bind_loopback(SOCK_DGRAM);
        port_ = testing::bound_port(socket_);
        thread_ = std::thread([this] { serve(); });
    }
    CountingResponder(const CountingResponder&) = delete;
    CountingResponder& operator=(const CountingResponder&) = delete;
    ~CountingResponder() {
        stop_ = true;
        thread_.join();
        close(socket_);
    }

    std::string server() const { return "127.0.0.1:" + std::to_string(port_); }

    std::size_t queries(const std::string& name) const {
        const std::lock_guard lock(mutex_);
        const auto found = counts_.find(name);
        return found == counts_.end() ? 0 : found->second;
    }

  private:
    void serve() {
        while (!stop_) {
            pollfd ready{socket_, POLLIN, 0};
            if (poll(&ready, 1, 20) <= 0) continue;
            unsigned char query[512];
            sockaddr_in peer{};
            socklen_t peer_length = sizeof peer;
            const ssize_t size = recvfrom(socket_, query, sizeof query, 0,
                                          reinterpret_cast<sockaddr*>(&peer), &peer_length);
            if (size < 12) continue;
            const auto asked = testing::read_named_question(query, static_cast<std::size_t>(size));
            if (!asked) continue;
            const std::string& name = asked->name;
            {
                const std::lock_guard lock(mutex_);
                if (++counts_[name] == 1 && name == drop_first_of_) continue;
            }
            // The query's header and question, then the answer if any.
            std::vector<unsigned char> reply(query, query + asked->question.end);
            reply[2] |= 0x80;
            for (std::size_t i = 6; i < 12; ++i) reply[i] = 0;
            if (asked->question.type == 15 && name.ends_with(".mail.test")) {
                reply[3] = static_cast<unsigned char>(0x80);
                reply[7] = 1;
                const unsigned char mx[] = {0xc0, 12,  0,   15,  0, 1,   0,   0,   0,   60,
                                            0,    18,  0,   10,  2, 'm', 'x', 6,   's', 'h',
                                            'a',  'r', 'e', 'd', 4, 't', 'e', 's', 't', 0};
                reply.insert(reply.end(), std::begin(mx), std::end(mx));
            } else {
                reply[3] = 0x80 | 3;
            }
            sendto(socket_, reply.data(), reply.size(), 0, reinterpret_cast<sockaddr*>(&peer),
                   peer_length);
        }
    }

    std::string drop_first_of_;
    int socket_ = -1;
    unsigned short port_ = 0;
    std::atomic<bool> stop_{false};
    std::thread thread_;
    mutable std::mutex mutex_;
    std::map<std::string, std::size_t> counts_;
};

std::unique_ptr<dns::Resolver> resolver_for(const CountingResponder& responder, int tries = 1) {
    dns::ResolverOptions options;
    options.servers = {*dns::parse_server(responder.server())};
    options.timeout = 1000ms;
    options.tries = tries;
    auto resolver = dns::Resolver::create(options);
    REQUIRE(resolver);
    return std::move(*resolver);
}

struct Collected {
    std::vector<audit::SharedResponse> answers;
    std::vector<dns::Clock::time_point> times;  // when each answer came

    audit::LookupCache::Callback callback() {
        return [this](const audit::SharedResponse& response) {
            answers.push_back(response);
            times.push_back(dns::Clock::now());
        };
    }
};

// Runs the event loop until every lookup has called back, as audit::Auditor does.
void run(dns::Resolver& resolver, audit::LookupCache& cache) {
    resolver.run(cache.with_expiry({}));
}

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

TEST_CASE("lookup cache: a failure is not remembered, the next domain asks again") {
    CountingResponder responder("mx.example.test");
    auto resolver = resolver_for(responder);
    audit::LookupCache cache(*resolver, 16);
    Collected collected;
    // Two domains wait for the lookup whose only try is lost: both get the failure.
    cache.lookup("mx.example.test", dns::RecordType::tlsa, soon(), collected.callback());
    cache.lookup("mx.example.test", dns::RecordType::tlsa, soon(), collected.callback());
    run(*resolver, cache);
    REQUIRE(collected.answers.size() == 2);
    CHECK(collected.answers[0]->outcome == dns::Outcome::timeout);
    CHECK(collected.answers[1] == collected.answers[0]);
    CHECK(responder.queries("mx.example.test") == 1);

    // The next one asks again and gets the answer, which is then remembered.
    cache.lookup("mx.example.test", dns::RecordType::tlsa, soon(), collected.callback());
    run(*resolver, cache);
    REQUIRE(collected.answers.size() == 3);
    CHECK(collected.answers[2]->outcome == dns::Outcome::no_domain);
    CHECK(responder.queries("mx.example.test") == 2);
    cache.lookup("mx.example.test", dns::RecordType::tlsa, soon(), collected.callback());
    REQUIRE(collected.answers.size() == 4);
    CHECK(collected.answers[3] == collected.answers[2]);
    CHECK(responder.queries("mx.example.test") == 2);
}

namespace {

// Two domains asking for one name whose first query is lost: `first` with a deadline of
// `first_deadline` from `started`, then `joiner`, joining its lookup, with `joiner_deadline`.
// Returns the queries the name got.
std::size_t join_lost_lookup(Collected& first, Collected& joiner, dns::Clock::time_point started,
                             std::chrono::milliseconds first_deadline,
                             std::chrono::milliseconds joiner_deadline, int tries) {
    CountingResponder responder("mx.example.test");
    auto resolver = resolver_for(responder, tries);
    audit::LookupCache cache(*resolver, 16);
    cache.lookup("mx.example.test", dns::RecordType::mx, started + first_deadline,
                 first.callback());
    cache.lookup("mx.example.test", dns::RecordType::mx, started + joiner_deadline,
                 joiner.callback());
    run(*resolver, cache);
    REQUIRE(first.answers.size() == 1);
    REQUIRE(joiner.answers.size() == 1);
    return responder.queries("mx.example.test");
}

}  // namespace

TEST_CASE("lookup cache: a domain joining with an earlier deadline ends at its own deadline") {
    // The second try, 1 s after the lost first one, is answered.
    Collected first;
    Collected joiner;
    const auto started = dns::Clock::now();
    CHECK(join_lost_lookup(first, joiner, started, 10s, 300ms, 2) == 2);
    CHECK(joiner.answers[0]->outcome == dns::Outcome::timeout);
    CHECK(joiner.times[0] >= started + 300ms);
    CHECK(joiner.times[0] < first.times[0]);
    // The lookup went on for the domain that asked first.
    CHECK(first.answers[0]->outcome == dns::Outcome::no_domain);
}

TEST_CASE("lookup cache: a domain joining with a later deadline outlives the first one's") {
    // The lost query is ended by the first domain's deadline; the lookup is asked again for
    // the domain still within its own.
    Collected first;
    Collected joiner;
    CHECK(join_lost_lookup(first, joiner, dns::Clock::now(), 300ms, 10s, 1) == 2);
    CHECK(first.answers[0]->outcome == dns::Outcome::timeout);
    CHECK(joiner.answers[0]->outcome == dns::Outcome::no_domain);
}

TEST_CASE("lookup cache: with --deep, a shared mail host's failed lookup is asked again") {
    CountingResponder responder("_25._tcp.mx.shared.test");
    auto resolver = resolver_for(responder);
    audit::AuditOptions options;
    options.deep = true;
    options.max_in_flight = 1;  // one domain after the other
    audit::Auditor auditor(*resolver, options);
    std::vector<CheckResult> rows;
    for (const char* domain : {"a.mail.test", "b.mail.test", "c.mail.test"}) {
        auditor.submit(domain, domain,
                       [&rows](CheckResult&& row) { rows.push_back(std::move(row)); });
    }
    auditor.run();
    REQUIRE(rows.size() == 3);
    std::vector<std::string> dane;
    for (const CheckResult& row : rows) {
        REQUIRE(row.deep);
        REQUIRE(row.deep->mx.hosts.size() == 1);
        const MailHost& host = row.deep->mx.hosts[0];
        dane.push_back(host.name + " " + std::string(to_string(host.tlsa)));
    }
    CHECK(dane == std::vector<std::string>{"mx.shared.test dns-timeout", "mx.shared.test none",
                                           "mx.shared.test none"});
    CHECK(responder.queries("_25._tcp.mx.shared.test") == 2);
    CHECK(responder.queries("_smtp._tls.mx.shared.test") == 1);
}
