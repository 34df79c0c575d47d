// MTA-STS policy file evaluation (RFC 8461 §3.2): the body's lines, each line's key and value,
// then what the policy lacks and the verdict; and the §4.1 matching of MX hosts.
#include "tlsrpt/sts_policy.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "ascii.hpp"
#include "record_parser.hpp"

namespace tlsrpt {

using namespace policy;

namespace {

constexpr std::string_view kVersion = "STSv1";
constexpr std::uint64_t kMaxMaxAge = 31557600;  // a year, the most RFC 8461 §3.2 allows
constexpr std::size_t kMaxAgeDigits = 10;
// RFC 8461 §3.2 expects weeks or more; under a day, a blocked refresh soon strips the policy.
constexpr std::uint32_t kShortMaxAge = 86400;
// A body is up to 64 KiB of anything: findings about lines stop being listed after these.
constexpr std::size_t kListedLineFindings = 20;
constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";

// The keys RFC 8461 defines besides mx, which is the only one that repeats.
enum class Key : std::uint8_t { version, mode, max_age };
constexpr std::array<std::string_view, 3> kSingleKeys = {"version", "mode", "max_age"};
constexpr std::array<std::string_view, 4> kKnownKeys = {"version", "mode", "max_age", "mx"};

std::optional<Key> single_key(std::string_view key) {
    for (std::size_t i = 0; i < kSingleKeys.size(); ++i) {
        if (key == kSingleKeys[i]) return static_cast<Key>(i);
    }
    return std::nullopt;
}

std::vector<std::string> split_lines(std::string_view body) {
    std::vector<std::string> lines;
    while (!body.empty()) {
        const std::size_t line_feed = body.find('\n');
        std::string_view line = body.substr(0, line_feed);
        if (line_feed != std::string_view::npos && line.ends_with('\r')) line.remove_suffix(1);
        lines.emplace_back(line);
        if (line_feed == std::string_view::npos) break;
        body.remove_prefix(line_feed + 1);
    }
    return lines;
}

bool is_blank(std::string_view text) {
    return std::all_of(text.begin(), text.end(),
                       [](char c) { return is_wsp(c) || c == '\r' || c == '\n'; });
}

// The first byte of `line` that is not text: a control character other than HTAB, or a byte
// that does not begin a well-formed UTF-8 sequence.
std::optional<std::size_t> find_non_text(std::string_view line) {
    for (std::size_t i = 0; i < line.size();) {
        if (is_control(line[i])) return i;
        const std::size_t length = utf8_sequence_length(line.substr(i));
        if (length == 0) return i;
        i += length;
    }
    return std::nullopt;
}

// Why `pattern` is not an mx pattern (["*."] Domain, RFC 8461 §3.2, in A-labels), or "" when
// it is one.
std::string_view mx_pattern_problem(std::string_view pattern) {
    if (pattern.empty()) {
        return "The mx value is empty; write an MX host name, or *. and a domain.";
    }
    if (pattern.find_first_of(" \t,;") != std::string_view::npos) {
        return "An mx line holds one pattern; give each MX host an mx line of its own.";
    }
    if (std::any_of(pattern.begin(), pattern.end(), is_non_ascii)) {
        return "The pattern has characters outside ASCII: internationalised names must be "
               "written as A-labels (xn--...).";
    }
    if (pattern == "*.") return "The wildcard has no domain after it; write *.example.com.";
    if (pattern.back() == '.') return "The pattern ends with a dot; write the name without it.";
    std::string_view name = pattern;
    if (name.starts_with("*.")) name.remove_prefix(2);
    if (name.find('*') != std::string_view::npos) {
        return "A * may only stand for the whole left-most label, as in *.example.com.";
    }
    if (!is_host_name(name)) {
        return "The pattern is not a host name: labels of 1 to 63 letters, digits and hyphens "
               "(not first or last), separated by dots.";
    }
    return "";
}

// The defined key that `key` looks like a mistake for, if any: the same in another case, or
// one typing mistake away (two for the longer keys).
std::optional<std::string_view> look_alike_key(std::string_view key) {
    for (std::string_view known : kKnownKeys) {
        const std::size_t allowed = known.size() < 4 ? 1 : 2;
        if (iequals(key, known) || typo_distance(key, known) <= allowed) return known;
    }
    return std::nullopt;
}

// What senders do with a line the grammar does not have: RFC 8461 does not say, and they differ.
constexpr std::string_view kStrictly =
    "senders that parse strictly reject the policy, others skip the line.";

class PolicyParser {
  public:
    explicit PolicyParser(StsPolicyEvaluation& evaluation) : evaluation_(evaluation) {}

