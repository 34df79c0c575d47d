#include "input/domain_list.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <string_view>

namespace tlsrpt::input {
namespace {

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

std::string_view trimmed(std::string_view text) {
    while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
    while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
    return text;
}

bool is_rank(std::string_view text) {
    return !text.empty() &&
           std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

DomainLine malformed(std::string_view line, std::size_t number, std::string problem) {
    return DomainLine{number, std::string(line), std::move(problem)};
}

}  // namespace

std::optional<DomainLine> parse_domain_line(std::string_view line, std::size_t number) {
    const std::string_view content = trimmed(line);
    if (content.empty() || content.front() == '#') return std::nullopt;
    const auto comma = content.find(',');
    if (comma == std::string_view::npos) {
        if (std::any_of(content.begin(), content.end(), is_space)) {
            return malformed(content, number,
                             fmt::format("line {}: expected one domain per line", number));
        }
        return DomainLine{number, std::string(content), std::nullopt};
    }
    // Top-site lists (Tranco, Umbrella, ...): "rank,domain".
    const std::string_view rank = trimmed(content.substr(0, comma));
    const std::string_view domain = trimmed(content.substr(comma + 1));
    if (!is_rank(rank) || domain.empty() || domain.find(',') != std::string_view::npos ||
        std::any_of(domain.begin(), domain.end(), is_space)) {
        return malformed(content, number,
                         fmt::format("line {}: expected DOMAIN or RANK,DOMAIN", number));
    }
    return DomainLine{number, std::string(domain), std::nullopt};
}

DomainListReader::DomainListReader(std::istream& in)
    : in_(in), line_(std::make_unique<char[]>(max_line_length + 1)) {
    in_.exceptions(in_.exceptions() | std::ios::badbit);
}

std::optional<DomainLine> DomainListReader::next() {
    for (;;) {
        in_.getline(line_.get(), max_line_length + 1);
        const auto extracted = static_cast<std::size_t>(in_.gcount());  // with the '\n'
        if (in_.fail()) {
            if (extracted == 0) return std::nullopt;
            // The line fills the buffer: the rest of it is read past, not kept.
            in_.clear();
            in_.ignore(std::numeric_limits<std::streamsize>::max(), '\n');
            ++line_number_;
            bytes_read_ += extracted + static_cast<std::uint64_t>(in_.gcount());
            return DomainLine{
                line_number_, std::string(),
                fmt::format("line {}: longer than {} octets", line_number_, max_line_length)};
        }
        ++line_number_;
        bytes_read_ += extracted;
        const std::size_t length = extracted - (in_.eof() ? 0 : 1);
        if (auto parsed = parse_domain_line({line_.get(), length}, line_number_)) return parsed;
    }
}

}  // namespace tlsrpt::input
