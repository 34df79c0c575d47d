// The queries of a dns::Transport and their timers, without sockets: each query has a slot
// (reused, told apart by its incarnation), a message ID unique among the queries in flight
// (past 65,536 of them a query waits for one, oldest first), a serial per try, and one timer
// queue per pass over the servers. Also the check that a message answers a query.
// Internal to src/dns/.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <random>
#include <span>
#include <utility>
#include <vector>

#include "dns/query.hpp"
#include "dns/response.hpp"

namespace tlsrpt::dns {

// No slot, no socket.
inline constexpr std::uint32_t none = UINT32_MAX;

class QueryTable {
  public:
    // One query per message ID at most: more wait for an ID to come free.
    static constexpr std::size_t max_in_flight = 1 << 16;

    // A query, its current try and where that went. The table keeps the first block; the rest
    // belongs to the transport's try logic and its UDP sockets.
    struct Query {
        std::uint64_t tag = 0;
        std::uint64_t incarnation = 0;  // 0 while the slot is free
        std::uint64_t try_serial = 0;   // tells a current timer or queue entry from a stale one
        std::array<unsigned char, max_query_size> bytes{};
        std::uint16_t length = 0;
        std::uint16_t question_end = 0;
        std::uint16_t id = 0;
        bool has_id = false;  // false while it waits for an ID to come free

        int try_count = 0;
        int tries_sent = 0;
        bool timed_out = false;  // a try timed out: the query ends as a timeout, not unreachable
        bool over_tcp = false;   // after a truncated answer, for the rest of its tries
        std::size_t server = 0;
        std::uint64_t skipped_servers = 0;
        std::uint32_t socket = none;  // the UDP socket of the current try
    };
    // One try of a query: stale once the query has ended or moved on to another try.
    struct Try {
        std::uint32_t slot = 0;
        std::uint64_t serial = 0;
    };

    // With one timer queue for each of `passes` passes over the servers.
    explicit QueryTable(std::size_t passes);

    // Takes `message` (a whole query; throws std::invalid_argument for an impossible size)
    // into a free slot, with an ID written into it, unless every ID is in use: then the query
    // waits (has_id false) until release() hands it one. Returns the slot.
    std::uint32_t add(std::span<const unsigned char> message, std::uint64_t tag,
                      std::size_t server);
    // Frees the slot and its ID. Returns the slot of the waiting query that took the ID, or
    // none.
    std::uint32_t release(std::uint32_t slot);
    // The queries waiting for an ID get none: before releasing them all.
    void drop_waiting() { waiting_for_id_.clear(); }

    Query& operator[](std::uint32_t slot) { return slots_[slot]; }
    const Query& operator[](std::uint32_t slot) const { return slots_[slot]; }
    // Whether the slot holds the query of that incarnation still (a free slot holds none).
    bool holds(std::uint32_t slot, std::uint64_t incarnation) const;
    // The slot of the query with the message's ID, or none (also for a message too short to
    // have one).
    std::uint32_t slot_with_id(std::span<const unsigned char> message) const;
    // The slots of the queries that `match`, in slot order: a list, so that `match`ed queries
    // may end while the caller goes through it.
    template <class Match>
    std::vector<std::uint32_t> slots_where(Match match) const {
        std::vector<std::uint32_t> found;
        for (std::uint32_t slot = 0; slot < slots_.size(); ++slot) {
            if (slots_[slot].incarnation != 0 && match(slots_[slot])) found.push_back(slot);
        }
        return found;
    }

    // A new try of the query: the timers and queue entries of the ones before go stale.
    void new_try(std::uint32_t slot) { slots_[slot].try_serial = ++try_serials_; }
    // The query in the slot if `attempt` is its current try.
    Query* current(Try attempt);

    // The current try of the query times out at `expiry`, in the queue of `pass`.
    void arm(std::uint32_t slot, std::size_t pass, Clock::time_point expiry);
    // The earliest expiry of a current try.
    std::optional<Clock::time_point> next_timeout();
    // The next current try to time out by `now`, pass by pass, or none: its timer is gone.
    std::uint32_t next_expired(Clock::time_point now);

  private:
    struct Timer {
        Clock::time_point expiry;
        Try attempt;
    };

    // Gives the query an ID.
    void take_id(std::uint32_t slot);
    std::uint16_t unused_id();

    std::vector<Query> slots_;
    std::vector<std::uint32_t> free_slots_;
    std::uint64_t incarnations_ = 0;
    std::uint64_t try_serials_ = 0;
    std::vector<std::uint32_t> slot_by_id_ = std::vector<std::uint32_t>(max_in_flight, none);
    std::size_t in_flight_ = 0;  // queries with an ID
    // Queries added while every ID was in use, oldest first; entries of released ones are
    // skipped when they come up.
    std::deque<std::pair<std::uint32_t, std::uint64_t>> waiting_for_id_;
    std::mt19937 random_{std::random_device{}()};
    // One queue per pass over the servers: a pass has one timeout, so each queue is in expiry
    // order. Entries of tries that ended otherwise are skipped when they come up.
    std::vector<std::deque<Timer>> timers_;
};

// A reply (QR) to a standard query (opcode 0) with the question as sent (its ID is how the
// query was found: slot_with_id): the name compared without regard to case, type and class
// exactly. Anything else is not an answer to this query (a server that echoes queries back
// answers nothing).
bool answers(const QueryTable::Query& query, std::span<const unsigned char> message);

}  // namespace tlsrpt::dns
