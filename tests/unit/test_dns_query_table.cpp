#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "dns/query.hpp"
#include "dns/query_table.hpp"
#include "dns_query_bytes.hpp"

using namespace tlsrpt::dns;
using namespace std::chrono_literals;

namespace {

const std::vector<unsigned char>& txt_query() {
    static const std::vector<unsigned char> query =
        query_for("_smtp._tls.example.com", RecordType::txt);
    return query;
}

std::uint16_t id_in(const QueryTable::Query& query) {
    return static_cast<std::uint16_t>((query.bytes[0] << 8) | query.bytes[1]);
}

// Every ID in use, by the queries in slots 0 to 65,535.
void fill(QueryTable& table) {
    for (std::size_t i = 0; i < QueryTable::max_in_flight; ++i) table.add(txt_query(), i, 0);
}

// A reply to `query` (its ID, QR set) with the question of `name` and `type`.
std::vector<unsigned char> reply(const QueryTable::Query& query, const std::string& name,
                                 RecordType type) {
    std::vector<unsigned char> message = query_for(name, type);
    message[0] = query.bytes[0];
    message[1] = query.bytes[1];
    message[2] |= 0x80;
    return message;
}

const Clock::time_point start{};

struct Timer {
    std::size_t pass = 0;
    std::chrono::milliseconds after{};
};

// A query per timer, its first try armed with it.
std::vector<std::uint32_t> armed(QueryTable& table, std::initializer_list<Timer> timers) {
    std::vector<std::uint32_t> slots;
    for (const Timer& timer : timers) {
        const std::uint32_t slot = table.add(txt_query(), slots.size(), 0);
        table.new_try(slot);
        table.arm(slot, timer.pass, start + timer.after);
        slots.push_back(slot);
    }
    return slots;
}

}  // namespace

TEST_CASE("query table: every query in flight has its own ID, written into its message") {
    QueryTable table(1);
    fill(table);
    std::set<std::uint16_t> ids;
    for (std::uint32_t slot = 0; slot < QueryTable::max_in_flight; ++slot) {
        const QueryTable::Query& query = table[slot];
        REQUIRE(query.has_id);
        REQUIRE(id_in(query) == query.id);
        REQUIRE(table.slot_with_id(query.bytes) == slot);
        ids.insert(query.id);
    }
    CHECK(ids.size() == QueryTable::max_in_flight);
}

TEST_CASE("query table: a message's ID names the query in flight with it, or none") {
    QueryTable table(1);
    const std::uint32_t slot = table.add(txt_query(), 7, 0);
    std::vector<unsigned char> message = txt_query();
    message[0] = table[slot].bytes[0];
    message[1] = table[slot].bytes[1];
    CHECK(table.slot_with_id(message) == slot);
    message[1] ^= 1;
    CHECK(table.slot_with_id(message) == none);
    CHECK(table.slot_with_id(std::span(table[slot].bytes).first(11)) == none);
    table.release(slot);
    CHECK(table.slot_with_id(table[slot].bytes) == none);
}

TEST_CASE("query table: past 65,536 queries in flight a query waits for the next free ID") {
    QueryTable table(1);
    fill(table);
    const std::uint32_t waiting = table.add(txt_query(), 99, 0);
    CHECK(waiting == QueryTable::max_in_flight);
    CHECK_FALSE(table[waiting].has_id);
    const std::uint16_t freed = table[1234].id;
    CHECK(table.release(1234) == waiting);
    CHECK(table[waiting].has_id);
    CHECK(table[waiting].id == freed);
    CHECK(id_in(table[waiting]) == freed);
    CHECK(table.slot_with_id(table[waiting].bytes) == waiting);
    // No one waits now: the next ID freed stays free.
    CHECK(table.release(0) == none);
    CHECK(table.slot_with_id(table[0].bytes) == none);
}

TEST_CASE("query table: freed IDs go to the oldest waiter, released waiters are skipped") {
    QueryTable table(1);
    fill(table);
    const std::uint32_t first = table.add(txt_query(), 1, 0);
    const std::uint32_t second = table.add(txt_query(), 2, 0);
    const std::uint32_t third = table.add(txt_query(), 3, 0);
    // The first waiter is cancelled, and its slot taken by a query that waits last.
    CHECK(table.release(first) == none);
    const std::uint32_t fourth = table.add(txt_query(), 4, 0);
    CHECK(fourth == first);
    CHECK_FALSE(table[fourth].has_id);
    CHECK(table.release(10) == second);
    CHECK(table.release(11) == third);
    CHECK(table.release(12) == fourth);
    CHECK(table[fourth].tag == 4);
    CHECK(table.release(13) == none);
}

TEST_CASE("query table: a handle holds its query until the slot is released") {
    QueryTable table(1);
    const std::uint32_t slot = table.add(txt_query(), 1, 0);
    const std::uint64_t incarnation = table[slot].incarnation;
    CHECK(table.holds(slot, incarnation));
    CHECK_FALSE(table.holds(slot, incarnation + 1));
    CHECK_FALSE(table.holds(slot + 1, incarnation));
    table.release(slot);
    CHECK_FALSE(table.holds(slot, incarnation));
    CHECK_FALSE(table.holds(slot, 0));
    CHECK(table.add(txt_query(), 2, 0) == slot);
    CHECK_FALSE(table.holds(slot, incarnation));
    CHECK(table.holds(slot, table[slot].incarnation));
}

