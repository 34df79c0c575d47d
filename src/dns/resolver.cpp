// Lookups on top of dns::Transport: one query at a time per lookup, asked again after a
// SERVFAIL (after a growing pause), each lookup ended by its deadline at the latest. Without
// --server, c-ares reads /etc/resolv.conf.
#include "dns/resolver.hpp"

#include <ares.h>
#include <netinet/in.h>

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <queue>
#include <unordered_map>

#include "dns/query.hpp"
#include "dns/transport.hpp"

namespace tlsrpt::dns {
namespace {

// Wait before asking again after a SERVFAIL, doubled for each further one: the upstream
// problem behind it (a timeout inside the resolver) needs a moment to clear.
constexpr auto servfail_backoff = std::chrono::milliseconds(100);
// The longest sleep of the event loop when nothing is due earlier.
constexpr auto idle_wait = std::chrono::milliseconds(60'000);

// The servers of /etc/resolv.conf as c-ares reads them (127.0.0.1:53 when it names none).
Expected<std::vector<ServerAddress>, std::string> system_servers() {
    ares_channel channel = nullptr;
    const int status = ares_init(&channel);
    if (status != ARES_SUCCESS) {
        return unexpected(fmt::format("cannot start the resolver: {}", ares_strerror(status)));
    }
    ares_addr_port_node* list = nullptr;
    const int listed = ares_get_servers_ports(channel, &list);
    ares_destroy(channel);
    if (listed != ARES_SUCCESS) {
        return unexpected(fmt::format("cannot read the DNS servers: {}", ares_strerror(listed)));
    }
    std::vector<ServerAddress> servers;
    for (const ares_addr_port_node* node = list; node != nullptr; node = node->next) {
        const auto port = static_cast<std::uint16_t>(node->udp_port != 0 ? node->udp_port : 53);
        if (node->family == AF_INET) {
            servers.push_back(server_address(node->addr.addr4, port));
        } else if (node->family == AF_INET6) {
            in6_addr address{};
            std::memcpy(&address, &node->addr.addr6, sizeof address);
            servers.push_back(server_address(address, port));
        }
    }
    ares_free_data(list);
    return servers;
}

// A lookup that ended without an answer to decode.
Response failure(Outcome outcome, std::string detail) {
    Response response;
    response.outcome = outcome;
    response.detail = std::move(detail);
    return response;
}

}  // namespace

struct Resolver::Impl {
    struct Lookup {
        std::string name;
        RecordType type = RecordType::txt;
        Clock::time_point deadline;
        Clock::time_point started;
        Callback done;
        int attempts = 0;
        int servfail_retries = 0;
        bool direct = false;        // asked at one server (submit_direct)
        Transport::Handle query{};  // the query in flight, if any
    };
    struct Finished {
        std::uint64_t lookup = 0;
        Response response;
    };
    // Lookups in slots reused as they end. An id holds the slot's index in its low 32 bits and
    // which use of the slot it names above them, so that the id of an ended lookup (still in a
    // queue, or the tag of a late answer) finds nothing.
    class LookupTable {
      public:
        Lookup* find(std::uint64_t id) {
            const auto index = static_cast<std::size_t>(id & 0xffffffff);
            return id != 0 && index < slots_.size() && slots_[index].id == id
                       ? &slots_[index].lookup
                       : nullptr;
        }

        std::uint64_t add(Lookup lookup) {
            if (free_.empty()) {
                free_.push_back(static_cast<std::uint32_t>(slots_.size()));
                slots_.emplace_back();
            }
            const std::uint32_t index = free_.back();
            free_.pop_back();
            Slot& slot = slots_[index];
            slot.id = (std::uint64_t{++slot.uses} << 32) | index;
            slot.lookup = std::move(lookup);
            ++used_;
            return slot.id;
        }

        Lookup take(std::uint64_t id) {
            Slot& slot = slots_[id & 0xffffffff];
            slot.id = 0;
            free_.push_back(static_cast<std::uint32_t>(id & 0xffffffff));
            --used_;
            return std::move(slot.lookup);
        }

