// Running tlsrpt-check against the testbed that testbed-start brought up (see CMakeLists.txt).
#pragma once

#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "json.hpp"
#include "run_process.hpp"

namespace tlsrpt::testing {

#define TESTBED_STRINGIFY_(x) #x
#define TESTBED_STRINGIFY(x) TESTBED_STRINGIFY_(x)

// Unbound: validating recursive resolver for cases.test, hosted.test, signed.test, bogus.test
// and down.test (whose server is dead).
inline const std::string unbound = "127.0.0.1:" TESTBED_STRINGIFY(TESTBED_UNBOUND_PORT);
// NSD, asked directly: authoritative only, refuses other zones.
inline const std::string nsd = "127.0.0.1:" TESTBED_STRINGIFY(TESTBED_NSD_PORT);
// fault_responder: misbehaves as the first label after _smtp._tls. says.
inline const std::string faults = "127.0.0.1:" TESTBED_STRINGIFY(TESTBED_FAULT_PORT);
// Nothing listens there.
inline const std::string dead = "127.0.0.1:" TESTBED_STRINGIFY(TESTBED_DEAD_PORT);

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

inline bool has_code(const Json& row, const std::string& code) {
    const auto found = codes(row);
    return std::find(found.begin(), found.end(), code) != found.end();
}

}  // namespace tlsrpt::testing