    void run(std::string_view body) {
        evaluation_.policy_strings = split_lines(body);
        if (is_blank(body)) {
            add(std::nullopt, "sts-policy-empty", Severity::error,
                "The policy file is empty: senders have no policy to apply.");
        } else {
            for (std::size_t i = 0; i < evaluation_.policy_strings.size(); ++i) parse_line(i);
            report_missing();
        }
        if (not_listed_ > 0) {
            add(std::nullopt, "sts-policy-problems-not-listed", Severity::info,
                fmt::format("{} more findings about lines are not listed; at most {} are.",
                            not_listed_, kListedLineFindings));
        }
        evaluation_.status = errors_ > 0     ? Status::invalid
                             : warnings_ > 0 ? Status::warning
                                             : Status::valid;
        if (evaluation_.status == Status::invalid) return;
        evaluation_.policy =
            StsPolicy{*mode_, std::move(mx_), max_age_->seconds, std::move(extensions_)};
    }

  private:
    // A line is `key ":" *WSP value *WSP`, the key 1 to 32 letters, digits, "_", "-" or "."
    // that starts with a letter or digit.
    void parse_line(std::size_t index) {
        const std::string_view line = evaluation_.policy_strings[index];
        if (const auto bad = find_non_text(line)) {
            add(index, "sts-policy-not-text", Severity::error,
                fmt::format("The line holds a byte that is not text (a control character or "
                            "malformed UTF-8); a policy is plain text: {}",
                            kStrictly),
                *bad, 1);
            return;
        }
        if (trim_wsp(line).empty()) {
            add_line_invalid(index,
                             fmt::format("The line is blank, which the grammar does not "
                                         "allow (only one line break may end the file): {}",
                                         kStrictly),
                             0, line.size());
            return;
        }
        if (index == 0 && line.starts_with(kByteOrderMark)) {
            add_line_invalid(index,
                             "The file begins with a byte order mark (U+FEFF), which becomes "
                             "part of the first key: save the file without it.",
                             0, kByteOrderMark.size());
            return;
        }
        if (is_wsp(line.front())) {
            const std::size_t indent = line.find_first_not_of(" \t");
            add_line_invalid(index,
                             "The line begins with whitespace; the key must start the line, or "
                             "senders that parse strictly reject the policy and others do not "
                             "recognise the key.",
                             0, indent);
            return;
        }
        if (line.front() == '#') {
            add_line_invalid(index,
                             fmt::format("The line is a comment, which policy files do not "
                                         "have: {}",
                                         kStrictly),
                             0, line.size());
            return;
        }
        const std::size_t colon = line.find(':');
        if (colon == std::string_view::npos) {
            add_line_invalid(index,
                             fmt::format("The line is not of the form key: value; {}", kStrictly),
                             0, line.size());
            return;
        }
        std::size_t key_end = colon;
        while (key_end > 0 && is_wsp(line[key_end - 1])) --key_end;
        if (key_end < colon) {
            add_line_invalid(index,
                             "Whitespace stands between the key and its colon, which the grammar "
                             "does not allow: senders that parse strictly reject the policy, "
                             "others do not recognise the key.",
                             key_end, colon - key_end);
            return;
        }
        const std::string_view key = line.substr(0, colon);
        if (!is_extension_name(key)) {
            add_line_invalid(index,
                             fmt::format("A key must be 1 to 32 letters, digits, \"_\", \"-\" or "
                                         "\".\", starting with a letter or digit; {}",
                                         kStrictly),
                             0, colon);
            return;
        }
        std::size_t value_begin = colon + 1;
        while (value_begin < line.size() && is_wsp(line[value_begin])) ++value_begin;
        const std::string_view value = trim_wsp(line.substr(value_begin));
        parse_field(index, key, value, value_begin);
    }

