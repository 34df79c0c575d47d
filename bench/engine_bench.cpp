// Could c-ares 1.18 be the DNS engine? The same TXT lookups of `_smtp._tls.<domain>` (the
// domains of bulk_zone.py's truth.csv) through two engines, in alternating rounds:
//   own     the project's dns::Resolver (its batched UDP transport);
//   c-ares  an ares_channel driven by ares_send, with level-triggered epoll, ares_process_fd and
//           ares_timeout, whose sockets go through ares_set_socket_functions so that a round's
//           datagrams leave in one sendmmsg per socket and arrive through recvmmsg.
// Both keep the same window of lookups in flight, start at most 128 per round of their event
// loop (as the bulk audit does), use the same timeout and tries, and hand every answer to
// dns::decode_response; every answer is checked against the ground truth, so that a fast but
// wrong engine cannot win. Prints each run, then per engine the medians and the ratio
// c-ares / own. Run by bench/engine.sh (which starts the servers), never by CTest.
// Usage: engine_bench SERVER TRUTH_CSV ROUNDS [WINDOW [TIMEOUT_MS [TRIES]]]
#include <ares.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "dns/resolver.hpp"
#include "dns/response.hpp"
#include "policy/ascii.hpp"
#include "tlsrpt/txt.hpp"

using namespace tlsrpt;
using SteadyClock = std::chrono::steady_clock;

namespace {

// As BulkAudit: a wide window fills over several rounds instead of in one burst.
constexpr std::size_t admissions_per_round = 128;
// As BulkAudit's longest sleep between two calls of its pacer.
constexpr auto longest_sleep = std::chrono::milliseconds(200);
// Far beyond what the tries take (timeout + 2 timeout + ...): the deadline never ends a lookup
// of the own engine first, since c-ares has none.
constexpr auto lookup_deadline = std::chrono::seconds(120);
// As the own transport: the EDNS size asked for, the largest datagram taken, the batches of
// sendmmsg and recvmmsg, and the receive buffer of a UDP socket.
constexpr int edns_size = 1232;
constexpr std::size_t datagram_size = 4096;
constexpr unsigned datagrams_per_call = 64;
constexpr std::size_t queries_per_call = 256;
constexpr int socket_receive_buffer = 1 << 20;

struct Job {
    std::string server;  // a.b.c.d:port
    std::vector<std::string> domains;
    std::vector<std::string> names;  // _smtp._tls.<domain>
    std::vector<bool> has_policy;    // truth.csv: any status but missing
    std::size_t window = 256;
    std::chrono::milliseconds timeout{2000};
    int tries = 2;
};

Job read_job(std::string server, const char* truth_path) {
    Job job;
    job.server = std::move(server);
    std::ifstream truth(truth_path);
    if (!truth) throw std::runtime_error(fmt::format("cannot read {}", truth_path));
    for (std::string line; std::getline(truth, line);) {
        const auto comma = line.find(',');
        if (comma == std::string::npos) continue;
        job.domains.push_back(line.substr(0, comma));
        job.names.push_back(std::string(tlsrpt_prefix) + job.domains.back());
        job.has_policy.push_back(std::string_view(line).substr(comma + 1) != "missing");
    }
    if (job.domains.empty())
        throw std::runtime_error(fmt::format("{} lists no domain", truth_path));
    return job;
}

// How the answers compared with the zone.
struct Tally {
    std::size_t holding = 0;  // answers with a TXT record holding v=TLSRPTv1 (any case)
    std::size_t wrong = 0;    // answers that differ from the truth
    std::size_t failed = 0;   // lookups without an answer (timeout, unreachable, malformed...)
};

// A name with a policy must answer with a record holding v=TLSRPTv1 that names its own domain
// (`...+<domain>@example.com`), or reach one through the provider's CNAME; a name without one
// answers NXDOMAIN, NODATA or TXT records without it.
void check(const Job& job, std::size_t index, const dns::Response& response, Tally& tally) {
    if (response.outcome != dns::Outcome::answer && response.outcome != dns::Outcome::no_data &&
        response.outcome != dns::Outcome::no_domain) {
        ++tally.failed;
        return;
    }
    bool holding = false;
    bool names_domain = !response.cnames.empty();
    const std::string own_address = "+" + job.domains[index] + "@";
    for (const dns::ResourceRecord& record : response.records) {
        std::string text;
        for (const std::string& part : record.strings) text += part;
        constexpr std::string_view version = "v=TLSRPTv1";
        if (!policy::iequals(std::string_view(text).substr(0, version.size()), version)) continue;
        holding = true;
        names_domain = names_domain || text.find(own_address) != std::string::npos;
    }
    tally.holding += holding ? 1 : 0;
    if (holding != job.has_policy[index] || (holding && !names_domain)) ++tally.wrong;
}

// The lookups of a job, at most `window` in flight and admissions_per_round started per round.
class Window {
  public:
    explicit Window(const Job& job) : job_(job) {}

