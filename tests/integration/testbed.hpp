// Running tlsrpt-check against the testbed that testbed-start brought up (see CMakeLists.txt).
#pragma once

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdlib>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "json.hpp"
#include "run_process.hpp"

namespace tlsrpt::testing {

#define TESTBED_STRINGIFY_(x) #x
#define TESTBED_STRINGIFY(x) TESTBED_STRINGIFY_(x)

// Unbound: validating recursive resolver for every zone of testdata/zones, chain-bulk.test and
// down.test (whose server is dead).
inline const std::string unbound = "127.0.0.1:" TESTBED_STRINGIFY(TESTBED_UNBOUND_PORT);
// NSD, asked directly: authoritative only, refuses other zones.
inline const std::string nsd = "127.0.0.1:" TESTBED_STRINGIFY(TESTBED_NSD_PORT);
// fault_responder: misbehaves as the first label after _smtp._tls. says.
inline const std::string faults = "127.0.0.1:" TESTBED_STRINGIFY(TESTBED_FAULT_PORT);
// Nothing listens there.
inline const std::string dead = "127.0.0.1:" TESTBED_STRINGIFY(TESTBED_DEAD_PORT);
// The /24 ("127.0.N") where servers on real ports (53, 443, 25) listen; zone files say @NET@.
inline const std::string net = TESTBED_NET;
// The live TLS chain (tests/integration/chain/README.md): its test root, for --ca-file.
inline const std::string chain_ca_file = TESTBED_DIR "/chain/ca.pem";

// The peak memory a bulk run may take, whatever the length of its list (the man page says about
// 12 MiB for 100,000 domains), in the environment of bulk_memory_env(). AddressSanitizer's
// shadow memory and allocator come on top.
#if defined(__SANITIZE_ADDRESS__)
inline constexpr long bulk_memory_limit_kib = 128 * 1024;
#else
inline constexpr long bulk_memory_limit_kib = 48 * 1024;
#endif

// The environment to measure a bulk run's memory in. Under AddressSanitizer the quarantine of
// freed memory is cut from 256 MiB to 8: full, it would hide whether the program's own memory
// stays bounded.
inline std::vector<std::string> bulk_memory_env() {
#if defined(__SANITIZE_ADDRESS__)
    const char* options = std::getenv("ASAN_OPTIONS");
    return {"ASAN_OPTIONS=" + (options != nullptr ? std::string(options) + ":" : std::string()) +
            "quarantine_size_mb=8"};
#else
    return {};
#endif
}

struct Checked {
    int exit_code = -1;
    Json row;  // the JSON object printed for the domain
    std::string err;
};

// `tlsrpt-check --format json --server SERVER [extra...] DOMAIN`, its single result parsed.
inline Checked check_domain(const std::string& server, const std::string& domain,
                            const std::vector<std::string>& extra = {}) {
    std::vector<std::string> argv = {TLSRPT_BINARY, "--format", "json", "--server", server};
    argv.insert(argv.end(), extra.begin(), extra.end());
    argv.push_back(domain);
    const ProcessResult run = run_process(argv);
    INFO("stdout: " << run.out << "\nstderr: " << run.err);
    Checked checked{run.exit_code, Json{}, run.err};
    REQUIRE_NOTHROW(checked.row = Json::parse(run.out));
    return checked;
}

// The diagnostic codes of a row, in order.
inline std::vector<std::string> codes(const Json& row) {
    std::vector<std::string> found;
    for (const Json& diagnostic : row["diagnostics"].array()) {
        found.push_back(diagnostic["code"].string());
    }
    return found;
}

// A failed lookup as every one must look: no records, the code in diagnostics and dns.error.
inline void require_lookup_error(const Checked& checked, const std::string& code) {
    INFO("stderr: " << checked.err);
    CHECK(checked.exit_code == 4);
    CHECK(checked.row["status"].string() == "error");
    CHECK(codes(checked.row) == std::vector<std::string>{code});
    CHECK(checked.row["dns"]["error"].string() == code);
    CHECK(checked.row["records"].size() == 0);
    CHECK(checked.row["policy"].is_null());
}

// The diagnostic codes of a row, sorted: for rows whose findings come in no fixed order.
inline std::vector<std::string> sorted_codes(const Json& row) {
    std::vector<std::string> found = codes(row);
    std::sort(found.begin(), found.end());
    return found;
}

// A JSON array of strings.
inline std::vector<std::string> strings(const Json& array) {
    std::vector<std::string> found;
    for (const Json& item : array.array()) found.push_back(item.string());
    return found;
}

inline bool has_code(const Json& row, const std::string& code) {
    const auto found = codes(row);
    return std::find(found.begin(), found.end(), code) != found.end();
}

inline std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

inline bool has_line(const std::string& text, const std::string& line) {
    const auto lines = lines_of(text);
    return std::find(lines.begin(), lines.end(), line) != lines.end();
}

// jsonl rows by input line number; fails on a line that is not a whole JSON object and on a
// line number seen twice.
inline std::map<std::size_t, Json> rows_by_line(const std::string& out) {
    std::map<std::size_t, Json> rows;
    for (const std::string& line : lines_of(out)) {
        Json row;
        INFO(line);
        REQUIRE_NOTHROW(row = Json::parse(line));
        const auto number = static_cast<std::size_t>(row["line"].number());
        CHECK(rows.emplace(number, row).second);
    }
    return rows;
}

}  // namespace tlsrpt::testing