    void parse_field(std::size_t index, std::string_view key, std::string_view value,
                     std::size_t value_offset) {
        if (key == "mx") {
            parse_mx(index, value, value_offset);
            return;
        }
        const std::optional<Key> single = single_key(key);
        if (!single) {
            parse_extension(index, key, value, value_offset);
            return;
        }
        bool& seen = seen_[static_cast<std::size_t>(*single)];
        // RFC 8461 §3.2: of a repeated key other than mx, senders use the first.
        if (seen) {
            add(index, "sts-policy-duplicate-key", Severity::warning,
                fmt::format("The key {} appears again; senders use its first line and ignore "
                            "this one, so remove it.",
                            kSingleKeys[static_cast<std::size_t>(*single)]),
                0, key.size());
            return;
        }
        seen = true;
        switch (*single) {
            case Key::version:
                parse_version(index, value, value_offset);
                break;
            case Key::mode:
                parse_mode(index, value, value_offset);
                break;
            case Key::max_age:
                parse_max_age(index, value, value_offset);
                break;
        }
    }

    void parse_version(std::size_t index, std::string_view value, std::size_t offset) {
        if (value == kVersion) return;
        std::string message = value.empty() ? "The version is empty; it must be STSv1."
                              : iequals(value, kVersion)
                                  ? "The version is case-sensitive: write it exactly STSv1."
                                  : "The version must be STSv1, the only version RFC 8461 "
                                    "defines.";
        add(index, "sts-policy-version-invalid", Severity::error, std::move(message), offset,
            value.size());
    }

    void parse_mode(std::size_t index, std::string_view value, std::size_t offset) {
        constexpr std::array<std::pair<std::string_view, StsMode>, 3> modes = {
            {{"enforce", StsMode::enforce},
             {"testing", StsMode::testing},
             {"none", StsMode::none}}};
        bool other_case = false;
        for (const auto& [name, mode] : modes) {
            if (value == name) {
                mode_ = mode;
                return;
            }
            other_case = other_case || iequals(value, name);
        }
        add(index, "sts-policy-mode-invalid", Severity::error,
            other_case ? "The mode is case-sensitive: write it in lower case (enforce, testing "
                         "or none)."
                       : "The mode must be enforce, testing or none.",
            offset, value.size());
    }

    void parse_max_age(std::size_t index, std::string_view value, std::size_t offset) {
        std::string problem;
        if (value.empty() || value.size() > kMaxAgeDigits ||
            !std::all_of(value.begin(), value.end(), is_digit)) {
            problem = "max_age must be a whole number of seconds: 1 to 10 digits, nothing else.";
        } else {
            std::uint64_t seconds = 0;
            for (char digit : value) seconds = seconds * 10 + static_cast<unsigned>(digit - '0');
            if (seconds <= kMaxMaxAge) {
                max_age_ = MaxAge{static_cast<std::uint32_t>(seconds), index, offset, value.size()};
                return;
            }
            problem = fmt::format("max_age is over {} seconds (a year), the most RFC 8461 allows.",
                                  kMaxMaxAge);
        }
        add(index, "sts-policy-max-age-invalid", Severity::error, std::move(problem), offset,
            value.size());
    }

    void parse_mx(std::size_t index, std::string_view value, std::size_t offset) {
        ++mx_lines_;
        const std::string_view problem = mx_pattern_problem(value);
        if (!problem.empty()) {
            add(index, "sts-policy-mx-invalid", Severity::error, std::string(problem), offset,
                value.size());
            return;
        }
        mx_.push_back(lowercase(value));
    }

    // sts-policy-ext-value: printable characters (UTF-8 included) and single spaces between
    // them; find_non_text has refused controls and malformed UTF-8 already.
    void parse_extension(std::size_t index, std::string_view key, std::string_view value,
                         std::size_t value_offset) {
        if (value.empty() || value.find('\t') != std::string_view::npos) {
            add_line_invalid(index,
                             fmt::format("The value of a key must be one or more printable "
                                         "characters, without tabs; {}",
                                         kStrictly),
                             value_offset, value.size());
            return;
        }
        std::string message;
        if (const auto known = look_alike_key(key); known && iequals(key, *known)) {
            message = fmt::format(
                "Keys are case-sensitive: senders ignore this line and do not "
                "read it as {}.",
                *known);
        } else if (known) {
            message = fmt::format(
                "Senders ignore this key, which RFC 8461 does not define; is "
                "it a misspelt {}?",
                *known);
        } else {
            message = "Senders ignore this key, which RFC 8461 does not define.";
        }
        add(index, "sts-policy-unknown-key", Severity::warning, std::move(message), 0, key.size());
        const bool repeated =
            std::any_of(extensions_.begin(), extensions_.end(),
                        [&](const auto& extension) { return extension.first == key; });
        if (!repeated) extensions_.emplace_back(key, value);
    }

