// The c-ares channel and its epoll loop. c-ares reports the sockets it wants watched through
// SOCK_STATE_CB; the loop waits on them level-triggered (TCP reads take one recv per call)
// and hands each ready socket to ares_process_fd. Queries are built here so that the AD bit
// can be requested and IDs are random and unique; c-ares sends them verbatim.
#include "dns/resolver.hpp"

#include <ares.h>
#include <ares_dns.h>
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <deque>
#include <queue>
#include <random>
#include <stdexcept>
#include <unordered_map>
#include <unordered_set>

namespace tlsrpt::dns {
namespace {

// RFC 9715 / DNS Flag Day 2020: large enough for most answers, small enough to avoid
// fragmentation; bigger answers come back truncated and c-ares repeats them over TCP.
constexpr int edns_udp_size = 1232;
// Room for the replies of a large window of lookups arriving together.
constexpr int socket_receive_buffer = 1 << 20;
constexpr int max_epoll_events = 64;
// Wait before asking again after a SERVFAIL, doubled for each further one: the upstream
// problem behind it (a timeout inside the resolver) needs a moment to clear.
constexpr auto servfail_backoff = std::chrono::milliseconds(100);

Expected<std::string, std::string> parse_port(std::string_view text) {
    unsigned port = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), port);
    if (text.empty() || error != std::errc{} || end != text.data() + text.size() || port == 0 ||
        port > 65535) {
        return unexpected(fmt::format("'{}' is not a port number (1-65535)", text));
    }
    return std::to_string(port);
}

std::string peer_address(int fd) {
    sockaddr_storage address{};
    socklen_t length = sizeof address;
    if (getpeername(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) return "";
    char text[INET6_ADDRSTRLEN] = {};
    if (address.ss_family == AF_INET) {
        const auto* v4 = reinterpret_cast<const sockaddr_in*>(&address);
        inet_ntop(AF_INET, &v4->sin_addr, text, sizeof text);
        return fmt::format("{}:{}", text, ntohs(v4->sin_port));
    }
    if (address.ss_family == AF_INET6) {
        const auto* v6 = reinterpret_cast<const sockaddr_in6*>(&address);
        inet_ntop(AF_INET6, &v6->sin6_addr, text, sizeof text);
        return fmt::format("[{}]:{}", text, ntohs(v6->sin6_port));
    }
    return "";
}

Outcome outcome_for_status(int status) {
    switch (status) {
        case ARES_ETIMEOUT:
        case ARES_ECANCELLED:
        case ARES_EDESTRUCTION:
            return Outcome::timeout;
        case ARES_EBADRESP:
            return Outcome::malformed;
        case ARES_EBADNAME:
            return Outcome::bad_name;
        // ECONNREFUSED: every try met a closed port or a refused TCP connection; the rest
        // (ESERVFAIL without a reply, ENOTINITIALIZED, ...) means no server could be used.
        default:
            return Outcome::unreachable;
    }
}

// A lookup that ended without a reply to decode.
Response failure(int status) {
    Response response;
    response.outcome = outcome_for_status(status);
    response.detail = ares_strerror(status);
    return response;
}

}  // namespace

Expected<std::string, std::string> normalise_server(std::string_view server) {
    std::string_view address = server;
    std::string port = "53";
    if (server.starts_with('[')) {
        const auto close = server.find(']');
        if (close == std::string_view::npos) {
            return unexpected(fmt::format("'{}' lacks the closing ']'", server));
        }
        address = server.substr(1, close - 1);
        const std::string_view rest = server.substr(close + 1);
        if (!rest.empty()) {
            if (!rest.starts_with(':')) {
                return unexpected(fmt::format("'{}': expected ':PORT' after ']'", server));
            }
            auto parsed = parse_port(rest.substr(1));
            if (!parsed) return unexpected(parsed.error());
            port = *parsed;
        }
    } else if (std::count(server.begin(), server.end(), ':') == 1) {
        const auto colon = server.find(':');
        address = server.substr(0, colon);
        auto parsed = parse_port(server.substr(colon + 1));
        if (!parsed) return unexpected(parsed.error());
        port = *parsed;
    }
    const std::string address_text(address);
    unsigned char binary[sizeof(in6_addr)];
    if (inet_pton(AF_INET, address_text.c_str(), binary) == 1) {
        return fmt::format("{}:{}", address_text, port);
    }
    if (inet_pton(AF_INET6, address_text.c_str(), binary) == 1) {
        return fmt::format("[{}]:{}", address_text, port);
    }
    return unexpected(fmt::format(
        "'{}' is not an IP address (use a.b.c.d[:port] or [v6]:port; names are not resolved)",
        server));
}