TEST_CASE("query table: timers expire in expiry order, pass by pass") {
    QueryTable table(2);
    const std::vector<std::uint32_t> slots =
        armed(table, {{0, 10ms}, {0, 20ms}, {0, 30ms}, {1, 15ms}});
    CHECK(table.next_timeout() == start + 10ms);
    CHECK(table.next_expired(start + 9ms) == none);
    CHECK(table.next_expired(start + 25ms) == slots[0]);
    CHECK(table.next_expired(start + 25ms) == slots[1]);
    CHECK(table.next_expired(start + 25ms) == slots[3]);
    CHECK(table.next_expired(start + 25ms) == none);
    CHECK(table.next_timeout() == start + 30ms);
    CHECK(table.next_expired(start + 30ms) == slots[2]);
    CHECK(table.next_expired(start + 30ms) == none);
    CHECK(table.next_timeout() == std::nullopt);
}

TEST_CASE("query table: the timers of tries that ended otherwise never fire") {
    QueryTable table(2);
    const std::vector<std::uint32_t> slots = armed(table, {{0, 10ms}, {0, 20ms}, {0, 30ms}});
    const QueryTable::Try first_try{slots[0], table[slots[0]].try_serial};
    CHECK(table.current(first_try) == &table[slots[0]]);
    // The first query moves on to a try of the next pass, the second ends, and a new query
    // takes its slot.
    table.new_try(slots[0]);
    CHECK(table.current(first_try) == nullptr);
    table.arm(slots[0], 1, start + 40ms);
    table.release(slots[1]);
    CHECK(table.add(txt_query(), 3, 0) == slots[1]);
    table.new_try(slots[1]);
    CHECK(table.next_expired(start + 100ms) == slots[2]);
    CHECK(table.next_expired(start + 100ms) == slots[0]);
    CHECK(table.next_expired(start + 100ms) == none);
}

TEST_CASE("query table: the next timeout is the first of a try still current") {
    QueryTable table(2);
    const std::vector<std::uint32_t> slots =
        armed(table, {{0, 10ms}, {0, 20ms}, {1, 15ms}, {1, 25ms}});
    table.new_try(slots[0]);
    table.release(slots[2]);
    CHECK(table.next_timeout() == start + 20ms);
    table.release(slots[1]);
    CHECK(table.next_timeout() == start + 25ms);
    table.release(slots[3]);
    CHECK(table.next_timeout() == std::nullopt);
}

TEST_CASE("query table: a reply to the question as asked answers it, the name in any case") {
    QueryTable table(1);
    const QueryTable::Query& query = table[table.add(txt_query(), 1, 0)];
    CHECK(answers(query, reply(query, "_smtp._tls.example.com", RecordType::txt)));
    CHECK(answers(query, reply(query, "_SMTP._tls.eXAMPLE.Com", RecordType::txt)));
    // Answer records after the question change nothing.
    std::vector<unsigned char> longer = reply(query, "_smtp._tls.example.com", RecordType::txt);
    longer.insert(longer.end(), 40, 0xff);
    CHECK(answers(query, longer));
}

TEST_CASE("query table: what is not a reply to the question as asked answers nothing") {
    QueryTable table(1);
    const QueryTable::Query& query = table[table.add(txt_query(), 1, 0)];
    const std::vector<unsigned char> good = reply(query, "_smtp._tls.example.com", RecordType::txt);
    REQUIRE(answers(query, good));
    auto changed = [&](std::size_t offset, unsigned char value) {
        std::vector<unsigned char> message = good;
        message.at(offset) = value;
        return message;
    };
    CHECK_FALSE(answers(query, changed(2, good[2] & 0x7f)));      // QR 0: the query echoed
    CHECK_FALSE(answers(query, changed(2, good[2] | (1 << 3))));  // opcode IQUERY
    CHECK_FALSE(answers(query, changed(2, good[2] | (2 << 3))));  // opcode STATUS
    CHECK_FALSE(answers(query, changed(5, 0)));                   // QDCOUNT 0
    CHECK_FALSE(answers(query, changed(5, 2)));                   // QDCOUNT 2
    CHECK_FALSE(answers(query, changed(4, 1)));                   // QDCOUNT 257
    const std::size_t end = query.question_end;
    CHECK_FALSE(answers(query, changed(end - 1, 3)));   // class CH
    CHECK_FALSE(answers(query, changed(end - 3, 15)));  // type MX
    CHECK_FALSE(answers(query, reply(query, "_smtp._tls.example.net", RecordType::txt)));
    CHECK_FALSE(answers(query, reply(query, "_smtp._tls.exampl.ecom", RecordType::txt)));
    CHECK_FALSE(answers(query, reply(query, "_smtp._tls.example.com", RecordType::mx)));
    // Short: cut inside the question, or a bare header.
    CHECK(answers(query, std::span(good).first(end)));
    CHECK_FALSE(answers(query, std::span(good).first(end - 1)));
    CHECK_FALSE(answers(query, std::span(good).first(12)));
}