    template <class Start>
    void top_up(Start start) {
        for (std::size_t started = 0; open() && started < admissions_per_round; ++started) {
            ++in_flight_;
            start(next_++);
        }
    }
    void done() { --in_flight_; }
    bool open() const { return in_flight_ < job_.window && !all_started(); }
    bool all_started() const { return next_ == job_.names.size(); }
    bool finished() const { return all_started() && in_flight_ == 0; }

  private:
    const Job& job_;
    std::size_t next_ = 0;
    std::size_t in_flight_ = 0;
};

struct Run {
    double seconds = 0;
    // CPU time of the process (one thread), in user space and in the kernel
    double user_seconds = 0;
    double system_seconds = 0;
    std::size_t rounds = 0;  // rounds of the event loop
    Tally tally;
    std::string counters;  // the c-ares engine's system calls and ares_process_fd calls
};

rusage cpu_usage() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage;
}

double seconds_between(const timeval& from, const timeval& to) {
    return static_cast<double>(to.tv_sec - from.tv_sec) +
           static_cast<double>(to.tv_usec - from.tv_usec) / 1e6;
}

class Stopwatch {
  public:
    void stop(Run& run) const {
        run.seconds = std::chrono::duration<double>(SteadyClock::now() - wall_).count();
        const rusage now = cpu_usage();
        run.user_seconds = seconds_between(cpu_.ru_utime, now.ru_utime);
        run.system_seconds = seconds_between(cpu_.ru_stime, now.ru_stime);
    }

  private:
    SteadyClock::time_point wall_ = SteadyClock::now();
    rusage cpu_ = cpu_usage();
};

Run run_own(const Job& job) {
    auto server = dns::parse_server(job.server);
    if (!server) throw std::runtime_error(server.error());
    auto created = dns::Resolver::create(
        {.servers = {std::move(*server)}, .timeout = job.timeout, .tries = job.tries});
    if (!created) throw std::runtime_error(created.error());
    dns::Resolver& resolver = **created;
    Run run;
    Window window(job);
    const Stopwatch stopwatch;
    resolver.run([&]() -> std::optional<dns::Clock::time_point> {
        ++run.rounds;
        window.top_up([&](std::size_t index) {
            resolver.submit(job.names[index], dns::RecordType::txt,
                            resolver.now() + lookup_deadline, [&, index](dns::Response&& response) {
                                check(job, index, response, run.tally);
                                window.done();
                            });
        });
        if (window.all_started()) return std::nullopt;
        // Another round at once when this one stopped at its share, not at the window.
        return window.open() ? resolver.now() : resolver.now() + longest_sleep;
    });
    stopwatch.stop(run);
    return run;
}

// The sockets c-ares opens, through ares_socket_functions: a UDP socket's datagrams are queued
// by asendv and leave with flush(), one sendmmsg per socket (per 256 queries); answers are
// read with recvmmsg by receive(), and arecvfrom serves them to ares_process_fd from that
// batch. TCP goes straight to the kernel. c-ares leaves user-managed sockets as they come
// (no O_NONBLOCK, no ARES_OPT_SOCK_RCVBUF): asocket sets both.
class BatchedSockets {
  public:
    struct Counters {
        std::size_t sendmmsg_calls = 0;
        std::size_t recvmmsg_calls = 0;
        std::size_t process_calls = 0;
    };

