// The domain-list reader of `-f FILE` and the domain normalisation every input goes through.
// The input is a list; every domain it names, and the whole input as one name, are normalised.
// Checks: the reader agrees with parse_domain_line on every line and counts lines and octets
// exactly; a normalised name is a checked, lower-case A-label name that normalises to itself,
// and an ASCII one differs from its input only by case and a final dot; a refusal is an
// invalid-domain diagnostic with a printable message; pasted forms (URL, address, query name)
// give a checked name or a printable refusal.
#include <sstream>
#include <string>

#include <fmt/format.h>

#include "fuzz_support.hpp"
#include "input/domain_list.hpp"
#include "tlsrpt/domain_name.hpp"

using namespace tlsrpt;
using fuzz::require;

namespace {

bool is_list_space(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

void check_name(std::string_view name) {
    require(!name.empty() && name.front() != '.' && name.back() != '.',
            "a name has no leading or final dot");
    for (const std::string_view label : fuzz::split(name, ".")) {
        require(!label.empty() && label.size() <= 63, "labels of 1 to 63 octets");
    }
    require(tlsrpt_query_name(name).size() <= 253, "the query name fits in 253 octets");
    require(std::all_of(name.begin(), name.end(),
                        [](char c) {
                            return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                                   c == '_' || c == '.';
                        }),
            "lower-case letters, digits, '-', '_' and dots only");
}

void check_normalisation(std::string_view input) {
    const auto normalised = normalise_domain(input);
    if (!normalised) {
        require(normalised.error().code == "invalid-domain", "refusals are invalid-domain");
        require(!normalised.error().message.empty() &&
                    fuzz::is_printable_ascii(normalised.error().message),
                "a refusal explains itself in printable ASCII");
        return;
    }
    check_name(*normalised);
    // IDN conversion is for non-ASCII names: an ASCII one keeps its bytes but for the case.
    if (std::all_of(input.begin(), input.end(),
                    [](char c) { return static_cast<unsigned char>(c) < 0x80; })) {
        std::string expected(input.substr(0, input.size() - (input.ends_with('.') ? 1 : 0)));
        for (char& c : expected) c = (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c;
        require(*normalised == expected, "an ASCII name is only folded to lower case");
    }
    const auto again = normalise_domain(*normalised);
    require(again.has_value() && *again == *normalised, "a normalised name normalises to itself");
}

// Whatever people paste gives a checked name, or a printable refusal.
void check_pasted_input(std::string_view input) {
    const auto taken = normalise_domain_input(input);
    if (!taken) {
        require(taken.error().code == "invalid-domain" &&
                    fuzz::is_printable_ascii(taken.error().message),
                "a refusal of pasted input is a printable invalid-domain");
        return;
    }
    check_name(taken->domain);
    if (taken->form == DomainInputForm::domain) {
        const auto plain = normalise_domain(input);
        require(plain && *plain == taken->domain, "a plain name is normalised as it is");
    }
}

void check_list(std::string_view list) {
    const std::vector<std::string_view> lines = fuzz::split(list, "\n");
    std::istringstream stream{std::string(list)};
    input::DomainListReader reader(stream);
    // Every line in turn, as the reader sees them: a header changes how later lines read.
    input::ListLayout layout;
    for (std::size_t number = 1; number <= lines.size(); ++number) {
        const std::string_view text = lines[number - 1];
        if (text.size() > input::DomainListReader::max_line_length) {
            const auto line = reader.next();
            require(line && line->number == number && line->domain.empty() &&
                        line->problem == fmt::format("line {}: longer than {} octets", number,
                                                     input::DomainListReader::max_line_length),
                    "an over-long line is malformed, and not kept");
            continue;
        }
        const auto expected = input::parse_domain_line(text, number, layout);
        if (!expected) continue;
        const auto line = reader.next();
        require(line && line->number == number && expected->domain == line->domain &&
                    expected->problem == line->problem,
                "the reader parses each line as parse_domain_line does");
        if (line->problem) {
            require(line->problem->starts_with(fmt::format("line {}: ", line->number)),
                    "a problem names its line");
            continue;
        }
        require(!line->domain.empty() &&
                    std::none_of(line->domain.begin(), line->domain.end(), is_list_space),
                "a domain has no spaces");
        check_normalisation(line->domain);
        check_pasted_input(line->domain);
    }
    require(!reader.next(), "the reader finds no line parse_domain_line skips");
    require(reader.bytes_read() == list.size(), "the reader counts every octet");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input = fuzz::as_text(data, size);
    check_list(input);
    check_normalisation(input);
    check_pasted_input(input);
    return 0;
}
