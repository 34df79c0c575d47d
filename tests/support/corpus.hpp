// Reader of the corpora in testdata/ (format: testdata/README.md): the record corpus in
// testdata/records/, shared by the unit tests and the benchmark, the MTA-STS corpus in
// testdata/mta-sts/ and the MTA-STS policy corpus in testdata/sts-policies/.
#pragma once

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "tlsrpt/expected.hpp"
#include "tlsrpt/presentation.hpp"
#include "tlsrpt/txt.hpp"

namespace tlsrpt::corpus {

struct Case {
    std::string location;  // file:line of the case's first line
    std::string name;
    TxtRRset rrset;
    std::string status;
    std::vector<std::string> codes;  // sorted: compared as a multiset
    std::optional<std::string> suggestion;
    std::optional<std::string> id;  // the MTA-STS policy id
};

// What a corpus expects of each case besides its status and codes: a suggested record
// (`suggest`, the record corpus) or a policy id (`id`, the MTA-STS corpus).
enum class Outcome { suggestion, id };

inline std::vector<std::string> split_words(const std::string& text) {
    std::vector<std::string> words;
    std::istringstream stream(text);
    for (std::string word; stream >> word;) words.push_back(word);
    return words;
}

// One case as written: its `case:` line, and its other lines (notes left out) in order.
struct Block {
    struct Line {
        std::string where;  // file:line
        std::string key;
        std::string value;
    };
    std::string location;  // file:line of the `case:` line
    std::string name;
    std::vector<Line> lines;
};

// The cases of every *.txt file under `directory`, files in name order: blocks of `key: value`
// lines separated by blank lines, the first of each `case: NAME`; `#` lines are comments.
inline Expected<std::vector<Block>, std::string> read_blocks(
    const std::filesystem::path& directory) {
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(directory)) {
        if (entry.path().extension() == ".txt") files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    std::vector<Block> blocks;
    for (const auto& file : files) {
        std::ifstream input(file);
        if (!input) return unexpected("cannot open " + file.string());
        bool open = false;
        std::string line;
        for (std::size_t number = 1; std::getline(input, line); ++number) {
            const std::string where = file.filename().string() + ":" + std::to_string(number);
            if (line.empty()) {
                open = false;
                continue;
            }
            if (line[0] == '#') continue;
            const std::size_t colon = line.find(':');
            if (colon == std::string::npos) return unexpected(where + ": expected key: value");
            const std::string key = line.substr(0, colon);
            // Exactly one space follows the colon; the rest is the value, byte for byte.
            const std::string value = colon + 1 < line.size() ? line.substr(colon + 2) : "";
            if (key == "case") {
                if (open) return unexpected(where + ": blank line missing before case");
                blocks.push_back(Block{where, value, {}});
                open = true;
            } else if (!open) {
                return unexpected(where + ": line outside a case");
            } else if (key != "note") {
                blocks.back().lines.push_back({where, key, value});
            }
        }
    }
    return blocks;
}

// Every case of every *.txt file under `directory`, files in name order.
inline Expected<std::vector<Case>, std::string> read_cases(const std::filesystem::path& directory,
                                                           Outcome outcome = Outcome::suggestion) {
    const std::string outcome_key = outcome == Outcome::suggestion ? "suggest" : "id";
    auto blocks = read_blocks(directory);
    if (!blocks) return unexpected(blocks.error());
    std::vector<Case> cases;
    for (const Block& block : *blocks) {
        Case current{block.location, block.name, {}, {}, {}, {}, {}};
        bool has_status = false;
        bool has_codes = false;
        bool has_outcome = false;
        for (const auto& [where, key, value] : block.lines) {
            if (key == "rr") {
                auto record = parse_presentation(value);
                if (!record) {
                    return unexpected(where + ": column " + std::to_string(record.error().column) +
                                      ": " + record.error().message);
                }
                current.rrset.push_back(std::move(*record));
            } else if (key == "status") {
                current.status = value;
                has_status = true;
            } else if (key == "codes") {
                current.codes = split_words(value);
                has_codes = true;
            } else if (key == outcome_key) {
                auto& expected = outcome == Outcome::suggestion ? current.suggestion : current.id;
                if (value != "-") expected = value;
                has_outcome = true;
            } else {
                return unexpected(where + ": unknown key " + key);
            }
        }
        if (!has_status || !has_codes || !has_outcome) {
            return unexpected(block.location + ": case needs status, codes and " + outcome_key);
        }
        std::sort(current.codes.begin(), current.codes.end());
        cases.push_back(std::move(current));
    }
    return cases;
}

// A case of the MTA-STS policy corpus (testdata/sts-policies/).
struct PolicyCase {
    std::string location;
    std::string name;
    std::string body;  // the `body` lines unescaped and joined
    std::string status;
    std::vector<std::string> codes;  // sorted: compared as a multiset
    // The policy senders apply as written in the case, each "-" when they apply none: the
    // mode, max_age in seconds, and the mx patterns separated by spaces.
    std::string mode;
    std::string max_age;
    std::string mx;
};

// The escapes of a `body` line: \r CR, \n LF, \t HTAB, \\ a backslash, \DDD any octet in
// decimal, as in the record corpus.
inline Expected<std::string, std::string> unescape_body(std::string_view text) {
    std::string bytes;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '\\') {
            bytes += text[i];
            continue;
        }
        if (++i == text.size()) return unexpected(std::string("a backslash ends the line"));
        const char escaped = text[i];
        if (escaped == 'r' || escaped == 'n' || escaped == 't' || escaped == '\\') {
            bytes += escaped == 'r' ? '\r' : escaped == 'n' ? '\n' : escaped == 't' ? '\t' : '\\';
            continue;
        }
        const std::string_view digits = text.substr(i, 3);
        const bool decimal =
            digits.size() == 3 &&
            std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; });
        const int octet = decimal ? std::stoi(std::string(digits)) : 256;
        if (octet > 255) return unexpected("bad escape at column " + std::to_string(i));
        bytes += static_cast<char>(octet);
        i += 2;
    }
    return bytes;
}

inline Expected<std::vector<PolicyCase>, std::string> read_policy_cases(
    const std::filesystem::path& directory) {
    auto blocks = read_blocks(directory);
    if (!blocks) return unexpected(blocks.error());
    std::vector<PolicyCase> cases;
    for (const Block& block : *blocks) {
        PolicyCase current{block.location, block.name, {}, {}, {}, {}, {}, {}};
        std::set<std::string> seen;
        for (const auto& [where, key, value] : block.lines) {
            if (key == "body") {
                auto bytes = unescape_body(value);
                if (!bytes) return unexpected(where + ": " + bytes.error());
                current.body += *bytes;
                continue;
            }
            if (!seen.insert(key).second) return unexpected(where + ": " + key + " given twice");
            if (key == "status") {
                current.status = value;
            } else if (key == "codes") {
                current.codes = split_words(value);
            } else if (key == "mode") {
                current.mode = value;
            } else if (key == "max_age") {
                current.max_age = value;
            } else if (key == "mx") {
                current.mx = value;
            } else {
                return unexpected(where + ": unknown key " + key);
            }
        }
        if (seen.size() != 5) {
            return unexpected(block.location + ": case needs status, codes, mode, max_age and mx");
        }
        std::sort(current.codes.begin(), current.codes.end());
        cases.push_back(std::move(current));
    }
    return cases;
}

}  // namespace tlsrpt::corpus
