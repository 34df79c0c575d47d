// MTA-STS TXT evaluation (RFC 8461 §3.1): selection by the version prefix, then the grammar
// of every selected record, then the verdict.
#include "tlsrpt/mta_sts.hpp"

#include <algorithm>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "ascii.hpp"
#include "diagnostic_sink.hpp"
#include "record_parser.hpp"

namespace tlsrpt {

using namespace policy;

namespace {

constexpr std::string_view kVersion = "v=STSv1";
constexpr std::size_t kMaxIdLength = 32;

enum class RecordKind {
    unrelated,  // not meant as MTA-STS: senders ignore it, and no diagnostic names it
    candidate,  // "v=STSv1", optional whitespace, ";": senders parse it
    near_miss,  // the version in another case or without its ";": senders discard it
};

struct Selection {
    RecordKind kind = RecordKind::unrelated;
    std::size_t delimiter = 0;  // the ";" after the version (candidates only)
    bool version_case = false;
    bool missing_delimiter = false;
};

Selection select(std::string_view record) {
    Selection selection;
    if (!istarts_with(record, kVersion)) return selection;
    std::size_t delimiter = kVersion.size();
    while (delimiter < record.size() && is_wsp(record[delimiter])) ++delimiter;
    const bool has_delimiter = delimiter < record.size() && record[delimiter] == ';';
    // "v=STSv10" or "v=STSv1x" is some other token, not this version written wrongly.
    const bool token_ends = has_delimiter || delimiter > kVersion.size() ||
                            delimiter == record.size() || record[delimiter] == ',';
    if (!token_ends) return selection;
    selection.delimiter = delimiter;
    selection.version_case = !record.starts_with(kVersion);
    selection.missing_delimiter = !has_delimiter;
    selection.kind = selection.version_case || selection.missing_delimiter ? RecordKind::near_miss
                                                                           : RecordKind::candidate;
    return selection;
}

// Near misses are warnings whatever else the RRset holds: alone they leave the domain without
// MTA-STS (status missing says so), beside a selected record they are only clutter.
void report_near_miss(const Selection& selection, DiagnosticSink& sink) {
    if (selection.version_case) {
        sink.add("mta-sts-version-case", Severity::warning,
                 "The version must be written exactly v=STSv1: it is case-sensitive, so senders "
                 "ignore this record.",
                 0, kVersion.size());
    }
    if (selection.missing_delimiter) {
        sink.add("mta-sts-missing-version-delimiter", Severity::warning,
                 "The version must be followed by \";\": senders ignore records that do not "
                 "begin with v=STSv1;.",
                 0, kVersion.size());
    }
}

struct ParsedRecord {
    std::optional<std::string> id;  // the value of the first valid id field
    std::vector<std::pair<std::string, std::string>> extensions;
};

// The fields after the version of a selected record:
// 1*(sts-field-delim sts-field) [sts-field-delim], where sts-field-delim = *WSP ";" *WSP.
class RecordParser {
  public:
    RecordParser(std::string_view record, DiagnosticSink& sink) : record_(record), sink_(sink) {}

    ParsedRecord run(std::size_t begin) {
        std::size_t fields = 0;  // empty ones included
        for (std::size_t pos = begin;;) {
            while (pos < record_.size() && is_wsp(record_[pos])) ++pos;
            if (pos == record_.size()) break;  // after a final ";": the grammar allows it
            ++fields;
            std::size_t field_end = record_.find(';', pos);
            if (field_end == std::string_view::npos) field_end = record_.size();
            if (field_end == pos) {
                sink_.add("mta-sts-syntax", Severity::error,
                          "The record has an empty field: two \";\" with nothing between them.",
                          pos, 1);
            } else {
                std::size_t value_end = field_end;
                while (is_wsp(record_[value_end - 1])) --value_end;
                // Whitespace before a ";" belongs to the delimiter; at the end nothing takes it.
                if (value_end < field_end && field_end == record_.size()) {
                    sink_.add("mta-sts-trailing-whitespace", Severity::error,
                              "The record ends with whitespace, which the grammar does not "
                              "allow; end it with the last value or a \";\".",
                              value_end, field_end - value_end);
                }
                parse_field(pos, value_end);
            }
            if (field_end == record_.size()) break;
            pos = field_end + 1;
        }
        if (fields == 0) {
            sink_.add("mta-sts-syntax", Severity::error,
                      "Nothing follows the version; the record needs at least an id field.");
        }
        if (id_fields_ == 0) report_missing_id();
        return std::move(parsed_);
    }

  private:
    void parse_field(std::size_t begin, std::size_t end) {
        std::size_t name_end = begin;
        while (name_end < end && record_[name_end] != '=' && !is_wsp(record_[name_end])) {
            ++name_end;
        }
        std::size_t equals = name_end;
        while (equals < end && is_wsp(record_[equals])) ++equals;
        const bool has_equals = equals < end && record_[equals] == '=';
        std::size_t value = has_equals ? equals + 1 : end;
        while (value < end && is_wsp(record_[value])) ++value;
        const std::string_view name = record_.substr(begin, name_end - begin);
        const std::string_view value_text = record_.substr(value, end - value);
        // The field name is case-sensitive (%s"id"): "ID" is an extension.
        if (name == "id") {
            parse_id(begin, end, has_equals, value_text);
            return;
        }
        if (!has_equals) {
            sink_.add("mta-sts-syntax", Severity::error, "A field is not of the form name=value.",
                      begin, end - begin);
            return;
        }
        if (!is_extension_name(name)) {
            sink_.add("mta-sts-syntax", Severity::error,
                      "A field name must be 1 to 32 letters, digits, \"_\", \"-\" or \".\", "
                      "starting with a letter or digit.",
                      begin, end - begin);
            return;
        }
        if (!is_extension_value(value_text)) {
            sink_.add("mta-sts-syntax", Severity::error,
                      "A field value must be printable ASCII without spaces, \"=\" or \";\".",
                      begin, end - begin);
            return;
        }
        parsed_.extensions.emplace_back(name, value_text);
        if (iequals(name, "id") && !id_look_alike_) id_look_alike_ = Span{begin, end - begin};
        sink_.add("mta-sts-unknown-extension", Severity::warning,
                  "The record has a field other than id after the version; senders ignore it.",
                  begin, end - begin);
    }