    // What the lines left out, as a whole: a key that is there but invalid has been reported.
    void report_missing() {
        if (!has_line(Key::version)) {
            add(std::nullopt, "sts-policy-version-missing", Severity::error,
                "The policy has no version line; it must have version: STSv1.");
        }
        if (!has_line(Key::mode)) {
            add(std::nullopt, "sts-policy-mode-missing", Severity::error,
                "The policy has no mode line; it must have mode: enforce, testing or none.");
        }
        if (!has_line(Key::max_age)) {
            add(std::nullopt, "sts-policy-max-age-missing", Severity::error,
                "The policy has no max_age line, the number of seconds senders keep it.");
        }
        if (mx_lines_ == 0 && (mode_ == StsMode::enforce || mode_ == StsMode::testing)) {
            add(std::nullopt, "sts-policy-mx-missing", Severity::error,
                fmt::format("The policy has no mx line, which mode {} requires: senders "
                            "reject the policy, or find no MX host that it allows.",
                            to_string(*mode_)));
        }
        if (mode_ == StsMode::none) {
            add(std::nullopt, "sts-policy-mode-none", Severity::info,
                "The mode is none: senders apply no MTA-STS policy to this domain (as when a "
                "policy is being withdrawn).");
        }
        // A short max_age is what RFC 8461 §8.3 asks for while a policy is withdrawn.
        const bool in_force = mode_ == StsMode::enforce || mode_ == StsMode::testing;
        if (max_age_ && max_age_->seconds < kShortMaxAge && in_force) {
            add(max_age_->line, "sts-policy-max-age-short", Severity::warning,
                fmt::format("max_age is {} seconds, under a day: senders keep the policy for so "
                            "short a time that an attacker who blocks its refresh soon strips "
                            "it; RFC 8461 expects weeks or more.",
                            max_age_->seconds),
                max_age_->offset, max_age_->length);
        }
    }

    bool has_line(Key key) const { return seen_[static_cast<std::size_t>(key)]; }

    void add_line_invalid(std::size_t index, std::string message, std::size_t offset,
                          std::size_t length) {
        add(index, "sts-policy-line-invalid", Severity::error, std::move(message), offset, length);
    }

    void add(std::optional<std::size_t> line, std::string_view code, Severity severity,
             std::string message, std::optional<std::size_t> offset = std::nullopt,
             std::size_t length = 0) {
        if (severity == Severity::error) ++errors_;
        if (severity == Severity::warning) ++warnings_;
        if (line && listed_line_findings_ == kListedLineFindings) {
            ++not_listed_;
            return;
        }
        if (line) ++listed_line_findings_;
        evaluation_.diagnostics.push_back(
            Diagnostic{std::string(code), severity, std::move(message), line, offset, length});
    }

    StsPolicyEvaluation& evaluation_;
    std::array<bool, kSingleKeys.size()> seen_{};  // whether each single key had a line
    std::optional<StsMode> mode_;
    struct MaxAge {
        std::uint32_t seconds = 0;
        std::size_t line = 0;  // where its value is
        std::size_t offset = 0;
        std::size_t length = 0;
    };
    std::optional<MaxAge> max_age_;
    std::vector<std::string> mx_;
    std::size_t mx_lines_ = 0;
    std::vector<std::pair<std::string, std::string>> extensions_;
    std::size_t errors_ = 0;
    std::size_t warnings_ = 0;
    std::size_t listed_line_findings_ = 0;
    std::size_t not_listed_ = 0;
};

}  // namespace

StsPolicyEvaluation evaluate_sts_policy(std::string_view body) {
    StsPolicyEvaluation evaluation;
    PolicyParser(evaluation).run(body);
    return evaluation;
}

bool mx_pattern_matches(std::string_view pattern, std::string_view host) {
    if (!mx_pattern_problem(pattern).empty() || !is_host_name(host)) return false;
    if (!pattern.starts_with("*.")) return iequals(pattern, host);
    const std::size_t first_dot = host.find('.');
    return first_dot != std::string_view::npos &&
           iequals(pattern.substr(2), host.substr(first_dot + 1));
}

}  // namespace tlsrpt
