// A DNS responder for the faults real servers do not produce on demand. It listens on
// 127.0.0.1:PORT over UDP and TCP and answers by the first label after `_smtp._tls.` of the
// query name (e.g. `_smtp._tls.servfail.faults.test`, or `_smtp._tls.servfail.n7.faults.test`
// for as many distinct names as a bulk test needs):
//   policy       a TLS-RPT record
//   slow         the same, 10 s late over UDP: past any deadline a test sets
//   silent       never answers
//   wrong-id     a good answer with another message ID (a client must ignore it)
//   wrong-question  a good answer to another name, with the query's ID (ignored too)
//   servfail, refused, notimp   that rcode
//   garbage      the header and question echoed, then bytes that are no resource record
//   truncated    two answers announced, the second cut short
//   tc-garbage   over UDP an empty answer with TC set; over TCP the garbage above
//   bad-txt      a TXT RR whose character-string overruns its RDATA
//   empty-rdata  a TXT RR with RDLENGTH 0 beside a TLS-RPT record
//   echo         the query itself sent back (QR clear, the AD bit of the query kept)
//   badvers      NOERROR in the header, BADVERS through the OPT record's extended rcode
//   cname-loop   a CNAME to b.faults.test, and a CNAME from there back to the query name
//   cname-long   a CNAME to a name of 940 labels (1,881 octets), which owns a TLS-RPT record
//   cname-zero   a CNAME to `\000.example` (a first label of one zero octet) and a TLS-RPT
//                record owned by the root name
//   tc-flood     over UDP an empty answer with TC set; over TCP 65,535-octet messages of
//                zeros without end, from a child process so that other queries are served
//   forge        answers NXDOMAIN, after a flood of forged answers with every message ID to
//                the question `_smtp._tls.silent.faults.test` (from a child process)
//   mx-many      for a query name whose first label it is, MX: ten hosts h1-h10 under it;
//                any other query for a name under it goes unanswered
// Anything else gets NXDOMAIN.
// Usage: fault_responder PORT [DROP_PERCENT]
//   PORT 0 takes a free port; either way the port is printed on a line of its own once the
//   sockets are bound, so that a test knows when it can send queries;
//   DROP_PERCENT of the UDP queries, chosen at random, are dropped unanswered (packet loss).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <queue>
#include <random>
#include <string>
#include <vector>

#include "dns_question.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using tlsrpt::testing::read_question;

constexpr std::size_t header_size = 12;
constexpr unsigned char rcode_nxdomain = 3;
constexpr auto slow_answer_delay = std::chrono::seconds(10);
const std::string tlsrpt_record = "v=TLSRPTv1; rua=mailto:tlsrpt@example.com";

struct Query {
    std::string message;  // header and question, as received (additional records dropped)
    std::string mode;
    std::string received;  // the whole message
};

std::optional<Query> parse_query(const std::string& message) {
    std::vector<std::string> labels;
    const auto question =
        read_question(reinterpret_cast<const unsigned char*>(message.data()), message.size(),
                      [&](const unsigned char* label, std::size_t length) {
                          labels.emplace_back(reinterpret_cast<const char*>(label), length);
                      });
    if (!question) return std::nullopt;
    const bool prefixed = labels.size() > 2 && labels[0] == "_smtp" && labels[1] == "_tls";
    std::string mode = prefixed ? labels[2] : (labels.empty() ? "" : labels[0]);
    // Every name under an mx-many domain: the domain's MX answered, the rest dropped.
    const auto mx_many = std::find(labels.begin(), labels.end(), "mx-many");
    if (mx_many != labels.end() && mx_many != labels.begin()) mode = "mx-many-other";
    return Query{message.substr(0, question->end), std::move(mode), message};
}

void put16(std::string& out, unsigned value) {
    out += static_cast<char>((value >> 8) & 0xff);
    out += static_cast<char>(value & 0xff);
}

// A reply header over the query's: QR set, opcode and RD kept, RA set, one question.
std::string reply_to(const Query& query, unsigned char rcode, unsigned answers, bool truncated) {
    std::string reply = query.message;
    reply[2] = static_cast<char>(0x80 | (reply[2] & 0x79) | (truncated ? 0x02 : 0));
    reply[3] = static_cast<char>(0x80 | rcode);
    reply.replace(4, 8, std::string(8, '\0'));
    reply[5] = 1;
    reply[7] = static_cast<char>(answers);
    return reply;
}

