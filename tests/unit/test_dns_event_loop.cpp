// Other work on the resolver's event loop: descriptors watched and timers, in the order and
// with the events they come, and run() ending exactly when no work is left.
#include <catch2/catch.hpp>

#include <sys/epoll.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <string>
#include <vector>

#include "dns/resolver.hpp"
#include "nxdomain_responder.hpp"

using namespace tlsrpt;
using namespace std::chrono_literals;

namespace {

std::unique_ptr<dns::Resolver> make_resolver(const testing::NxdomainResponder& responder) {
    dns::ResolverOptions options;
    options.servers = {*dns::parse_server(responder.server())};
    auto created = dns::Resolver::create(options);
    REQUIRE(created);
    return std::move(*created);
}

struct Pipe {
    std::array<int, 2> fds{-1, -1};
    Pipe() { REQUIRE(pipe(fds.data()) == 0); }
    ~Pipe() {
        close(fds[0]);
        close(fds[1]);
    }
    int read_end() const { return fds[0]; }
    void put(char byte) const { REQUIRE(write(fds[1], &byte, 1) == 1); }
    char take() const {
        char byte = 0;
        REQUIRE(read(fds[0], &byte, 1) == 1);
        return byte;
    }
};

}  // namespace

TEST_CASE("timers fire in the order of their times, then of their setting, and run() ends after") {
    testing::NxdomainResponder responder;
    auto resolver = make_resolver(responder);
    std::vector<std::string> fired;
    const auto start = resolver->now();
    resolver->set_timer(start + 30ms, [&] { fired.push_back("late"); });
    resolver->set_timer(start + 10ms, [&] { fired.push_back("early 1"); });
    resolver->set_timer(start + 10ms, [&] {
        fired.push_back("early 2");
        // Set from a callback, already due: fires in the same round.
        resolver->set_timer(resolver->now(), [&] { fired.push_back("set by early 2"); });
    });
    resolver->run();
    CHECK(fired == std::vector<std::string>{"early 1", "early 2", "set by early 2", "late"});
    CHECK(dns::Clock::now() - start >= 30ms);
}

TEST_CASE("a cancelled timer never fires and keeps run() no longer") {
    testing::NxdomainResponder responder;
    auto resolver = make_resolver(responder);
    bool fired = false;
    const auto timer = resolver->set_timer(resolver->now() + 3600s, [&] { fired = true; });
    bool other_fired = false;
    resolver->set_timer(resolver->now() + 1ms, [&] {
        other_fired = true;
        resolver->cancel_timer(timer);
        resolver->cancel_timer(timer);  // twice: harmless
    });
    resolver->run();  // would sleep an hour if the cancelled timer kept it going
    CHECK(other_fired);
    CHECK_FALSE(fired);
}

TEST_CASE("a watched descriptor's callback gets its events until the watch ends") {
    testing::NxdomainResponder responder;
    auto resolver = make_resolver(responder);
    Pipe pipe;
    std::vector<char> read;
    std::vector<std::uint32_t> events;
    const auto deadline = resolver->set_timer(resolver->now() + 60s, [] { FAIL("deadline"); });
    REQUIRE(resolver->watch(pipe.read_end(), EPOLLIN, [&](std::uint32_t ready) {
        events.push_back(ready);
        read.push_back(pipe.take());
        if (read.size() == 2) {
            resolver->unwatch(pipe.read_end());
            resolver->cancel_timer(deadline);
        }
    }));
    resolver->set_timer(resolver->now() + 5ms, [&] { pipe.put('a'); });
    resolver->set_timer(resolver->now() + 10ms, [&] {
        pipe.put('b');
        pipe.put('c');  // after the watch ends: never read
    });
    resolver->run();
    CHECK(read == std::vector<char>{'a', 'b'});
    CHECK(events == std::vector<std::uint32_t>{EPOLLIN, EPOLLIN});
    CHECK(pipe.take() == 'c');
}

TEST_CASE("a watch ended by another descriptor's callback in the same round gets no call") {
    testing::NxdomainResponder responder;
    auto resolver = make_resolver(responder);
    Pipe first;
    Pipe second;
    int calls = 0;
    // Both are readable before run(): their events come in one round, in either order.
    first.put('1');
    second.put('2');
    for (const Pipe* pipe : {&first, &second}) {
        const Pipe* other = pipe == &first ? &second : &first;
        REQUIRE(resolver->watch(pipe->read_end(), EPOLLIN, [&, other, pipe](std::uint32_t) {
            ++calls;
            pipe->take();
            resolver->unwatch(other->read_end());
            resolver->unwatch(pipe->read_end());
        }));
    }
    resolver->run();
    CHECK(calls == 1);
}

TEST_CASE("watching a watched descriptor again changes its events and callback") {
    testing::NxdomainResponder responder;
    auto resolver = make_resolver(responder);
    Pipe pipe;
    pipe.put('x');
    std::string calls;
    REQUIRE(resolver->watch(pipe.read_end(), EPOLLIN, [&](std::uint32_t) { calls += "old"; }));
    REQUIRE(resolver->watch(pipe.read_end(), EPOLLIN, [&](std::uint32_t) {
        calls += "new";
        pipe.take();
        resolver->unwatch(pipe.read_end());
    }));
    resolver->run();
    CHECK(calls == "new");
}

TEST_CASE("watches and timers share the loop with lookups") {
    testing::NxdomainResponder responder;
    auto resolver = make_resolver(responder);
    std::vector<std::string> done;
    resolver->submit("gone.test", dns::RecordType::txt, resolver->now() + 60s,
                     [&](dns::Response&& response) {
                         CHECK(response.outcome == dns::Outcome::no_domain);
                         done.push_back("lookup");
                         resolver->set_timer(resolver->now() + 20ms,
                                             [&] { done.push_back("timer after lookup"); });
                     });
    resolver->run();
    CHECK(done == std::vector<std::string>{"lookup", "timer after lookup"});
}

TEST_CASE("a descriptor epoll refuses is not watched") {
    testing::NxdomainResponder responder;
    auto resolver = make_resolver(responder);
    CHECK_FALSE(resolver->watch(-1, EPOLLIN, [](std::uint32_t) {}));
    resolver->run();  // nothing watched: ends at once
}