    void parse_id(std::size_t begin, std::size_t end, bool has_equals, std::string_view value) {
        // The grammar repeats fields freely and RFC 8461 does not say which id counts: senders
        // that take another one than the first may miss a policy update.
        if (++id_fields_ > 1) {
            sink_.add("mta-sts-duplicate-id", Severity::warning,
                      "The record has more than one id field; senders may use any of them, so "
                      "publish one.",
                      begin, end - begin);
        }
        std::string problem;
        if (!has_equals) {
            problem = "The id field has no \"=\"; write id= and 1 to 32 letters and digits.";
        } else if (value.empty()) {
            problem = "The id is empty; it must be 1 to 32 letters and digits.";
        } else if (!std::all_of(value.begin(), value.end(), is_alnum)) {
            problem = "The id may only contain letters and digits (no punctuation or spaces).";
        } else if (value.size() > kMaxIdLength) {
            problem = fmt::format("The id is {} characters long; at most {} are allowed.",
                                  value.size(), kMaxIdLength);
        }
        if (!problem.empty()) {
            sink_.add("mta-sts-invalid-id", Severity::error, std::move(problem), begin,
                      end - begin);
            return;
        }
        if (!parsed_.id) parsed_.id = std::string(value);
    }

    void report_missing_id() {
        if (id_look_alike_) {
            sink_.add("mta-sts-missing-id", Severity::error,
                      "The record has no id field: field names are case-sensitive, and this one "
                      "is not written id.",
                      id_look_alike_->offset, id_look_alike_->length);
            return;
        }
        sink_.add("mta-sts-missing-id", Severity::error,
                  "The record has no id field, which senders require.");
    }

    std::string_view record_;
    DiagnosticSink& sink_;
    ParsedRecord parsed_;
    std::size_t id_fields_ = 0;
    struct Span {
        std::size_t offset = 0;
        std::size_t length = 0;
    };
    std::optional<Span> id_look_alike_;  // the first extension named "id" in another case
};

}  // namespace

MtaStsEvaluation evaluate_mta_sts(const TxtRRset& rrset) {
    MtaStsEvaluation evaluation;
    evaluation.records.reserve(rrset.size());
    for (const TxtRecord& rr : rrset) evaluation.records.push_back(join_strings(rr));
    std::vector<Selection> selections;
    selections.reserve(rrset.size());
    std::size_t candidates = 0;
    for (const std::string& record : evaluation.records) {
        selections.push_back(select(record));
        if (selections.back().kind == RecordKind::candidate) ++candidates;
    }

    DiagnosticSink rrset_sink(evaluation.diagnostics, std::nullopt);
    if (candidates == 0) {
        // `missing` is the verdict; not publishing MTA-STS is a choice, not a mistake.
        rrset_sink.add("mta-sts-no-record", Severity::info,
                       "No TXT record at this name begins with v=STSv1;, so senders assume the "
                       "domain does not use MTA-STS.");
    } else if (candidates > 1) {
        rrset_sink.add("mta-sts-multiple-records", Severity::error,
                       fmt::format("{} records begin with v=STSv1; senders then use none of "
                                   "them and assume the domain does not use MTA-STS: publish "
                                   "exactly one.",
                                   candidates));
    }
    std::size_t errors = rrset_sink.errors();
    std::size_t warnings = rrset_sink.warnings();

    ParsedRecord selected;
    for (std::size_t i = 0; i < rrset.size(); ++i) {
        const std::string& record = evaluation.records[i];
        const Selection& selection = selections[i];
        DiagnosticSink sink(evaluation.diagnostics, i);
        if (selection.kind == RecordKind::near_miss) report_near_miss(selection, sink);
        if (selection.kind == RecordKind::candidate) {
            if (selection.delimiter > kVersion.size()) {
                sink.add("mta-sts-ws-before-delimiter", Severity::warning,
                         "Whitespace stands between the version and its \";\"; the grammar "
                         "allows it, but senders that look for v=STSv1; literally ignore the "
                         "record.",
                         kVersion.size(), selection.delimiter - kVersion.size());
            }
            ParsedRecord parsed = RecordParser(record, sink).run(selection.delimiter + 1);
            if (candidates == 1) selected = std::move(parsed);
        }
        errors += sink.errors();
        warnings += sink.warnings();
    }

    if (candidates == 0) return evaluation;
    evaluation.status = errors > 0     ? Status::invalid
                        : warnings > 0 ? Status::warning
                                       : Status::valid;
    if (evaluation.status != Status::invalid) {
        evaluation.id = std::move(selected.id);
        evaluation.extensions = std::move(selected.extensions);
    }
    return evaluation;
}

}  // namespace tlsrpt