    BatchedSockets() : epoll_fd_(epoll_create1(EPOLL_CLOEXEC)) {
        if (epoll_fd_ < 0) throw std::runtime_error(fmt::format("epoll: {}", strerror(errno)));
        for (unsigned i = 0; i < datagrams_per_call; ++i) {
            vectors_[i] = {&incoming_[i * datagram_size], datagram_size};
        }
    }
    ~BatchedSockets() { close(epoll_fd_); }
    BatchedSockets(const BatchedSockets&) = delete;
    BatchedSockets& operator=(const BatchedSockets&) = delete;

    static const ares_socket_functions functions;

    // ARES_OPT_SOCK_STATE_CB
    static void on_socket_state(void* self, ares_socket_t fd, int readable, int writable) {
        auto& sockets = *static_cast<BatchedSockets*>(self);
        const auto found = sockets.sockets_.find(fd);
        if (found == sockets.sockets_.end()) return;
        found->second.wants_read = readable != 0;
        found->second.wants_write = writable != 0;
        sockets.watch(fd, found->second);
    }

    // Sends the datagrams queued since the last call.
    void flush(ares_channel channel) {
        for (auto& [fd, socket] : sockets_) {
            if (!socket.udp || socket.waiting_writable) continue;
            send_queued(fd, socket);
        }
        deliver_errors(channel);
    }

    // Waits up to `milliseconds` for the sockets, then lets c-ares read what came (or, when
    // nothing came, handle its timeouts).
    void poll(ares_channel channel, int milliseconds) {
        std::array<epoll_event, 64> events;
        const int ready = epoll_wait(epoll_fd_, events.data(), events.size(), milliseconds);
        if (ready < 0 && errno != EINTR) {
            throw std::runtime_error(fmt::format("epoll_wait: {}", strerror(errno)));
        }
        if (ready <= 0) {
            process(channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
            return;
        }
        for (int i = 0; i < ready; ++i) {
            const int fd = events[i].data.fd;
            const auto found = sockets_.find(fd);
            if (found == sockets_.end()) continue;  // closed by an earlier event of this round
            Socket& socket = found->second;
            const bool writable = (events[i].events & EPOLLOUT) != 0;
            const bool readable = (events[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP)) != 0;
            if (!socket.udp) {
                process(channel, readable ? fd : ARES_SOCKET_BAD, writable ? fd : ARES_SOCKET_BAD);
                continue;
            }
            if (writable && socket.waiting_writable) {
                socket.waiting_writable = false;
                send_queued(fd, socket);
                if (!socket.waiting_writable) watch(fd, socket);
                deliver_errors(channel);
            }
            // c-ares may have closed the socket on a send error meanwhile.
            if (readable && sockets_.contains(fd)) receive(channel, fd);
        }
    }

    const Counters& counters() const { return counters_; }

  private:
    struct Socket {
        bool udp = true;
        bool wants_read = false;   // by c-ares
        bool wants_write = false;  // by c-ares
        bool waiting_writable = false;
        bool watched = false;
        int error = 0;                      // a failed send or receive, for arecvfrom to report
        std::vector<unsigned char> queued;  // datagrams back to back
        std::vector<std::size_t> lengths;
    };

    void watch(int fd, Socket& socket) {
        epoll_event event{};
        event.data.fd = fd;
        event.events = (socket.wants_read ? EPOLLIN : 0u) |
                       (socket.wants_write || socket.waiting_writable ? EPOLLOUT : 0u);
        if (event.events == 0) {
            if (socket.watched) epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
            socket.watched = false;
            return;
        }
        epoll_ctl(epoll_fd_, socket.watched ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, fd, &event);
        socket.watched = true;
    }

    void process(ares_channel channel, ares_socket_t read_fd, ares_socket_t write_fd) {
        ++counters_.process_calls;
        ares_process_fd(channel, read_fd, write_fd);
    }

    void send_queued(int fd, Socket& socket) {
        std::size_t done = 0;
        const std::size_t total = socket.lengths.size();
        std::size_t offset = 0;
        while (done < total) {
            const std::size_t count = std::min(total - done, queries_per_call);
            std::array<mmsghdr, queries_per_call> headers{};
            std::array<iovec, queries_per_call> vectors{};
            std::size_t at = offset;
            for (std::size_t i = 0; i < count; ++i) {
                vectors[i] = {&socket.queued[at], socket.lengths[done + i]};
                headers[i].msg_hdr.msg_iov = &vectors[i];
                headers[i].msg_hdr.msg_iovlen = 1;
                at += socket.lengths[done + i];
            }
            ++counters_.sendmmsg_calls;
            const int sent = sendmmsg(fd, headers.data(), static_cast<unsigned>(count), 0);
            if (sent > 0) {
                for (int i = 0; i < sent; ++i) offset += socket.lengths[done + i];
                done += static_cast<std::size_t>(sent);
                continue;
            }
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                socket.queued.erase(socket.queued.begin(),
                                    socket.queued.begin() + static_cast<std::ptrdiff_t>(offset));
                socket.lengths.erase(socket.lengths.begin(),
                                     socket.lengths.begin() + static_cast<std::ptrdiff_t>(done));
                socket.waiting_writable = true;
                watch(fd, socket);
                return;
            }
            // ECONNREFUSED and the like: c-ares learns of it through arecvfrom and moves the
            // queries on; what was queued is lost as a datagram lost on the way would be.
            socket.error = errno;
            failed_.push_back(fd);
            break;
        }
        socket.queued.clear();
        socket.lengths.clear();
    }