        void clear() {
            for (const Slot& slot : slots_) {
                if (slot.id != 0) take(slot.id);
            }
        }

        bool empty() const { return used_ == 0; }
        std::size_t size() const { return used_; }

      private:
        struct Slot {
            std::uint64_t id = 0;  // 0 while free
            std::uint32_t uses = 0;
            Lookup lookup;
        };
        std::vector<Slot> slots_;
        std::vector<std::uint32_t> free_;
        std::size_t used_ = 0;
    };

    std::unique_ptr<Transport> transport;
    int tries = 1;

    LookupTable lookups;
    using DeadlineEntry = std::pair<Clock::time_point, std::uint64_t>;
    // A heap (std::push_heap with std::greater: the earliest on top). Entries of ended lookups
    // stay until their time comes or drop_ended_deadlines() finds them most of it.
    std::vector<DeadlineEntry> deadlines;
    // Lookups submitted since the last round: their queries leave with the next one.
    std::vector<std::uint64_t> submitted;
    // Lookups to send again after a SERVFAIL, by when.
    std::priority_queue<DeadlineEntry, std::vector<DeadlineEntry>, std::greater<>> retries;
    std::vector<Finished> finished;
    // Timers of other work on the loop: by when (then by id, the order they were set), and
    // when each one is due, by id, to cancel it.
    std::map<std::pair<Clock::time_point, TimerId>, std::function<void()>> timers;
    std::unordered_map<TimerId, Clock::time_point> timer_times;
    TimerId last_timer = 0;
    // When the current round of the event loop began (its wait ended): lookups started and
    // answers delivered in a round share it, so that a lookup costs no clock reading.
    Clock::time_point round_time = Clock::now();

    void on_exchange(std::uint64_t lookup_id, const Exchange& exchange) {
        Lookup* const lookup = lookups.find(lookup_id);
        if (lookup == nullptr) return;
        Lookup& asked = *lookup;
        asked.attempts += exchange.tries_sent;
        switch (exchange.ending) {
            case Exchange::Ending::timed_out:
                finish(lookup_id, failure(Outcome::timeout, ares_strerror(ARES_ETIMEOUT)));
                return;
            case Exchange::Ending::unreachable:
                finish(lookup_id, failure(Outcome::unreachable, ares_strerror(ARES_ECONNREFUSED)));
                return;
            case Exchange::Ending::answered:
                break;
        }
        Response response = decode_response(exchange.message, asked.name, asked.type);
        response.server = exchange.server;
        // SERVFAIL is often transient (an upstream timeout inside the resolver): ask again,
        // through the next server when there are several.
        if (response.outcome == Outcome::server_failure && !asked.direct &&
            asked.servfail_retries + 1 < tries) {
            const auto retry_at = Clock::now() + servfail_backoff * (1 << asked.servfail_retries);
            if (retry_at < asked.deadline) {
                ++asked.servfail_retries;
                retries.emplace(retry_at, lookup_id);
                return;
            }
        }
        finish(lookup_id, std::move(response));
    }

    void finish(std::uint64_t lookup_id, Response response) {
        finished.push_back({lookup_id, std::move(response)});
    }

    // To the servers of the options, or to `direct` alone.
    void send(Lookup& lookup, std::uint64_t lookup_id, const ServerAddress* direct = nullptr) {
        QueryBuffer query;
        const auto length = build_query(lookup.name, lookup.type, query,
                                        direct ? Recursion::not_desired : Recursion::desired);
        if (!length) {
            finish(lookup_id, failure(length.error().outcome, length.error().detail));
            return;
        }
        const std::span<const unsigned char> message(query.data(), *length);
        lookup.query = direct ? transport->send_to(*direct, message, lookup_id)
                              : transport->send(message, lookup_id);
    }

    void send_due_retries(Clock::time_point now) {
        while (!retries.empty() && retries.top().first <= now) {
            const std::uint64_t lookup_id = retries.top().second;
            retries.pop();
            if (Lookup* const lookup = lookups.find(lookup_id)) send(*lookup, lookup_id);
        }
    }