// A TXT RR owned by the question name (compression pointer to offset 12).
std::string txt_rr(const std::string& rdata) {
    std::string rr = "\xc0\x0c";
    put16(rr, 16);                       // TXT
    put16(rr, 1);                        // IN
    rr += std::string("\0\0\0\x3c", 4);  // TTL 60
    put16(rr, static_cast<unsigned>(rdata.size()));
    return rr + rdata;
}

std::string character_string(const std::string& text) {
    return static_cast<char>(text.size()) + text;
}

std::string policy_answer(const Query& query) {
    return reply_to(query, 0, 1, false) + txt_rr(character_string(tlsrpt_record));
}

std::string wire_name(const std::string& dotted) {
    std::string wire;
    std::size_t start = 0;
    while (start < dotted.size()) {
        const std::size_t dot = std::min(dotted.find('.', start), dotted.size());
        wire += static_cast<char>(dot - start);
        wire += dotted.substr(start, dot - start);
        start = dot + 1;
    }
    return wire + '\0';
}

// A resource record: owner (wire form), type, TTL 60, RDATA.
std::string rr(const std::string& owner, unsigned type, const std::string& rdata) {
    std::string record = owner;
    put16(record, type);
    put16(record, 1);
    record += std::string("\0\0\0\x3c", 4);
    put16(record, static_cast<unsigned>(rdata.size()));
    return record + rdata;
}

const std::string question_name = "\xc0\x0c";  // a pointer to the query name
constexpr unsigned type_cname = 5;
constexpr unsigned type_txt = 16;
constexpr unsigned type_mx = 15;

std::string cname_answer(const Query& query, const std::string& mode) {
    if (mode == "cname-loop") {
        return reply_to(query, 0, 2, false) +
               rr(question_name, type_cname, wire_name("b.faults.test")) +
               rr(wire_name("b.faults.test"), type_cname, question_name);
    }
    if (mode == "cname-long") {
        std::string target;
        for (int label = 0; label < 940; ++label) target += "\1a";
        target += '\0';
        // The TXT record's owner points at the CNAME's RDATA: after the header, the question,
        // and the CNAME's owner pointer and fixed fields.
        const std::size_t target_offset = query.message.size() + 2 + 10;
        std::string pointer;
        put16(pointer, static_cast<unsigned>(0xc000 | target_offset));
        return reply_to(query, 0, 2, false) + rr(question_name, type_cname, target) +
               rr(pointer, type_txt, character_string(tlsrpt_record));
    }
    // cname-zero
    return reply_to(query, 0, 2, false) +
           rr(question_name, type_cname, std::string("\1\0\7example\0", 11)) +
           rr(std::string(1, '\0'), type_txt, character_string(tlsrpt_record));
}

std::string mx_many_answer(const Query& query) {
    std::string reply = reply_to(query, 0, 10, false);
    for (int host = 1; host <= 10; ++host) {
        std::string rdata;
        put16(rdata, 10);
        rdata += static_cast<char>(host < 10 ? 2 : 3);
        rdata += "h" + std::to_string(host);
        rdata += question_name;
        reply += rr(question_name, type_mx, rdata);
    }
    return reply;
}