struct Resolver::Impl {
    struct Lookup {
        std::string name;
        RecordType type = RecordType::txt;
        Clock::time_point deadline;
        Clock::time_point started;
        Callback done;
        int attempts = 0;
        int servfail_retries = 0;
    };
    // One query handed to c-ares; its address is the callback argument. A slot outlives its
    // lookup when the deadline ends the lookup first: c-ares' late reply is then dropped.
    struct Slot {
        Impl* impl = nullptr;
        std::uint16_t id = 0;
        std::uint64_t lookup = 0;
    };
    struct Finished {
        std::uint64_t lookup = 0;
        Response response;
    };

    ares_channel channel = nullptr;
    int epoll_fd = -1;
    int tries = 1;
    std::unordered_set<int> watched_sockets;
    int watch_error = 0;  // errno of a failed epoll_ctl, raised by run()
    // The socket being processed: a reply delivered now came from this socket's peer.
    int current_socket = ARES_SOCKET_BAD;

    std::uint64_t next_lookup = 1;
    std::unordered_map<std::uint64_t, Lookup> lookups;
    std::unordered_map<std::uint16_t, Slot> slots;
    using DeadlineEntry = std::pair<Clock::time_point, std::uint64_t>;
    std::priority_queue<DeadlineEntry, std::vector<DeadlineEntry>, std::greater<>> deadlines;
    // Lookups to send again after a SERVFAIL, by when.
    std::priority_queue<DeadlineEntry, std::vector<DeadlineEntry>, std::greater<>> retries;
    std::deque<Finished> finished;
    std::mt19937 random_ids{std::random_device{}()};

    ~Impl() {
        if (channel != nullptr) {
            // Callbacks fire with ARES_EDESTRUCTION and find no lookup left to complete.
            lookups.clear();
            ares_destroy(channel);
        }
        if (epoll_fd >= 0) close(epoll_fd);
    }

    static void on_socket_state(void* data, ares_socket_t socket, int readable, int writable) {
        auto* impl = static_cast<Impl*>(data);
        if (!readable && !writable) {
            epoll_ctl(impl->epoll_fd, EPOLL_CTL_DEL, socket, nullptr);
            impl->watched_sockets.erase(socket);
            return;
        }
        epoll_event event{};
        event.events = (readable ? EPOLLIN : 0u) | (writable ? EPOLLOUT : 0u);
        event.data.fd = socket;
        const bool known = impl->watched_sockets.contains(socket);
        if (epoll_ctl(impl->epoll_fd, known ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, socket, &event) != 0) {
            // Not thrown through c-ares' C frames: run() raises it once c-ares has returned.
            impl->watch_error = errno;
            return;
        }
        impl->watched_sockets.insert(socket);
    }

    static void on_reply(void* argument, int status, int timeouts, unsigned char* message,
                         int length) {
        auto* slot = static_cast<Slot*>(argument);
        Impl* impl = slot->impl;
        const std::uint64_t lookup_id = slot->lookup;
        impl->slots.erase(slot->id);
        const auto lookup = impl->lookups.find(lookup_id);
        if (lookup == impl->lookups.end()) return;  // ended by its deadline already
        impl->handle_reply(lookup->second, lookup_id, status, timeouts,
                           message != nullptr && length > 0
                               ? std::span<const unsigned char>(message, length)
                               : std::span<const unsigned char>());
    }

    void handle_reply(Lookup& lookup, std::uint64_t lookup_id, int status, int timeouts,
                      std::span<const unsigned char> message) {
        const bool answered = status == ARES_SUCCESS && !message.empty();
        lookup.attempts += std::max(1, timeouts + (answered ? 1 : 0));
        if (!answered) {
            finish(lookup_id, failure(status));
            return;
        }
        Response response = decode_response(message, lookup.name, lookup.type);
        response.server = peer_address(current_socket);
        // SERVFAIL is often transient (an upstream timeout inside the resolver): ask again,
        // through the next server when there are several (ARES_OPT_ROTATE).
        const auto retry_at = Clock::now() + servfail_backoff * (1 << lookup.servfail_retries);
        if (response.outcome == Outcome::server_failure && lookup.servfail_retries + 1 < tries &&
            retry_at < lookup.deadline) {
            ++lookup.servfail_retries;
            retries.emplace(retry_at, lookup_id);
            return;
        }
        finish(lookup_id, std::move(response));
    }

