#include "selection.hpp"

#include <algorithm>

#include "ascii.hpp"

namespace tlsrpt::policy {

namespace {

constexpr std::string_view kVersionToken = "v=TLSRPTv1";

// Line breaks count too: a record pasted with its newline is still recognisably TLS-RPT.
bool is_space(char c) {
    return is_wsp(c) || c == '\r' || c == '\n';
}

void add_problem(Classification& classification, std::string_view code,
                 std::optional<std::size_t> offset, std::size_t length) {
    if (classification.problem_count < classification.problems.size()) {
        classification.problems[classification.problem_count++] =
            SelectionProblem{code, offset, length};
    }
}

// Finds the version among the fields of a record that does not start with it, or a rua field
// in a record with no version at all. False when the record is not meant as TLS-RPT.
bool analyse_fields_without_version(std::string_view record, std::size_t begin, std::size_t end,
                                    Classification& classification) {
    bool has_version_field = false;
    bool has_rua_field = false;
    std::optional<SelectionProblem> version_field;
    for (std::size_t pos = begin; pos <= end;) {
        std::size_t field_end = record.find(';', pos);
        if (field_end == std::string_view::npos || field_end > end) field_end = end;
        const std::string_view field = trim_wsp(record.substr(pos, field_end - pos));
        const std::size_t field_offset = field.empty() ? pos : field.data() - record.data();
        const std::size_t name_end = field.find_first_of("= \t");
        const std::string_view name = field.substr(0, name_end);
        if (iequals(name, "v")) {
            has_version_field = true;
            const std::size_t equals = field.find('=');
            const std::string_view value = equals == std::string_view::npos
                                               ? std::string_view()
                                               : trim_wsp(field.substr(equals + 1));
            if (iequals(value, "TLSRPTv1") && !version_field) {
                version_field = SelectionProblem{"version-not-first", field_offset, field.size()};
            }
        } else if (iequals(name, "rua")) {
            has_rua_field = true;
        }
        pos = field_end + 1;
    }
    if (version_field) {
        add_problem(classification, version_field->code, version_field->offset,
                    version_field->length);
        classification.fields = FieldScope{begin, end, true};
        return true;
    }
    if (has_rua_field && !has_version_field) {
        add_problem(classification, "missing-version", std::nullopt, 0);
        classification.fields = FieldScope{begin, end, false};
        return true;
    }
    return false;
}

// Typing mistakes that still make a version token a misspelt `v=TLSRPTv1` (`v=TSLRPTv1`,
// `v=TLS-RPTv1`, `v-TLSRPTv1`).
constexpr std::size_t kVersionTypos = 2;

// Versions of other protocols, whose records may carry a `rua=mailto:` of their own.
bool is_other_protocol_version(std::string_view version) {
    for (const std::string_view other : {"DMARC1", "spf1", "STSv1", "BIMI1", "DKIM1"}) {
        if (iequals(version, other)) return true;
    }
    return false;
}

// A report destination where TLS-RPT expects one: the record is meant as TLS-RPT whatever its
// version says.
bool has_rua_destination(std::string_view text) {
    for (std::size_t at = 0; at + 4 <= text.size(); ++at) {
        if (!istarts_with(text.substr(at), "rua=")) continue;
        const std::string_view value = text.substr(at + 4);
        if (istarts_with(value, "mailto:") || istarts_with(value, "https:")) return true;
    }
    return false;
}

// `TLSRPTv` and a number other than 1, as a later version of TLS-RPT would be written.
bool is_other_tlsrpt_version(std::string_view version) {
    if (!version.starts_with("TLSRPTv") || version == "TLSRPTv1") return false;
    const std::string_view number = version.substr(7);
    return !number.empty() &&
           std::all_of(number.begin(), number.end(), [](char c) { return is_digit(c); });
}

// Reads what follows a version token ending at `value_end` in `text` (which starts at `begin`
// of the record): the delimiter and where the fields are.
void analyse_after_version(std::size_t begin, std::string_view text, std::size_t value_end,
                           Classification& classification) {
    std::size_t delimiter = value_end;
    while (delimiter < text.size() && is_wsp(text[delimiter])) ++delimiter;
    if (delimiter == text.size()) {
        add_problem(classification, "missing-rua", std::nullopt, 0);
    } else if (text[delimiter] == ';') {
        if (delimiter > value_end) {
            classification.version_space_offset = begin + value_end;
            classification.version_space_length = delimiter - value_end;
        }
        classification.fields = FieldScope{begin + delimiter + 1, begin + text.size(), false};
    } else {
        const std::size_t fields = text[delimiter] == ',' ? delimiter + 1 : delimiter;
        add_problem(classification, "missing-version-delimiter", begin + value_end,
                    fields - value_end);
        classification.fields = FieldScope{begin + fields, begin + text.size(), false};
    }
}

// A first token that is a misspelt `v=TLSRPTv1` though it has no "v=" (`v-TLSRPTv1`): its
// length, or 0.
std::size_t misspelt_version_token(std::string_view text) {
    if (text.empty() || to_lower(text[0]) != 'v') return 0;
    const std::size_t token_end = std::min(text.find_first_of(" \t;,"), text.size());
    return typo_distance(text.substr(0, token_end), kVersionToken) <= kVersionTypos ? token_end : 0;
}

// Reads the version token at `begin` and what follows it. False when the record is not meant
// as TLS-RPT.
bool analyse_version(std::string_view record, std::size_t begin, std::size_t end,
                     Classification& classification) {
    const std::string_view text = record.substr(begin, end - begin);
    std::size_t equals = 1;
    while (equals < text.size() && is_wsp(text[equals])) ++equals;
    if (text.empty() || to_lower(text[0]) != 'v' || equals >= text.size() || text[equals] != '=') {
        if (const std::size_t token = misspelt_version_token(text); token > 0) {
            add_problem(classification, "version-typo", begin, token);
            analyse_after_version(begin, text, token, classification);
            return true;
        }
        return analyse_fields_without_version(record, begin, end, classification);
    }
    std::size_t value = equals + 1;
    while (value < text.size() && is_wsp(text[value])) ++value;
    std::size_t value_end = text.find_first_of(" \t;,", value);
    if (value_end == std::string_view::npos) value_end = text.size();
    const std::string_view version = text.substr(value, value_end - value);
    if (!istarts_with(version, "TLSRPT")) {
        if (typo_distance(version, "TLSRPTv1") <= kVersionTypos) {
            add_problem(classification, "version-typo", begin, value_end);
        } else if (has_rua_destination(text) && !is_other_protocol_version(version)) {
            add_problem(classification, "unsupported-version", begin + value, value_end - value);
        } else {
            return analyse_fields_without_version(record, begin, end, classification);
        }
        analyse_after_version(begin, text, value_end, classification);
        return true;
    }
    bool spaced = equals > 1 || value > equals + 1;
    bool wrong_case = text[0] != 'v';
    bool unsupported = false;
    if (iequals(version, "TLSRPTv1")) {
        wrong_case = wrong_case || version != "TLSRPTv1";
    } else if (istarts_with(version, "TLSRPTv1") && istarts_with(version.substr(8), "rua")) {
        // "v=TLSRPTv1rua=...": the delimiter and any space are missing.
        wrong_case = wrong_case || version.substr(0, 8) != "TLSRPTv1";
        value_end = value + 8;
    } else if (iequals(version, "TLSRPT") && istarts_with(trim_wsp(text.substr(value_end)), "v1")) {
        // "v=TLSRPT v1": whitespace inside the token.
        const std::size_t v1 = text.find_first_not_of(" \t", value_end);
        if (v1 + 2 == text.size() || text.find_first_of(" \t;,", v1) == v1 + 2) {
            spaced = true;
            wrong_case = wrong_case || text.substr(value, 6) != "TLSRPT" || text[v1] != 'v';
            value_end = v1 + 2;
        } else {
            unsupported = true;
        }
    } else {
        unsupported = true;
    }
    if (spaced) add_problem(classification, "version-whitespace", begin, value_end);
    if (unsupported) {
        add_problem(classification, "unsupported-version", begin + value, value_end - value);
        classification.other_version =
            !spaced && !wrong_case && begin == 0 && is_other_tlsrpt_version(version);
    } else if (wrong_case) {
        add_problem(classification, "version-case", begin, value_end);
    }
    analyse_after_version(begin, text, value_end, classification);
    return true;
}

}  // namespace

Classification classify(std::string_view record) {
    Classification classification;
    if (record.starts_with(kVersionToken)) {
        // The common case: a candidate needs no further analysis of its start.
        std::size_t delimiter = kVersionToken.size();
        while (delimiter < record.size() && is_wsp(record[delimiter])) ++delimiter;
        if (delimiter < record.size() && record[delimiter] == ';') {
            classification.kind = RecordKind::candidate;
            if (delimiter > kVersionToken.size()) {
                classification.version_space_offset = kVersionToken.size();
                classification.version_space_length = delimiter - kVersionToken.size();
            }
            classification.fields = FieldScope{delimiter + 1, record.size(), false};
            return classification;
        }
    }
    std::size_t begin = 0;
    std::size_t end = record.size();
    while (begin < end && is_space(record[begin])) ++begin;
    if (begin < end && record[begin] == '"') {
        add_problem(classification, "quoted-record", begin, 1);
        ++begin;
        while (end > begin && is_space(record[end - 1])) --end;
        if (end > begin && record[end - 1] == '"') --end;
    } else if (begin > 0) {
        add_problem(classification, "leading-whitespace", 0, begin);
    }
    if (!analyse_version(record, begin, end, classification)) return Classification{};
    classification.kind =
        classification.problem_count == 0 ? RecordKind::candidate : RecordKind::near_miss;
    return classification;
}

std::string_view selection_message(std::string_view code) {
    if (code == "version-case") {
        return "The version must be written exactly v=TLSRPTv1: it is case-sensitive.";
    }
    if (code == "version-whitespace") {
        return "The version must be written v=TLSRPTv1 with no whitespace inside it.";
    }
    if (code == "leading-whitespace") {
        return "The record starts with whitespace; senders only use records that begin with "
               "v=TLSRPTv1.";
    }
    if (code == "quoted-record") {
        return "The record is wrapped in literal quote characters; publish it without them "
               "(quotes in a zone file only delimit strings).";
    }
    if (code == "unsupported-version") {
        return "The record declares a TLS-RPT version other than TLSRPTv1, which senders do not "
               "know.";
    }
    if (code == "missing-version-delimiter") {
        return "The version must be followed by \";\" before the first field.";
    }
    if (code == "version-typo") {
        return "The version is misspelt: it must be written exactly v=TLSRPTv1.";
    }
    if (code == "version-not-first") return "The version field must come first in the record.";
    if (code == "missing-version") {
        return "The record has a rua field but does not begin with v=TLSRPTv1.";
    }
    // missing-rua: the version stands alone.
    return "The record has only a version and no rua field; senders need at least one report "
           "URI.";
}

std::string_view unrelated_record_message(std::string_view record) {
    const std::string_view text = trim_wsp(record);
    if (text.empty()) return "An empty TXT record is not a TLS-RPT record.";
    if (istarts_with(text, "v=spf1")) {
        return "An SPF record does not belong at _smtp._tls; TLS-RPT senders ignore it.";
    }
    if (istarts_with(text, "v=DMARC1")) {
        return "A DMARC record does not belong at _smtp._tls; TLS-RPT senders ignore it.";
    }
    if (istarts_with(text, "v=STSv1")) {
        return "An MTA-STS record belongs at _mta-sts, not at _smtp._tls; TLS-RPT senders "
               "ignore it.";
    }
    return "A TXT record that is not a TLS-RPT record; senders ignore it.";
}

}  // namespace tlsrpt::policy