    // The queries of a round leave together at its end; a lookup's deadline counts from then,
    // so that a pacer that blocks after submitting (reading a pipe that waits for its next
    // line) does not use up the time of lookups whose queries it held back.
    void start_deadlines(Clock::time_point now) {
        for (const std::uint64_t lookup_id : submitted) {
            Lookup* const lookup = lookups.find(lookup_id);
            if (lookup == nullptr) continue;  // a name that could not be asked
            lookup->deadline += now - lookup->started;
            lookup->started = now;  // its elapsed time counts from here too
            deadlines.emplace_back(lookup->deadline, lookup_id);
            std::push_heap(deadlines.begin(), deadlines.end(), std::greater<>());
        }
        submitted.clear();
        drop_ended_deadlines();
    }

    // Most lookups end long before their deadline: without this the heap would hold the rate
    // times the deadline (two million entries at 200,000 lookups/s and 10 s) rather than
    // about the lookups in flight.
    void drop_ended_deadlines() {
        if (deadlines.size() <= 2 * lookups.size() + 1024) return;
        std::erase_if(deadlines, [this](const DeadlineEntry& entry) {
            return lookups.find(entry.second) == nullptr;
        });
        std::make_heap(deadlines.begin(), deadlines.end(), std::greater<>());
    }

    // Ends lookups whose deadline has passed, with their queries.
    void expire_deadlines(Clock::time_point now) {
        deliver_finished();  // an answer that came in time wins over the deadline
        while (!deadlines.empty() && deadlines.front().first <= now) {
            const std::uint64_t lookup_id = deadlines.front().second;
            std::pop_heap(deadlines.begin(), deadlines.end(), std::greater<>());
            deadlines.pop_back();
            Lookup* const lookup = lookups.find(lookup_id);
            if (lookup == nullptr) continue;
            // The tries of the query still in flight that left count.
            lookup->attempts += transport->cancel(lookup->query);
            Response response;
            response.outcome = Outcome::timeout;
            response.detail = "deadline reached";
            finish(lookup_id, std::move(response));
            deliver_finished();
        }
    }

    void deliver_finished() {
        // Callbacks may end further lookups meanwhile (a name that cannot be asked): delivered
        // in this call too.
        for (std::size_t i = 0; i < finished.size(); ++i) {
            Finished next = std::move(finished[i]);
            if (lookups.find(next.lookup) == nullptr) continue;
            Lookup ended = lookups.take(next.lookup);
            next.response.attempts = ended.attempts;
            next.response.elapsed = round_time - ended.started;
            ended.done(std::move(next.response));
        }
        finished.clear();
    }

    TimerId set_timer(Clock::time_point when, std::function<void()> due) {
        const TimerId timer = ++last_timer;
        timers.emplace(std::pair(when, timer), std::move(due));
        timer_times.emplace(timer, when);
        return timer;
    }

    void cancel_timer(TimerId timer) {
        const auto found = timer_times.find(timer);
        if (found == timer_times.end()) return;
        timers.erase(std::pair(found->second, timer));
        timer_times.erase(found);
    }

    void fire_due_timers(Clock::time_point now) {
        // Timers set by a callback for now or earlier fire in this loop too.
        while (!timers.empty() && timers.begin()->first.first <= now) {
            auto due = std::move(timers.begin()->second);
            timer_times.erase(timers.begin()->first.second);
            timers.erase(timers.begin());
            due();
        }
    }