    void deliver_errors(ares_channel channel) {
        while (!failed_.empty()) {
            const int fd = failed_.back();
            failed_.pop_back();
            if (sockets_.contains(fd)) process(channel, fd, ARES_SOCKET_BAD);
        }
    }

    // Reads the socket's datagrams in batches; c-ares takes each batch through arecvfrom
    // until it runs dry.
    void receive(ares_channel channel, int fd) {
        for (;;) {
            std::array<mmsghdr, datagrams_per_call> headers{};
            for (unsigned i = 0; i < datagrams_per_call; ++i) {
                headers[i].msg_hdr.msg_iov = &vectors_[i];
                headers[i].msg_hdr.msg_iovlen = 1;
                headers[i].msg_hdr.msg_name = &sources_[i];
                headers[i].msg_hdr.msg_namelen = sizeof sources_[i];
            }
            ++counters_.recvmmsg_calls;
            const int received =
                recvmmsg(fd, headers.data(), datagrams_per_call, MSG_DONTWAIT, nullptr);
            if (received < 0) {
                if (errno == EINTR) continue;
                if (errno == EAGAIN || errno == EWOULDBLOCK) return;
                sockets_.at(fd).error = errno;
                process(channel, fd, ARES_SOCKET_BAD);
                return;
            }
            batch_fd_ = fd;
            batch_size_ = static_cast<unsigned>(received);
            served_ = 0;
            for (unsigned i = 0; i < batch_size_; ++i) {
                lengths_[i] = headers[i].msg_len;
                source_lengths_[i] = headers[i].msg_hdr.msg_namelen;
            }
            // c-ares 1.18 reads until arecvfrom reports EAGAIN; later versions read one
            // datagram per call of user-managed sockets.
            while (batch_fd_ == fd && served_ < batch_size_) {
                const unsigned before = served_;
                process(channel, fd, ARES_SOCKET_BAD);
                if (served_ == before) break;  // c-ares does not read this socket
            }
            batch_fd_ = -1;
            if (!sockets_.contains(fd) || received < static_cast<int>(datagrams_per_call)) return;
        }
    }

    static BatchedSockets& self(void* data) { return *static_cast<BatchedSockets*>(data); }

