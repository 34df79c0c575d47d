#include "dns/query_table.hpp"

#include <algorithm>
#include <stdexcept>

namespace tlsrpt::dns {
namespace {

constexpr std::size_t header_size = 12;

std::size_t question_end(std::span<const unsigned char> query) {
    std::size_t offset = header_size;
    while (offset < query.size() && query[offset] != 0) offset += 1 + query[offset];
    return offset + 1 + 4;  // root label, type, class
}

unsigned char lower(unsigned char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<unsigned char>(c - 'A' + 'a') : c;
}

}  // namespace

QueryTable::QueryTable(std::size_t passes) : timers_(passes) {}

std::uint32_t QueryTable::add(std::span<const unsigned char> message, std::uint64_t tag,
                              std::size_t server) {
    if (message.size() < header_size || message.size() > max_query_size) {
        throw std::invalid_argument("a DNS query of an impossible size");
    }
    std::uint32_t slot = 0;
    if (free_slots_.empty()) {
        slot = static_cast<std::uint32_t>(slots_.size());
        slots_.emplace_back();
    } else {
        slot = free_slots_.back();
        free_slots_.pop_back();
    }
    Query& query = slots_[slot];
    query = Query{};
    query.tag = tag;
    query.incarnation = ++incarnations_;
    std::copy(message.begin(), message.end(), query.bytes.begin());
    query.length = static_cast<std::uint16_t>(message.size());
    query.question_end = static_cast<std::uint16_t>(question_end(message));
    query.server = server;
    if (in_flight_ == max_in_flight) {
        waiting_for_id_.emplace_back(slot, query.incarnation);
    } else {
        take_id(slot);
    }
    return slot;
}

std::uint16_t QueryTable::unused_id() {
    std::uniform_int_distribution<unsigned> distribution(0, 0xffff);
    for (;;) {
        const auto id = static_cast<std::uint16_t>(distribution(random_));
        if (slot_by_id_[id] == none) return id;
    }
}

void QueryTable::take_id(std::uint32_t slot) {
    Query& query = slots_[slot];
    query.id = unused_id();
    query.has_id = true;
    slot_by_id_[query.id] = slot;
    ++in_flight_;
    query.bytes[0] = static_cast<unsigned char>(query.id >> 8);
    query.bytes[1] = static_cast<unsigned char>(query.id & 0xff);
}

std::uint32_t QueryTable::release(std::uint32_t slot) {
    Query& query = slots_[slot];
    query.incarnation = 0;
    free_slots_.push_back(slot);
    if (!query.has_id) return none;
    slot_by_id_[query.id] = none;
    --in_flight_;
    // The ID goes to the query that has waited longest for one.
    while (!waiting_for_id_.empty()) {
        const auto [waiting, incarnation] = waiting_for_id_.front();
        waiting_for_id_.pop_front();
        if (holds(waiting, incarnation)) {
            take_id(waiting);
            return waiting;
        }
    }
    return none;
}

bool QueryTable::holds(std::uint32_t slot, std::uint64_t incarnation) const {
    return slot < slots_.size() && incarnation != 0 && slots_[slot].incarnation == incarnation;
}

std::uint32_t QueryTable::slot_with_id(std::span<const unsigned char> message) const {
    if (message.size() < header_size) return none;
    return slot_by_id_[(message[0] << 8) | message[1]];
}

QueryTable::Query* QueryTable::current(Try attempt) {
    if (attempt.slot >= slots_.size()) return nullptr;
    Query& query = slots_[attempt.slot];
    return query.incarnation != 0 && query.try_serial == attempt.serial ? &query : nullptr;
}

void QueryTable::arm(std::uint32_t slot, std::size_t pass, Clock::time_point expiry) {
    timers_[pass].push_back({expiry, {slot, slots_[slot].try_serial}});
}

// Stale entries at the front go, so that the first one left is the next real timeout.
std::optional<Clock::time_point> QueryTable::next_timeout() {
    std::optional<Clock::time_point> next;
    for (std::deque<Timer>& queue : timers_) {
        while (!queue.empty() && current(queue.front().attempt) == nullptr) queue.pop_front();
        if (!queue.empty() && (!next || queue.front().expiry < *next)) next = queue.front().expiry;
    }
    return next;
}

std::uint32_t QueryTable::next_expired(Clock::time_point now) {
    for (std::deque<Timer>& queue : timers_) {
        while (!queue.empty() && queue.front().expiry <= now) {
            const Try attempt = queue.front().attempt;
            queue.pop_front();
            if (current(attempt) != nullptr) return attempt.slot;
        }
    }
    return none;
}

bool answers(const QueryTable::Query& query, std::span<const unsigned char> message) {
    if (message.size() < query.question_end) return false;
    if ((message[2] & 0xf8) != 0x80) return false;         // QR 1, opcode QUERY
    if (message[4] != 0 || message[5] != 1) return false;  // QDCOUNT 1
    std::size_t offset = header_size;
    while (query.bytes[offset] != 0) {
        const std::size_t label = query.bytes[offset];
        if (message[offset] != label) return false;
        for (std::size_t i = offset + 1; i <= offset + label; ++i) {
            if (lower(message[i]) != lower(query.bytes[i])) return false;
        }
        offset += 1 + label;
    }
    return std::equal(query.bytes.begin() + static_cast<std::ptrdiff_t>(offset),
                      query.bytes.begin() + query.question_end, message.begin() + offset);
}

}  // namespace tlsrpt::dns