std::optional<std::string> answer(const Query& query, bool over_tcp) {
    const std::string garbage = std::string("\xc0\xff\xde\xad\xbe\xef\x00\x10\x00", 9) + "junk";
    const std::string& mode = query.mode;
    if (mode == "silent") return std::nullopt;
    if (mode == "policy" || mode == "slow") return policy_answer(query);
    if (mode == "wrong-question") {
        // The first label of the name, one letter changed: `_smtp` becomes `xsmtp`.
        std::string reply = policy_answer(query);
        reply[header_size + 1] = 'x';
        return reply;
    }
    if (mode == "servfail") return reply_to(query, 2, 0, false);
    if (mode == "refused") return reply_to(query, 5, 0, false);
    if (mode == "notimp") return reply_to(query, 4, 0, false);
    if (mode == "garbage") return reply_to(query, 0, 1, false) + garbage;
    if (mode == "tc-garbage") {
        return over_tcp ? reply_to(query, 0, 1, false) + garbage : reply_to(query, 0, 0, true);
    }
    if (mode == "truncated") {
        const std::string second = txt_rr(character_string(tlsrpt_record));
        return reply_to(query, 0, 2, false) + txt_rr(character_string(tlsrpt_record)) +
               second.substr(0, 6);
    }
    if (mode == "bad-txt") {
        return reply_to(query, 0, 1, false) + txt_rr(std::string("\x1e", 1) + "too short");
    }
    if (mode == "empty-rdata") {
        return reply_to(query, 0, 2, false) + txt_rr("") + txt_rr(character_string(tlsrpt_record));
    }
    if (mode == "wrong-id") {
        std::string reply = policy_answer(query);
        reply[0] = static_cast<char>(reply[0] ^ 0x5a);
        return reply;
    }
    if (mode == "echo") return query.received;
    if (mode == "badvers") {
        std::string reply = reply_to(query, 0, 0, false);
        reply[11] = 1;  // ARCOUNT: an OPT record, extended rcode 1 (BADVERS = 16)
        return reply + std::string("\0\0\x29\x04\xd0\x01\0\0\0\0\0", 11);
    }
    if (mode == "cname-loop" || mode == "cname-long" || mode == "cname-zero") {
        return cname_answer(query, mode);
    }
    if (mode == "tc-flood" && !over_tcp) return reply_to(query, 0, 0, true);
    if (mode == "mx-many") {
        const bool is_mx =
            static_cast<unsigned char>(query.message[query.message.size() - 3]) == type_mx;
        return is_mx ? std::optional(mx_many_answer(query)) : std::nullopt;
    }
    if (mode == "mx-many-other") return std::nullopt;
    return reply_to(query, rcode_nxdomain, 0, false);
}

// Floods run in a child process: the responder goes on serving the other tests meanwhile.
template <typename Flood>
void in_child(Flood flood) {
    if (fork() == 0) {
        flood();
        _exit(0);
    }
}

// 65,535-octet messages of zeros until the peer is gone (or after 4 GiB).
void flood_tcp(int fd) {
    std::string message(2 + 65535, '\0');
    message[0] = message[1] = '\xff';
    for (int sent = 0; sent < 65536; ++sent) {
        if (write(fd, message.data(), message.size()) < 0) return;
    }
}

// Forged answers to `_smtp._tls.silent.faults.test` TXT with every ID, then the real answer.
void flood_forged(int udp, const sockaddr_storage& peer, socklen_t peer_length,
                  const Query& query) {
    std::string forged = "\0\0\x81\x80";
    forged += std::string("\0\1\0\1\0\0\0\0", 8);
    forged += wire_name("_smtp._tls.silent.faults.test");
    put16(forged, type_txt);
    put16(forged, 1);
    forged += txt_rr(character_string("v=TLSRPTv1; rua=mailto:forged@attacker.example"));
    // Paced, so that a reader's socket buffer does not drop most of them.
    for (unsigned id = 0; id <= 0xffff; ++id) {
        forged[0] = static_cast<char>(id >> 8);
        forged[1] = static_cast<char>(id & 0xff);
        sendto(udp, forged.data(), forged.size(), 0, reinterpret_cast<const sockaddr*>(&peer),
               peer_length);
        if (id % 64 == 63) usleep(1000);
    }
    const std::string reply = reply_to(query, rcode_nxdomain, 0, false);
    sendto(udp, reply.data(), reply.size(), 0, reinterpret_cast<const sockaddr*>(&peer),
           peer_length);
}

// A UDP reply and when it is due: at once, or 10 s later for mode `slow`.
struct DelayedReply {
    Clock::time_point due;
    sockaddr_storage peer{};
    socklen_t peer_length = 0;
    std::string message;
    bool operator>(const DelayedReply& other) const { return due > other.due; }
};
using DelayedReplies = std::priority_queue<DelayedReply, std::vector<DelayedReply>, std::greater<>>;

int bound_socket(int type, int port) {
    const int fd = socket(AF_INET, type, 0);
    const int on = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
        std::perror("fault_responder: bind");
        std::exit(1);
    }
    return fd;
}

struct Connection {
    int fd = -1;
    std::string received;
};

// Answers every complete length-prefixed query in the buffer; false when the peer is gone.
bool serve_tcp(Connection& connection) {
    char buffer[4096];
    const ssize_t n = read(connection.fd, buffer, sizeof buffer);
    if (n <= 0) return false;
    connection.received.append(buffer, static_cast<std::size_t>(n));
    while (connection.received.size() >= 2) {
        const std::size_t length = (static_cast<unsigned char>(connection.received[0]) << 8) |
                                   static_cast<unsigned char>(connection.received[1]);
        if (connection.received.size() < 2 + length) break;
        const auto query = parse_query(connection.received.substr(2, length));
        connection.received.erase(0, 2 + length);
        if (!query) continue;
        if (query->mode == "tc-flood") {
            const int fd = connection.fd;
            in_child([fd] { flood_tcp(fd); });
            return false;  // the child has the connection now
        }
        if (const auto reply = answer(*query, true)) {
            std::string framed;
            put16(framed, static_cast<unsigned>(reply->size()));
            framed += *reply;
            if (write(connection.fd, framed.data(), framed.size()) < 0) return false;
        }
    }
    return true;
}

