// Which TXT records are TLS-RPT policies (RFC 8460 §3 selection), and which only look like one.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>

#include "record_parser.hpp"

namespace tlsrpt::policy {

enum class RecordKind {
    unrelated,  // SPF, DMARC, verification tokens, empty: not meant as TLS-RPT
    candidate,  // begins with `v=TLSRPTv1[ \t]*;`: senders parse it
    near_miss,  // meant as TLS-RPT, but senders discard it
};

// Why a near miss is discarded: one of the selection error codes (or `missing-rua` for a
// lone version), with the bytes it concerns when there are any.
struct SelectionProblem {
    std::string_view code;
    std::optional<std::size_t> offset;
    std::size_t length = 0;
};

struct Classification {
    RecordKind kind = RecordKind::unrelated;
    std::array<SelectionProblem, 4> problems{};
    std::size_t problem_count = 0;
    // Whitespace between the version and its ";" (grammatical, but warned).
    std::optional<std::size_t> version_space_offset;
    std::size_t version_space_length = 0;
    // Where the fields are; absent when the record has nothing after the version.
    std::optional<FieldScope> fields;
    // A well-formed record of another TLS-RPT version (`v=TLSRPTv2;`): beside a version 1
    // policy, senders of version 1 discard it as a matter of course.
    bool other_version = false;
};

Classification classify(std::string_view record);

// A sentence explaining a selection problem code, for its diagnostic.
std::string_view selection_message(std::string_view code);

// What an unrelated record appears to be, as a sentence.
std::string_view unrelated_record_message(std::string_view record);

}  // namespace tlsrpt::policy
