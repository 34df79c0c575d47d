#include "input/domain_list.hpp"

#include <fmt/format.h>

#include <algorithm>
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

std::optional<DomainLine> DomainListReader::next() {
    while (std::getline(in_, line_)) {
        ++line_number_;
        bytes_read_ += line_.size() + 1;
        if (auto parsed = parse_domain_line(line_, line_number_)) return parsed;
    }
    return std::nullopt;
}

}  // namespace tlsrpt::input