    static ares_socket_t open_socket(int family, int type, int protocol, void* data) {
        const int fd = socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol);
        if (fd < 0) return ARES_SOCKET_BAD;
        const bool udp = type == SOCK_DGRAM;
        if (udp) {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &socket_receive_buffer,
                       sizeof socket_receive_buffer);
        }
        self(data).sockets_[fd].udp = udp;
        return fd;
    }

    static int close_socket(ares_socket_t fd, void* data) {
        BatchedSockets& sockets = self(data);
        sockets.sockets_.erase(fd);
        if (sockets.batch_fd_ == fd) sockets.batch_fd_ = -1;
        return close(fd);  // closing takes it out of the epoll set too
    }

    static int connect_socket(ares_socket_t fd, const sockaddr* address, ares_socklen_t length,
                              void*) {
        return connect(fd, address, length);
    }

    static ares_ssize_t receive_from(ares_socket_t fd, void* buffer, size_t size, int flags,
                                     sockaddr* from, ares_socklen_t* from_length, void* data) {
        BatchedSockets& sockets = self(data);
        const auto found = sockets.sockets_.find(fd);
        if (found == sockets.sockets_.end() || !found->second.udp) {
            return recvfrom(fd, buffer, size, flags, from, from_length);
        }
        if (found->second.error != 0) {
            errno = std::exchange(found->second.error, 0);
            return -1;
        }
        if (sockets.batch_fd_ != fd || sockets.served_ == sockets.batch_size_) {
            errno = EAGAIN;
            return -1;
        }
        const unsigned index = sockets.served_++;
        const std::size_t length =
            std::min<std::size_t>({sockets.lengths_[index], size, datagram_size});
        std::memcpy(buffer, &sockets.incoming_[index * datagram_size], length);
        if (from != nullptr && from_length != nullptr) {
            const auto source_length =
                std::min<socklen_t>(*from_length, sockets.source_lengths_[index]);
            std::memcpy(from, &sockets.sources_[index], source_length);
            *from_length = sockets.source_lengths_[index];
        }
        return static_cast<ares_ssize_t>(length);
    }

    static ares_ssize_t send_vector(ares_socket_t fd, const iovec* vectors, int count, void* data) {
        BatchedSockets& sockets = self(data);
        const auto found = sockets.sockets_.find(fd);
        if (found == sockets.sockets_.end() || !found->second.udp) {
            return writev(fd, vectors, count);
        }
        Socket& socket = found->second;
        std::size_t length = 0;
        for (int i = 0; i < count; ++i) {
            const auto* bytes = static_cast<const unsigned char*>(vectors[i].iov_base);
            socket.queued.insert(socket.queued.end(), bytes, bytes + vectors[i].iov_len);
            length += vectors[i].iov_len;
        }
        socket.lengths.push_back(length);
        return static_cast<ares_ssize_t>(length);
    }

    int epoll_fd_;
    std::unordered_map<int, Socket> sockets_;
    std::vector<int> failed_;
    Counters counters_;
    // The batch being served: recvmmsg's datagrams, their lengths and sources.
    int batch_fd_ = -1;
    unsigned batch_size_ = 0;
    unsigned served_ = 0;
    std::vector<unsigned char> incoming_ =
        std::vector<unsigned char>(datagram_size * datagrams_per_call);
    std::array<iovec, datagrams_per_call> vectors_{};
    std::array<sockaddr_storage, datagrams_per_call> sources_{};
    std::array<socklen_t, datagrams_per_call> source_lengths_{};
    std::array<std::size_t, datagrams_per_call> lengths_{};
};

const ares_socket_functions BatchedSockets::functions = {
    &BatchedSockets::open_socket,  &BatchedSockets::close_socket, &BatchedSockets::connect_socket,
    &BatchedSockets::receive_from, &BatchedSockets::send_vector,
};

// The c-ares engine: ares_send with queries made by ares_create_query (AD set, random IDs
// unique among the queries in flight, as ares_send keeps them).
class CaresEngine {
  public:
    CaresEngine(const Job& job, Run& run, Window& window) : job_(job), run_(run), window_(window) {
        ares_options options{};
        options.flags = ARES_FLAG_NOCHECKRESP | ARES_FLAG_STAYOPEN |
                        // Answers up to the EDNS size over UDP (else above 512 octets: TCP).
                        ARES_FLAG_EDNS;
        options.ednspsz = edns_size;
        options.timeout = static_cast<int>(job.timeout.count());  // milliseconds with TIMEOUTMS
        options.tries = job.tries;
        options.sock_state_cb = &BatchedSockets::on_socket_state;
        options.sock_state_cb_data = &sockets_;
        const int mask = ARES_OPT_FLAGS | ARES_OPT_EDNSPSZ | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES |
                         ARES_OPT_SOCK_STATE_CB;
        if (const int status = ares_init_options(&channel_, &options, mask); status != ARES_SUCCESS)
            throw std::runtime_error(fmt::format("ares_init_options: {}", ares_strerror(status)));
        if (const int status = ares_set_servers_ports_csv(channel_, job.server.c_str());
            status != ARES_SUCCESS) {
            throw std::runtime_error(fmt::format("{}: {}", job.server, ares_strerror(status)));
        }
        ares_set_socket_functions(channel_, &BatchedSockets::functions, &sockets_);
        lookups_.resize(job.window);
        for (std::size_t i = 0; i < lookups_.size(); ++i) {
            lookups_[i].engine = this;
            free_.push_back(i);
        }
    }
    ~CaresEngine() { ares_destroy(channel_); }
    CaresEngine(const CaresEngine&) = delete;
    CaresEngine& operator=(const CaresEngine&) = delete;