    void run(const Pacer& pacer) {
        round_time = Clock::now();
        for (;;) {
            deliver_finished();
            const std::optional<Clock::time_point> pacer_wake =
                pacer ? pacer() : std::optional<Clock::time_point>();
            deliver_finished();  // lookups the pacer submitted may have failed at once
            if (lookups.empty() && !pacer_wake && timers.empty() && transport->watched() == 0) {
                break;
            }
            start_deadlines(Clock::now());
            Clock::time_point wake = Clock::now() + idle_wait;
            if (!deadlines.empty()) wake = std::min(wake, deadlines.front().first);
            if (!retries.empty()) wake = std::min(wake, retries.top().first);
            if (!timers.empty()) wake = std::min(wake, timers.begin()->first.first);
            if (pacer_wake) wake = std::min(wake, *pacer_wake);
            transport->poll(wake);
            round_time = Clock::now();
            expire_deadlines(round_time);
            send_due_retries(round_time);
            fire_due_timers(round_time);
        }
    }

    void abandon_all() {
        lookups.clear();
        finished.clear();
        deadlines.clear();
        retries = {};
        submitted.clear();
        transport->cancel_all();
    }
};

Expected<std::unique_ptr<Resolver>, std::string> Resolver::create(const ResolverOptions& options) {
    TransportOptions transport;
    transport.timeout = options.timeout;
    transport.tries = options.tries;
    transport.servers = options.servers;
    if (options.timeout.count() <= 0 || options.tries <= 0) {
        return unexpected(std::string("the timeout and the number of tries must be positive"));
    }

    static const int library_status = ares_library_init(ARES_LIB_INIT_ALL);
    if (library_status != ARES_SUCCESS)
        return unexpected(std::string(ares_strerror(library_status)));
    if (transport.servers.empty()) {
        auto system = system_servers();
        if (!system) return unexpected(system.error());
        transport.servers = std::move(*system);
    }

    auto impl = std::make_unique<Impl>();
    impl->tries = options.tries;
    Impl* resolver = impl.get();
    auto created = Transport::create(std::move(transport),
                                     [resolver](std::uint64_t lookup, const Exchange& exchange) {
                                         resolver->on_exchange(lookup, exchange);
                                     });
    if (!created) return unexpected(created.error());
    impl->transport = std::move(*created);
    return std::unique_ptr<Resolver>(new Resolver(std::move(impl)));
}

Resolver::Resolver(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Resolver::~Resolver() = default;

// submit() and submit_direct() each build their lookup in its slot: a shared helper taking a
// Lookup would cost every plain lookup one more move.
void Resolver::submit(std::string name, RecordType type, Clock::time_point deadline,
                      Callback done) {
    const std::uint64_t lookup_id = impl_->lookups.add(Impl::Lookup{.name = std::move(name),
                                                                    .type = type,
                                                                    .deadline = deadline,
                                                                    .started = impl_->round_time,
                                                                    .done = std::move(done)});
    impl_->submitted.push_back(lookup_id);
    impl_->send(*impl_->lookups.find(lookup_id), lookup_id);
}

void Resolver::submit_direct(const ServerAddress& server, std::string name, RecordType type,
                             Clock::time_point deadline, Callback done) {
    const std::uint64_t lookup_id = impl_->lookups.add(Impl::Lookup{.name = std::move(name),
                                                                    .type = type,
                                                                    .deadline = deadline,
                                                                    .started = impl_->round_time,
                                                                    .done = std::move(done),
                                                                    .direct = true});
    impl_->submitted.push_back(lookup_id);
    impl_->send(*impl_->lookups.find(lookup_id), lookup_id, &server);
}

Clock::time_point Resolver::now() const {
    return impl_->round_time;
}

void Resolver::run(const Pacer& pacer) {
    impl_->run(pacer);
}

bool Resolver::watch(int fd, std::uint32_t events, Ready ready) {
    return impl_->transport->watch(fd, events, std::move(ready));
}

void Resolver::unwatch(int fd) {
    impl_->transport->unwatch(fd);
}

Resolver::TimerId Resolver::set_timer(Clock::time_point when, std::function<void()> due) {
    return impl_->set_timer(when, std::move(due));
}

void Resolver::cancel_timer(TimerId timer) {
    impl_->cancel_timer(timer);
}

void Resolver::abandon_all() {
    impl_->abandon_all();
}

}  // namespace tlsrpt::dns