    void finish(std::uint64_t lookup_id, Response response) {
        finished.push_back({lookup_id, std::move(response)});
    }

    std::uint16_t unused_id() {
        std::uniform_int_distribution<unsigned> distribution(0, 0xffff);
        for (;;) {
            const auto id = static_cast<std::uint16_t>(distribution(random_ids));
            if (!slots.contains(id)) return id;
        }
    }

    void send(const Lookup& lookup, std::uint64_t lookup_id) {
        if (slots.size() > 0xffff) {
            throw std::length_error("more than 65536 DNS queries in flight on one channel");
        }
        const std::uint16_t id = unused_id();
        unsigned char* query = nullptr;
        int query_length = 0;
        const int status =
            ares_create_query(lookup.name.c_str(), ns_c_in, static_cast<int>(lookup.type), id,
                              /*rd=*/1, &query, &query_length, edns_udp_size);
        if (status != ARES_SUCCESS) {
            finish(lookup_id, failure(status));
            return;
        }
        query[3] |= 0x20;  // AD: ask the resolver to say whether it validated the answer
        Slot& slot = slots[id];
        slot = Slot{this, id, lookup_id};
        ares_send(channel, query, query_length, &Impl::on_reply, &slot);
        ares_free_string(query);
    }

    // Ends lookups whose deadline has passed; their queries stay with c-ares until it gives up
    // on them, and the replies are then ignored.
    void send_due_retries(Clock::time_point now) {
        while (!retries.empty() && retries.top().first <= now) {
            const std::uint64_t lookup_id = retries.top().second;
            retries.pop();
            const auto lookup = lookups.find(lookup_id);
            if (lookup != lookups.end()) send(lookup->second, lookup_id);
        }
    }

    void expire_deadlines(Clock::time_point now) {
        deliver_finished();  // a reply that came in time wins over the deadline
        while (!deadlines.empty() && deadlines.top().first <= now) {
            const std::uint64_t lookup_id = deadlines.top().second;
            deadlines.pop();
            const auto lookup = lookups.find(lookup_id);
            if (lookup == lookups.end()) continue;
            Response response;
            response.outcome = Outcome::timeout;
            response.detail = "deadline reached";
            // The query still in flight was sent, so it counts.
            lookup->second.attempts += 1;
            finish(lookup_id, std::move(response));
            deliver_finished();
        }
    }

    void deliver_finished() {
        while (!finished.empty()) {
            Finished next = std::move(finished.front());
            finished.pop_front();
            const auto lookup = lookups.find(next.lookup);
            if (lookup == lookups.end()) continue;
            Lookup ended = std::move(lookup->second);
            lookups.erase(lookup);
            next.response.attempts = ended.attempts;
            next.response.elapsed = Clock::now() - ended.started;
            ended.done(std::move(next.response));
        }
    }