    void start(std::size_t index) {
        Lookup& lookup = lookups_[free_.back()];
        free_.pop_back();
        lookup.index = index;
        lookup.id = unused_id();
        unsigned char* query = nullptr;
        int length = 0;
        const int status = ares_create_query(job_.names[index].c_str(), 1 /* IN */, 16 /* TXT */,
                                             lookup.id, 1, &query, &length, edns_size);
        if (status != ARES_SUCCESS) {
            end(lookup, status, nullptr, 0);
            return;
        }
        query[3] |= 0x20;  // AD: ask the resolver whether it validated the answer
        ares_send(channel_, query, length, &CaresEngine::on_answer, &lookup);
        ares_free_string(query);
    }

    // One round of the event loop after the window was topped up.
    void round() {
        sockets_.flush(channel_);
        int milliseconds = 0;
        if (!window_.open()) {
            timeval longest{
                0, static_cast<suseconds_t>(std::chrono::microseconds(longest_sleep).count())};
            timeval wait{};
            const timeval* until = ares_timeout(channel_, &longest, &wait);
            milliseconds = static_cast<int>(until->tv_sec * 1000 + (until->tv_usec + 999) / 1000);
        }
        sockets_.poll(channel_, milliseconds);
    }

    std::string counters() const {
        const auto& counters = sockets_.counters();
        return fmt::format("sendmmsg={} recvmmsg={} ares_process_fd={}", counters.sendmmsg_calls,
                           counters.recvmmsg_calls, counters.process_calls);
    }

  private:
    struct Lookup {
        CaresEngine* engine = nullptr;
        std::size_t index = 0;
        std::uint16_t id = 0;
    };

    std::uint16_t unused_id() {
        for (;;) {
            const auto id = static_cast<std::uint16_t>(random_());
            if (!ids_in_use_[id]) {
                ids_in_use_[id] = true;
                return id;
            }
        }
    }

    static void on_answer(void* data, int status, int, unsigned char* answer, int length) {
        auto& lookup = *static_cast<Lookup*>(data);
        lookup.engine->end(lookup, status, answer, length);
    }

    void end(Lookup& lookup, int status, const unsigned char* answer, int length) {
        dns::Response response;
        if (answer != nullptr) {
            response = dns::decode_response({answer, static_cast<std::size_t>(length)},
                                            job_.names[lookup.index], dns::RecordType::txt);
            response.server = job_.server;
        } else {
            response.outcome =
                status == ARES_ETIMEOUT ? dns::Outcome::timeout : dns::Outcome::unreachable;
            response.detail = ares_strerror(status);
        }
        check(job_, lookup.index, response, run_.tally);
        ids_in_use_[lookup.id] = false;
        free_.push_back(static_cast<std::size_t>(&lookup - lookups_.data()));
        window_.done();
    }

    const Job& job_;
    Run& run_;
    Window& window_;
    BatchedSockets sockets_;
    ares_channel channel_ = nullptr;
    std::vector<Lookup> lookups_;  // a slot per window place
    std::vector<std::size_t> free_;
    std::vector<bool> ids_in_use_ = std::vector<bool>(1 << 16);
    std::mt19937 random_{std::random_device{}()};
};

