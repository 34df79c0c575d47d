// The servers of the live TLS chain (tests/integration/chain/README.md) behave as its tables
// say, seen through the clients a sender's view is judged by: openssl s_client for TLS, curl
// for HTTPS, drill for the zone data, a plain socket for SMTP before TLS, and tlsrpt-check itself
// for the DNSSEC-authenticated TLSA records. The end-to-end tests of the probes rely on these.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "testbed.hpp"

using namespace tlsrpt::testing;

namespace {

const std::string good_policy =
    "version: STSv1\r\nmode: enforce\r\nmx: mx-good.chain.test\r\nmax_age: 86400\r\n";
const std::string policy_address_octet = "43";
// Enough for any answer on a loaded machine; the servers answer at once.
constexpr int reply_limit_ms = 30'000;

std::string address(const std::string& octet) {
    return net + "." + octet;
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

struct Fetched {
    int exit_code = -1;
    int status = 0;
    std::map<std::string, std::string> headers;  // names in lower case
    std::string body;
    std::string err;
};

// GET https://mta-sts.DOMAIN/.well-known/mta-sts.txt from the policy server (DNS aside), the
// test root trusted, no redirect followed.
Fetched fetch_policy(const std::string& domain, const std::vector<std::string>& extra = {}) {
    const std::string host = "mta-sts." + domain;
    std::vector<std::string> argv = {
        "/usr/bin/curl", "--silent",
        "--show-error",  "--include",
        "--noproxy",     "*",
        "--cacert",      chain_ca_file,
        "--connect-to",  host + ":443:" + address(policy_address_octet) + ":443"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    argv.push_back("https://" + host + "/.well-known/mta-sts.txt");
    const ProcessResult run = run_process(argv);
    Fetched fetched{run.exit_code, 0, {}, {}, run.err};
    const auto head_end = run.out.find("\r\n\r\n");
    if (head_end == std::string::npos) return fetched;
    fetched.body = run.out.substr(head_end + 4);
    std::istringstream head(run.out.substr(0, head_end));
    std::string line;
    std::getline(head, line);  // HTTP/1.1 200 OK
    fetched.status = std::stoi(line.substr(line.find(' ') + 1, 3));
    while (std::getline(head, line)) {
        const auto colon = line.find(':');
        if (colon == std::string::npos) continue;
        std::string name = line.substr(0, colon);
        std::transform(name.begin(), name.end(), name.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        const auto value_start = line.find_first_not_of(' ', colon + 1);
        const auto value_end = line.find_last_not_of('\r');
        fetched.headers[name] = value_start > value_end
                                    ? std::string()
                                    : line.substr(value_start, value_end - value_start + 1);
    }
    return fetched;
}

// A handshake with SNI and the host name check for NAME, trusting the test root only; on port
// 25 after STARTTLS. `extra` adds options (DANE).
ProcessResult s_client(const std::string& octet, int port, const std::string& name,
                       const std::vector<std::string>& extra = {}) {
    std::vector<std::string> argv = {"/usr/bin/openssl",
                                     "s_client",
                                     "-connect",
                                     address(octet) + ":" + std::to_string(port),
                                     "-servername",
                                     name,
                                     "-verify_hostname",
                                     name,
                                     "-CAfile",
                                     chain_ca_file,
                                     "-verify_return_error"};
    if (port == 25) argv.insert(argv.end(), {"-starttls", "smtp"});
    argv.insert(argv.end(), extra.begin(), extra.end());
    return run_process(argv);
}

// The RDATA, in presentation form, of the records of NAME and TYPE that Unbound answers with.
std::vector<std::string> lookup(const std::string& name, const std::string& type) {
    const ProcessResult run =
        run_process({"/usr/bin/drill", "-p", TESTBED_STRINGIFY(TESTBED_UNBOUND_PORT), "@127.0.0.1",
                     name, type});
    INFO(run.out << run.err);
    REQUIRE(run.exit_code == 0);
    std::vector<std::string> records;
    for (const std::string& line : lines_of(run.out)) {
        if (line.empty() || line[0] == ';') continue;
        std::istringstream fields(line);
        std::string owner, ttl, klass, record_type, rdata, word;
        fields >> owner >> ttl >> klass >> record_type;
        if (record_type != type) continue;
        while (fields >> word) rdata += (rdata.empty() ? "" : " ") + word;
        records.push_back(rdata);
    }
    std::sort(records.begin(), records.end());
    return records;
}

// A TCP connection to port 25 of NET.OCTET, read line by line.
class SmtpConnection {
  public:
    explicit SmtpConnection(const std::string& octet) {
        fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        REQUIRE(fd_ >= 0);
        sockaddr_in peer{};
        peer.sin_family = AF_INET;
        peer.sin_port = htons(25);
        REQUIRE(inet_pton(AF_INET, address(octet).c_str(), &peer.sin_addr) == 1);
        REQUIRE(::connect(fd_, reinterpret_cast<const sockaddr*>(&peer), sizeof peer) == 0);
    }
    ~SmtpConnection() { ::close(fd_); }
    SmtpConnection(const SmtpConnection&) = delete;
    SmtpConnection& operator=(const SmtpConnection&) = delete;

    void send(const std::string& data) {
        REQUIRE(::send(fd_, data.data(), data.size(), MSG_NOSIGNAL) ==
                static_cast<ssize_t>(data.size()));
    }
    // The lines of the next reply, up to the one whose code a space follows (RFC 5321
    // section 4.2.1), without their CRLF; fewer when the connection ends or stays silent.
    std::vector<std::string> reply() {
        std::vector<std::string> lines;
        while (const auto line = next_line()) {
            lines.push_back(*line);
            if (line->size() < 4 || (*line)[3] != '-') break;
        }
        return lines;
    }
    // Whether the server ends the connection with nothing more sent.
    bool closed_by_server() { return buffered_.empty() && !receive() && at_end_; }
    // Whether nothing at all comes for `period`, and the connection stays open.
    bool silent_for(std::chrono::milliseconds period) {
        pollfd readable{fd_, POLLIN, 0};
        return ::poll(&readable, 1, static_cast<int>(period.count())) == 0;
    }

  private:
    // Appends what arrives within reply_limit_ms; false at the end of the stream or after
    // that time.
    bool receive() {
        pollfd readable{fd_, POLLIN, 0};
        if (::poll(&readable, 1, reply_limit_ms) != 1) return false;
        char chunk[4096];
        const ssize_t got = ::recv(fd_, chunk, sizeof chunk, 0);
        if (got <= 0) {
            at_end_ = true;
            return false;
        }
        buffered_.append(chunk, static_cast<std::size_t>(got));
        REQUIRE(buffered_.size() < 65536);  // no reply of these servers is near that
        return true;
    }
    std::optional<std::string> next_line() {
        for (;;) {
            const auto end = buffered_.find("\r\n");
            if (end != std::string::npos) {
                std::string line = buffered_.substr(0, end);
                buffered_.erase(0, end + 2);
                return line;
            }
            if (!receive()) return std::nullopt;
        }
    }

    int fd_ = -1;
    std::string buffered_;
    bool at_end_ = false;
};

}  // namespace

TEST_CASE("chain servers: the zones name every server at its address") {
    const std::map<std::string, std::string> hosts = {{"mx-good", "25"},
                                                      {"mx-danebad", "25"},
                                                      {"mx-daneta", "25"},
                                                      {"mx-usage01", "25"},
                                                      {"mx-expired", "26"},
                                                      {"mx-wrongname", "27"},
                                                      {"mx-untrusted", "28"},
                                                      {"mx-nostarttls", "30"},
                                                      {"mx-abort", "31"},
                                                      {"mx-silent", "32"},
                                                      {"mx-close", "33"},
                                                      {"mx-busy", "34"},
                                                      {"mx-454", "35"},
                                                      {"mta-sts.good", "43"},
                                                      {"mta-sts.testing", "43"},
                                                      {"mta-sts.mxmiss", "43"},
                                                      {"mta-sts.wildcard", "43"},
                                                      {"mta-sts.noid", "43"},
                                                      {"mta-sts.notfound", "43"},
                                                      {"mta-sts.wrongname", "43"},
                                                      {"mta-sts.expired", "43"},
                                                      {"mta-sts.untrusted", "43"},
                                                      {"mta-sts.redirect", "43"},
                                                      {"mta-sts.mediatype", "43"},
                                                      {"mta-sts.oversized", "43"},
                                                      {"mta-sts.slow", "43"},
                                                      {"mta-sts.invalid", "43"},
                                                      {"mta-sts.unreachable", "44"}};
    for (const auto& [host, octet] : hosts) {
        INFO(host);
        CHECK(lookup(host + ".chain.test", "A") == std::vector<std::string>{address(octet)});
    }
}

TEST_CASE("chain servers: the policy domains' MX, _mta-sts and TLS-RPT records") {
    const std::string tlsrpt = "\"v=TLSRPTv1; rua=mailto:tlsrpt@chain.test\"";
    for (const std::string domain :
         {"good", "testing", "mxmiss", "wildcard", "noid", "notfound", "wrongname", "expired",
          "untrusted", "redirect", "mediatype", "oversized", "slow", "invalid", "unreachable"}) {
        INFO(domain);
        const std::string name = domain + ".chain.test";
        CHECK(lookup(name, "MX") == std::vector<std::string>{"10 mx-good.chain.test."});
        CHECK(lookup("_mta-sts." + name, "TXT") ==
              (domain == "noid" ? std::vector<std::string>{}
                                : std::vector<std::string>{"\"v=STSv1; id=" + domain + "1\""}));
        CHECK(
            lookup("_smtp._tls." + name, "TXT") ==
            (domain == "testing" ? std::vector<std::string>{} : std::vector<std::string>{tlsrpt}));
    }
}

TEST_CASE("chain servers: a domain per SMTP server, dual.chain.test and the bulk zone") {
    const std::string tlsrpt = "\"v=TLSRPTv1; rua=mailto:tlsrpt@chain.test\"";
    for (const std::string server :
         {"good", "danebad", "daneta", "usage01", "expired", "wrongname", "untrusted", "nostarttls",
          "abort", "silent", "close", "busy", "454"}) {
        INFO(server);
        CHECK(lookup("smtp-" + server + ".chain.test", "MX") ==
              std::vector<std::string>{"10 mx-" + server + ".chain.test."});
        CHECK(lookup("_smtp._tls.smtp-" + server + ".chain.test", "TXT") ==
              std::vector<std::string>{tlsrpt});
    }
    CHECK(lookup("dual.chain.test", "MX") ==
          std::vector<std::string>{"10 mx-good.chain.test.", "20 mx-expired.chain.test."});

    const std::map<std::string, std::string> bulk = {{"d1", "mx-good"},
                                                     {"d2", "mx-expired"},
                                                     {"d3", "mx-nostarttls"},
                                                     {"d2999", "mx-expired"},
                                                     {"d3000", "mx-nostarttls"}};
    for (const auto& [label, host] : bulk) {
        INFO(label);
        CHECK(lookup(label + ".chain-bulk.test", "MX") ==
              std::vector<std::string>{"10 " + host + ".chain.test."});
        CHECK(lookup("_smtp._tls." + label + ".chain-bulk.test", "TXT") ==
              std::vector<std::string>{tlsrpt});
    }
    CHECK(lookup("d3001.chain-bulk.test", "MX").empty());
}

TEST_CASE("chain servers: the good policy host serves its policy over verified TLS") {
    const Fetched fetched = fetch_policy("good.chain.test");
    INFO(fetched.err);
    REQUIRE(fetched.exit_code == 0);
    CHECK(fetched.status == 200);
    CHECK(fetched.headers.at("content-type") == "text/plain");
    CHECK(fetched.headers.at("content-length") == "71");
    CHECK(fetched.body == good_policy);
}

TEST_CASE("chain servers: each policy host answers as its table row says") {
    struct Row {
        std::string domain;
        int status;
        std::string content_type;
        std::string body;  // for 200 only
    };
    const std::vector<Row> rows = {
        {"noid", 200, "text/plain", good_policy},
        {"testing", 200, "text/plain",
         "version: STSv1\r\nmode: testing\r\nmx: mx-good.chain.test\r\nmax_age: 86400\r\n"},
        {"mxmiss", 200, "text/plain",
         "version: STSv1\r\nmode: enforce\r\nmx: *.other.test\r\nmax_age: 86400\r\n"},
        {"wildcard", 200, "text/plain",
         "version: STSv1\r\nmode: enforce\r\nmx: *.chain.test\r\nmax_age: 86400\r\n"},
        {"invalid", 200, "text/plain",
         "version: STSv2\r\nmode: sometimes\r\nmx: mx-good.chain.test\r\nmax_age: 86400\r\n"},
        {"mediatype", 200, "text/html", good_policy},
        {"notfound", 404, "text/html", ""},
        {"redirect", 301, "text/html", ""},
    };
    for (const Row& row : rows) {
        INFO(row.domain);
        const Fetched fetched = fetch_policy(row.domain + ".chain.test");
        INFO(fetched.err);
        REQUIRE(fetched.exit_code == 0);
        CHECK(fetched.status == row.status);
        CHECK(fetched.headers.at("content-type") == row.content_type);
        if (row.status == 200) CHECK(fetched.body == row.body);
    }
    CHECK(fetch_policy("redirect.chain.test").headers.at("location") ==
          "https://mta-sts.good.chain.test/.well-known/mta-sts.txt");
}

TEST_CASE("chain servers: the oversized policy comes in chunks, 100 KiB without a length") {
    const Fetched fetched = fetch_policy("oversized.chain.test");
    INFO(fetched.err);
    REQUIRE(fetched.exit_code == 0);
    CHECK(fetched.status == 200);
    CHECK(fetched.headers.at("content-type") == "text/plain");
    CHECK(fetched.headers.at("transfer-encoding") == "chunked");
    CHECK(fetched.headers.count("content-length") == 0);
    CHECK(fetched.body.size() == 102400);
    CHECK(fetched.body.rfind(good_policy + "padding: xxx", 0) == 0);
    CHECK(fetched.body.compare(fetched.body.size() - 3, 3, "x\r\n") == 0);
}

TEST_CASE("chain servers: the slow policy host sends nothing, not even a status, for seconds") {
    const Fetched fetched = fetch_policy("slow.chain.test", {"--max-time", "5"});
    CHECK(fetched.exit_code == 28);  // curl: operation timed out
    CHECK(fetched.status == 0);
    CHECK(contains(fetched.err, "with 0 bytes received"));
}

TEST_CASE("chain servers: nothing listens where the unreachable policy host resolves") {
    const ProcessResult run = run_process(
        {"/usr/bin/curl", "--silent", "--show-error", "--noproxy", "*", "--cacert", chain_ca_file,
         "--connect-to", "mta-sts.unreachable.chain.test:443:" + address("44") + ":443",
         "https://mta-sts.unreachable.chain.test/.well-known/mta-sts.txt"});
    CHECK(run.exit_code == 7);  // curl: failed to connect
    CHECK(contains(run.err, "Failed to connect to " + address("44") + " port 443"));
}

TEST_CASE("chain servers: a name the policy server does not serve gets no certificate") {
    const ProcessResult run = s_client(policy_address_octet, 443, "mta-sts.other.chain.test");
    CHECK(run.exit_code == 1);
    CHECK(contains(run.err, "tlsv1 unrecognized name"));
}

TEST_CASE("chain servers: certificates verify, or fail with the expected error") {
    struct Row {
        std::string name;
        std::string octet;
        int port;
        std::string verify_result;  // s_client's "Verify return code: ..."
    };
    const std::string ok = "0 (ok)";
    const std::string expired = "10 (certificate has expired)";
    const std::string mismatch = "62 (hostname mismatch)";
    const std::string untrusted = "19 (self-signed certificate in certificate chain)";
    const std::vector<Row> rows = {
        {"mta-sts.good.chain.test", "43", 443, ok},
        {"mta-sts.oversized.chain.test", "43", 443, ok},
        {"mta-sts.expired.chain.test", "43", 443, expired},
        {"mta-sts.wrongname.chain.test", "43", 443, mismatch},
        {"mta-sts.untrusted.chain.test", "43", 443, untrusted},
        {"mx-good.chain.test", "25", 25, ok},
        {"mx-danebad.chain.test", "25", 25, ok},
        {"mx-daneta.chain.test", "25", 25, ok},
        {"mx-usage01.chain.test", "25", 25, ok},
        {"mx-expired.chain.test", "26", 25, expired},
        {"mx-wrongname.chain.test", "27", 25, mismatch},
        {"mx-untrusted.chain.test", "28", 25, untrusted},
    };
    for (const Row& row : rows) {
        INFO(row.name);
        const ProcessResult run = s_client(row.octet, row.port, row.name);
        INFO(run.out << run.err);
        CHECK(run.exit_code == (row.verify_result == ok ? 0 : 1));
        CHECK(contains(run.out, "Verify return code: " + row.verify_result + "\n"));
        if (row.verify_result == ok) CHECK(contains(run.out, "Verified peername: " + row.name));
    }
}

TEST_CASE("chain servers: the SMTP servers send their root with their certificate") {
    const ProcessResult run = s_client("25", 25, "mx-good.chain.test", {"-showcerts"});
    INFO(run.out << run.err);
    CHECK(contains(run.out, " 0 s:CN = mx-good.chain.test\n   i:CN = tlsrpt-check test root\n"));
    CHECK(
        contains(run.out, " 1 s:CN = tlsrpt-check test root\n   i:CN = tlsrpt-check test root\n"));
}

TEST_CASE("chain servers: the TLSA records match the server as each host's row says") {
    const std::vector<std::string> good = lookup("_25._tcp.mx-good.chain.test", "TLSA");
    const std::vector<std::string> danebad = lookup("_25._tcp.mx-danebad.chain.test", "TLSA");
    const std::vector<std::string> daneta = lookup("_25._tcp.mx-daneta.chain.test", "TLSA");
    const std::vector<std::string> usage01 = lookup("_25._tcp.mx-usage01.chain.test", "TLSA");
    REQUIRE(good.size() == 1);
    REQUIRE(danebad.size() == 1);
    REQUIRE(daneta.size() == 1);
    REQUIRE(usage01.size() == 2);
    CHECK(good[0].rfind("3 1 1 ", 0) == 0);
    CHECK(danebad[0].rfind("3 1 1 ", 0) == 0);
    CHECK(danebad[0] != good[0]);
    CHECK(daneta[0].rfind("2 0 1 ", 0) == 0);
    // Usages 0 and 1 with the digests that match: only their usage makes them unusable.
    CHECK(usage01 ==
          std::vector<std::string>{"0 0 1 " + daneta[0].substr(6), "1 1 1 " + good[0].substr(6)});

    const auto dane = [](const std::string& host, const std::string& record) {
        return s_client("25", 25, host, {"-dane_tlsa_domain", host, "-dane_tlsa_rrdata", record});
    };
    const ProcessResult matched_ee = dane("mx-good.chain.test", good[0]);
    INFO(matched_ee.out << matched_ee.err);
    CHECK(matched_ee.exit_code == 0);
    CHECK(contains(matched_ee.out, "matched EE certificate at depth 0"));
    const ProcessResult matched_ta = dane("mx-daneta.chain.test", daneta[0]);
    INFO(matched_ta.out << matched_ta.err);
    CHECK(matched_ta.exit_code == 0);
    CHECK(contains(matched_ta.out, "matched TA certificate at depth 1"));
    const ProcessResult no_match = dane("mx-danebad.chain.test", danebad[0]);
    INFO(no_match.out << no_match.err);
    CHECK(no_match.exit_code == 1);
    CHECK(contains(no_match.out, "Verify return code: 65 (no matching DANE TLSA records)\n"));
}

TEST_CASE("chain servers: tlsrpt-check finds the TLSA records authenticated") {
    const std::map<std::string, std::vector<double>> usages = {
        {"good", {3}}, {"danebad", {3}}, {"daneta", {2}}, {"usage01", {0, 1}}};
    for (const auto& [server, expected] : usages) {
        INFO(server);
        const Checked checked = check_domain(unbound, "smtp-" + server + ".chain.test", {"--deep"});
        const Json& dane = checked.row["dane"];
        REQUIRE(dane.size() == 1);
        CHECK(dane[0]["host"].string() == "mx-" + server + ".chain.test");
        CHECK(dane[0]["tlsa"].string() == "found");
        CHECK(dane[0]["authenticated"].boolean());
        std::vector<double> found;
        for (const Json& usage : dane[0]["usages"].array()) found.push_back(usage.number());
        std::sort(found.begin(), found.end());
        CHECK(found == expected);
        CHECK(dane[0]["tlsrpt"].string() == "found");
    }
    const Checked no_tlsa = check_domain(unbound, "smtp-expired.chain.test", {"--deep"});
    REQUIRE(no_tlsa.row["dane"].size() == 1);
    CHECK(no_tlsa.row["dane"][0]["tlsa"].string() == "none");
    CHECK(no_tlsa.row["dane"][0]["authenticated"].boolean());
}

TEST_CASE("chain servers: the real SMTP servers offer STARTTLS and require it") {
    const std::map<std::string, std::string> servers = {{"25", "mx-good.chain.test"},
                                                        {"26", "mx-expired.chain.test"},
                                                        {"27", "mx-wrongname.chain.test"},
                                                        {"28", "mx-untrusted.chain.test"}};
    for (const auto& [octet, name] : servers) {
        INFO(name);
        SmtpConnection smtp(octet);
        CHECK(smtp.reply() == std::vector<std::string>{"220 " + name + " Python SMTP 1.4.3"});
        smtp.send("EHLO probe.test\r\n");
        CHECK(smtp.reply() == std::vector<std::string>{"250-" + name, "250-SIZE 33554432",
                                                       "250-8BITMIME", "250-SMTPUTF8",
                                                       "250-STARTTLS", "250 HELP"});
        smtp.send("MAIL FROM:<probe@probe.test>\r\n");
        CHECK(smtp.reply() == std::vector<std::string>{"530 Must issue a STARTTLS command first"});
        smtp.send("QUIT\r\n");
        CHECK(smtp.reply() == std::vector<std::string>{"221 Bye"});
    }
}

TEST_CASE("chain servers: mx-nostarttls offers no STARTTLS and refuses it") {
    SmtpConnection smtp("30");
    CHECK(smtp.reply() == std::vector<std::string>{"220 mx-nostarttls.chain.test ESMTP"});
    smtp.send("EHLO probe.test\r\n");
    CHECK(smtp.reply() == std::vector<std::string>{"250-mx-nostarttls.chain.test", "250 8BITMIME"});
    smtp.send("STARTTLS\r\n");
    CHECK(smtp.reply() == std::vector<std::string>{"502 5.5.1 Command not implemented"});
    smtp.send("QUIT\r\n");
    CHECK(smtp.reply() == std::vector<std::string>{"221 2.0.0 Bye"});
    CHECK(smtp.closed_by_server());
}

TEST_CASE("chain servers: mx-abort agrees to STARTTLS, then answers the handshake with text") {
    SmtpConnection smtp("31");
    CHECK(smtp.reply() == std::vector<std::string>{"220 mx-abort.chain.test ESMTP"});
    smtp.send("EHLO probe.test\r\n");
    CHECK(smtp.reply() ==
          std::vector<std::string>{"250-mx-abort.chain.test", "250-STARTTLS", "250 8BITMIME"});
    smtp.send("STARTTLS\r\n");
    CHECK(smtp.reply() == std::vector<std::string>{"220 2.0.0 Ready to start TLS"});
    smtp.send(std::string("\x16\x03\x01\x00\x04hello", 9));  // the start of a TLS record
    CHECK(smtp.reply() == std::vector<std::string>{"this is not TLS"});
    CHECK(smtp.closed_by_server());

    const ProcessResult handshake = s_client("31", 25, "mx-abort.chain.test");
    CHECK(handshake.exit_code == 1);
    CHECK(contains(handshake.err, "wrong version number"));
}

TEST_CASE("chain servers: mx-silent accepts the connection and says nothing") {
    SmtpConnection smtp("32");
    CHECK(smtp.silent_for(std::chrono::seconds(3)));
}

TEST_CASE("chain servers: mx-close greets, then hangs up") {
    SmtpConnection smtp("33");
    CHECK(smtp.reply() == std::vector<std::string>{"220 mx-close.chain.test ESMTP"});
    CHECK(smtp.closed_by_server());
}

TEST_CASE("chain servers: mx-busy greets with 421, then hangs up") {
    SmtpConnection smtp("34");
    CHECK(smtp.reply() ==
          std::vector<std::string>{"421 4.3.2 mx-busy.chain.test busy, try again later"});
    CHECK(smtp.closed_by_server());
}

TEST_CASE("chain servers: mx-454 offers STARTTLS, then answers it with 454") {
    SmtpConnection smtp("35");
    CHECK(smtp.reply() == std::vector<std::string>{"220 mx-454.chain.test ESMTP"});
    smtp.send("EHLO probe.test\r\n");
    CHECK(smtp.reply() ==
          std::vector<std::string>{"250-mx-454.chain.test", "250-STARTTLS", "250 8BITMIME"});
    smtp.send("STARTTLS\r\n");
    CHECK(smtp.reply() ==
          std::vector<std::string>{"454 4.7.0 TLS not available due to temporary reason"});
}