    int wait_milliseconds(Clock::time_point now, std::optional<Clock::time_point> pacer_wake) {
        timeval maximum{};
        timeval buffer{};
        Clock::time_point wake = now + std::chrono::milliseconds(60'000);
        if (!deadlines.empty()) wake = std::min(wake, deadlines.top().first);
        if (!retries.empty()) wake = std::min(wake, retries.top().first);
        if (pacer_wake) wake = std::min(wake, *pacer_wake);
        const auto until_deadline = std::chrono::ceil<std::chrono::milliseconds>(wake - now);
        const auto capped = std::max<std::chrono::milliseconds::rep>(0, until_deadline.count());
        maximum.tv_sec = static_cast<time_t>(capped / 1000);
        maximum.tv_usec = static_cast<suseconds_t>((capped % 1000) * 1000);
        const timeval* wait = ares_timeout(channel, &maximum, &buffer);
        // Round up: waking early would spin without any timeout due.
        return static_cast<int>(wait->tv_sec * 1000 + (wait->tv_usec + 999) / 1000);
    }

    void run(const Pacer& pacer) {
        epoll_event events[max_epoll_events];
        for (;;) {
            deliver_finished();
            if (watch_error != 0) {
                throw std::runtime_error(fmt::format("epoll_ctl: {}", std::strerror(watch_error)));
            }
            const std::optional<Clock::time_point> pacer_wake =
                pacer ? pacer() : std::optional<Clock::time_point>();
            deliver_finished();  // lookups the pacer submitted may have failed at once
            if (lookups.empty() && !pacer_wake) break;
            const int ready = epoll_wait(epoll_fd, events, max_epoll_events,
                                         wait_milliseconds(Clock::now(), pacer_wake));
            if (ready < 0 && errno != EINTR) {
                throw std::runtime_error(fmt::format("epoll_wait: {}", std::strerror(errno)));
            }
            for (int i = 0; i < ready; ++i) {
                const int socket = events[i].data.fd;
                const bool readable = (events[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP)) != 0;
                const bool writable = (events[i].events & EPOLLOUT) != 0;
                current_socket = socket;
                ares_process_fd(channel, readable ? socket : ARES_SOCKET_BAD,
                                writable ? socket : ARES_SOCKET_BAD);
                current_socket = ARES_SOCKET_BAD;
            }
            // Every call above also handles due timeouts; with no socket ready, ask for them alone
            // so that c-ares retries or gives up on queries whose try timed out.
            if (ready <= 0) ares_process_fd(channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
            expire_deadlines(Clock::now());
            send_due_retries(Clock::now());
        }
        // Only queries abandoned at their deadline are left: drop them (there is no
        // per-query cancel in c-ares 1.18, only this one for the whole channel).
        if (!slots.empty()) ares_cancel(channel);
    }

    void abandon_all() {
        lookups.clear();
        finished.clear();
        deadlines = {};
        retries = {};
        // The callbacks run now with ARES_ECANCELLED and find no lookup to complete.
        if (!slots.empty()) ares_cancel(channel);
    }
};

Expected<std::unique_ptr<Resolver>, std::string> Resolver::create(const ResolverOptions& options) {
    std::string servers_csv;
    for (const std::string& server : options.servers) {
        auto normalised = normalise_server(server);
        if (!normalised) return unexpected(normalised.error());
        servers_csv += (servers_csv.empty() ? "" : ",") + *normalised;
    }
    if (options.timeout.count() <= 0 || options.tries <= 0) {
        return unexpected(std::string("the timeout and the number of tries must be positive"));
    }

    static const int library_status = ares_library_init(ARES_LIB_INIT_ALL);
    if (library_status != ARES_SUCCESS)
        return unexpected(std::string(ares_strerror(library_status)));

    auto impl = std::make_unique<Impl>();
    impl->tries = options.tries;
    impl->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    if (impl->epoll_fd < 0) return unexpected(fmt::format("epoll: {}", std::strerror(errno)));

    ares_options ares{};
    // NOCHECKRESP: hand SERVFAIL and REFUSED back at once, with the packet, instead of
    // retrying them silently and reporting ECONNREFUSED. STAYOPEN: no socket churn.
    ares.flags = ARES_FLAG_NOCHECKRESP | ARES_FLAG_STAYOPEN;
    ares.timeout = static_cast<int>(options.timeout.count());
    ares.tries = options.tries;
    ares.socket_receive_buffer_size = socket_receive_buffer;
    ares.sock_state_cb = &Impl::on_socket_state;
    ares.sock_state_cb_data = impl.get();
    const int optmask = ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES |
                        ARES_OPT_SOCK_RCVBUF | ARES_OPT_SOCK_STATE_CB | ARES_OPT_ROTATE;
    const int status = ares_init_options(&impl->channel, &ares, optmask);
    if (status != ARES_SUCCESS) {
        impl->channel = nullptr;
        return unexpected(fmt::format("cannot start the resolver: {}", ares_strerror(status)));
    }
    if (!servers_csv.empty()) {
        const int set = ares_set_servers_ports_csv(impl->channel, servers_csv.c_str());
        if (set != ARES_SUCCESS) {
            return unexpected(
                fmt::format("cannot use the servers {}: {}", servers_csv, ares_strerror(set)));
        }
    }
    return std::unique_ptr<Resolver>(new Resolver(std::move(impl)));
}

Resolver::Resolver(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Resolver::~Resolver() = default;

void Resolver::submit(std::string name, RecordType type, Clock::time_point deadline,
                      Callback done) {
    const std::uint64_t lookup_id = impl_->next_lookup++;
    auto& lookup = impl_->lookups[lookup_id];
    lookup = Impl::Lookup{.name = std::move(name),
                          .type = type,
                          .deadline = deadline,
                          .started = Clock::now(),
                          .done = std::move(done)};
    impl_->deadlines.emplace(deadline, lookup_id);
    impl_->send(lookup, lookup_id);
}

void Resolver::run(const Pacer& pacer) {
    impl_->run(pacer);
}

void Resolver::abandon_all() {
    impl_->abandon_all();
}

}  // namespace tlsrpt::dns