Run run_cares(const Job& job) {
    Run run;
    Window window(job);
    CaresEngine engine(job, run, window);
    const Stopwatch stopwatch;
    for (;;) {
        ++run.rounds;
        window.top_up([&](std::size_t index) { engine.start(index); });
        if (window.finished()) break;
        engine.round();
    }
    stopwatch.stop(run);
    run.counters = engine.counters();
    return run;
}

double median(std::vector<double> values) {
    std::sort(values.begin(), values.end());
    const std::size_t middle = values.size() / 2;
    return values.size() % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 4 || argc > 7) {
        std::fprintf(stderr, "usage: %s SERVER TRUTH_CSV ROUNDS [WINDOW [TIMEOUT_MS [TRIES]]]\n",
                     argv[0]);
        return 64;
    }
    try {
        Job job = read_job(argv[1], argv[2]);
        const int rounds = std::stoi(argv[3]);
        if (argc > 4) job.window = std::stoul(argv[4]);
        if (argc > 5) job.timeout = std::chrono::milliseconds(std::stoi(argv[5]));
        if (argc > 6) job.tries = std::stoi(argv[6]);
        if (rounds < 1 || job.window < 1 || job.timeout.count() < 1 || job.tries < 1) {
            throw std::runtime_error("ROUNDS, WINDOW, TIMEOUT_MS and TRIES must be positive");
        }
        ares_library_init(ARES_LIB_INIT_ALL);
        const auto expected_holding = static_cast<std::size_t>(
            std::count(job.has_policy.begin(), job.has_policy.end(), true));
        fmt::print("server {}, {} names ({} with a policy), window {}, timeout {} ms, {} tries\n",
                   job.server, job.names.size(), expected_holding, job.window, job.timeout.count(),
                   job.tries);
        struct Engine {
            const char* name;
            Run (*run)(const Job&);
            std::vector<double> rates;
            std::vector<double> user_us;  // CPU time per lookup
            std::vector<double> system_us;
        };
        std::array<Engine, 2> engines{
            {{"own", &run_own, {}, {}, {}}, {"c-ares", &run_cares, {}, {}, {}}}};
        const auto per_lookup_us = [&](double seconds) {
            return seconds * 1e6 / static_cast<double>(job.names.size());
        };
        bool all_right = true;
        for (int round = 1; round <= rounds; ++round) {
            // Alternating order, so that neither engine always runs first after a pause.
            for (int turn = 0; turn < 2; ++turn) {
                Engine& engine = engines[(round + turn) % 2 == 1 ? 0 : 1];
                const Run run = engine.run(job);
                const double rate = static_cast<double>(job.names.size()) / run.seconds;
                const bool right = run.tally.wrong == 0 && run.tally.failed == 0 &&
                                   run.tally.holding == expected_holding;
                all_right = all_right && right;
                engine.rates.push_back(rate);
                engine.user_us.push_back(per_lookup_us(run.user_seconds));
                engine.system_us.push_back(per_lookup_us(run.system_seconds));
                fmt::print(
                    "round {} {:6}: {:7.0f} lookups/s, CPU per lookup {:.2f} + {:.2f} us (user + "
                    "system), {} rounds of the loop; holding v=TLSRPTv1 {} of {}, wrong {}, "
                    "failed {}{}{}\n",
                    round, engine.name, rate, engine.user_us.back(), engine.system_us.back(),
                    run.rounds, run.tally.holding, expected_holding, run.tally.wrong,
                    run.tally.failed, run.counters.empty() ? "" : "; ", run.counters);
                std::fflush(stdout);
            }
        }
        fmt::print("medians over {} rounds:\n", rounds);
        for (const Engine& engine : engines) {
            fmt::print(
                "  {:6}: {:7.0f} lookups/s, CPU per lookup {:.2f} + {:.2f} us (user + system)\n",
                engine.name, median(engine.rates), median(engine.user_us),
                median(engine.system_us));
        }
        fmt::print("  c-ares / own: {:.2f}x\n",
                   median(engines[1].rates) / median(engines[0].rates));
        if (!all_right) {
            fmt::print("some runs were wrong: their rates do not count\n");
            return 1;
        }
        return 0;
    } catch (const std::exception& error) {
        std::fprintf(stderr, "engine_bench: %s\n", error.what());
        return 1;
    }
}