int port_of(int fd) {
    sockaddr_in address{};
    socklen_t length = sizeof address;
    getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
    return ntohs(address.sin_port);
}

// Milliseconds until the next delayed reply is due; -1 (wait for queries only) when none is.
int poll_timeout(const DelayedReplies& delayed) {
    if (delayed.empty()) return -1;
    const auto left =
        std::chrono::ceil<std::chrono::milliseconds>(delayed.top().due - Clock::now());
    return static_cast<int>(std::max<std::chrono::milliseconds::rep>(0, left.count()));
}

void send_due(int udp, DelayedReplies& delayed) {
    while (!delayed.empty() && delayed.top().due <= Clock::now()) {
        const DelayedReply& reply = delayed.top();
        sendto(udp, reply.message.data(), reply.message.size(), 0,
               reinterpret_cast<const sockaddr*>(&reply.peer), reply.peer_length);
        delayed.pop();
    }
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2 && argc != 3) {
        std::fprintf(stderr, "usage: fault_responder PORT [DROP_PERCENT]\n");
        return 64;
    }
    // Children (floods) are not waited for.
    signal(SIGCHLD, SIG_IGN);
    const int udp = bound_socket(SOCK_DGRAM, std::atoi(argv[1]));
    // Room for the bursts of several bulk runs at once (ctest -j): a query dropped here would
    // time out, which a test takes for a fault of the program. FORCE passes rmem_max as root.
    const int receive_buffer = 8 << 20;
    if (setsockopt(udp, SOL_SOCKET, SO_RCVBUFFORCE, &receive_buffer, sizeof receive_buffer) != 0)
        setsockopt(udp, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
    const int port = port_of(udp);
    const int tcp = bound_socket(SOCK_STREAM, port);
    listen(tcp, 64);
    std::printf("%d\n", port);
    std::fflush(stdout);
    const int drop_percent = argc == 3 ? std::atoi(argv[2]) : 0;
    std::mt19937 random(8460);
    std::uniform_int_distribution<int> percent(0, 99);
    DelayedReplies delayed;
    std::vector<Connection> connections;
    for (;;) {
        std::vector<pollfd> watched = {{udp, POLLIN, 0}, {tcp, POLLIN, 0}};
        for (const Connection& connection : connections)
            watched.push_back({connection.fd, POLLIN, 0});
        if (poll(watched.data(), watched.size(), poll_timeout(delayed)) < 0) continue;
        send_due(udp, delayed);
        if (watched[0].revents != 0) {
            char buffer[4096];
            DelayedReply reply;
            reply.peer_length = sizeof reply.peer;
            const ssize_t n =
                recvfrom(udp, buffer, sizeof buffer, 0, reinterpret_cast<sockaddr*>(&reply.peer),
                         &reply.peer_length);
            const auto query = n > 0 && percent(random) >= drop_percent
                                   ? parse_query(std::string(buffer, static_cast<std::size_t>(n)))
                                   : std::nullopt;
            if (query && query->mode == "forge") {
                in_child([&] { flood_forged(udp, reply.peer, reply.peer_length, *query); });
            } else if (const auto message = query ? answer(*query, false) : std::nullopt) {
                reply.message = *message;
                reply.due = Clock::now() +
                            (query->mode == "slow" ? slow_answer_delay : Clock::duration::zero());
                delayed.push(std::move(reply));
                send_due(udp, delayed);
            }
        }
        if (watched[1].revents != 0) {
            const int fd = accept(tcp, nullptr, nullptr);
            if (fd >= 0) connections.push_back({fd, {}});
        }
        for (std::size_t i = 2; i < watched.size(); ++i) {
            if (watched[i].revents == 0) continue;
            auto connection =
                std::find_if(connections.begin(), connections.end(),
                             [&](const Connection& c) { return c.fd == watched[i].fd; });
            if (!serve_tcp(*connection)) {
                close(connection->fd);
                connections.erase(connection);
            }
        }
    }
}
