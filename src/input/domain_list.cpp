#include "input/domain_list.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <limits>
#include <string_view>

#include "policy/ascii.hpp"

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

// The line without a trailing `# comment` (a "#" after whitespace: no domain holds one).
std::string_view without_comment(std::string_view content) {
    for (std::size_t hash = content.find('#', 1); hash != std::string_view::npos;
         hash = content.find('#', hash + 1)) {
        if (is_space(content[hash - 1])) return trimmed(content.substr(0, hash));
    }
    return content;
}

// The cells of a CSV line, read one at a time without copying: a cell in double quotes may
// hold commas; the quotes are dropped.
class Cells {
  public:
    explicit Cells(std::string_view line) : rest_(line) {}

    // The next cell, trimmed; nullopt after the last one.
    std::optional<std::string_view> next() {
        if (done_) return std::nullopt;
        std::string_view text = trimmed(rest_);
        std::size_t end = 0;
        if (text.starts_with('"')) {
            const std::size_t closing = text.find('"', 1);
            end = text.find(',', closing == std::string_view::npos ? text.size() : closing);
        } else {
            end = text.find(',');
        }
        if (end == std::string_view::npos) {
            done_ = true;
            end = text.size();
        } else {
            rest_ = text.substr(end + 1);
        }
        std::string_view cell = trimmed(text.substr(0, end));
        if (cell.size() >= 2 && cell.front() == '"' && cell.back() == '"') {
            cell = trimmed(cell.substr(1, cell.size() - 2));
        }
        return cell;
    }

  private:
    std::string_view rest_;
    bool done_ = false;
};

// Column titles that name the domain column of a header line.
constexpr std::array<std::string_view, 9> domain_titles = {
    "domain",   "domain_name", "domainname", "domain name", "host",
    "hostname", "site",        "website",    "url"};

bool is_domain_title(std::string_view cell) {
    return std::any_of(domain_titles.begin(), domain_titles.end(),
                       [&](std::string_view title) { return policy::iequals(cell, title); });
}

struct DomainCell {
    std::size_t column = 0;                // 0-based
    std::optional<std::string_view> text;  // nullopt when the line has no such column
};

// The cell of the domain: the one the layout names, else the second after a rank (Tranco,
// Umbrella: "rank,domain"), else the first ("domain,owner,..."). One pass over the cells.
DomainCell domain_cell(std::string_view content, const ListLayout& layout) {
    // The common line of one column needs no CSV reading.
    if (!layout.domain_column && content.find(',') == std::string_view::npos &&
        content.front() != '"') {
        return {0, content};
    }
    Cells cells(content);
    if (layout.domain_column) {
        for (std::size_t column = 0;; ++column) {
            const auto cell = cells.next();
            if (!cell || column == *layout.domain_column) return {*layout.domain_column, cell};
        }
    }
    const auto first = cells.next();
    if (first && is_rank(*first)) {
        if (const auto second = cells.next()) return {1, second};
    }
    return {0, first};
}

// Whether the first line of a list is a header: a cell is a known title, or the cell where
// the domain would be is a word with no dot (`rank`, `Site name`), which no domain worth
// checking is. Sets the domain column a title names.
bool read_header(std::string_view content, ListLayout& layout) {
    Cells cells(content);
    for (std::size_t column = 0; const auto cell = cells.next(); ++column) {
        if (is_domain_title(*cell)) {
            layout.domain_column = column;
            return true;
        }
    }
    const auto domain = domain_cell(content, layout).text;
    return domain && !domain->empty() && domain->find_first_of(".@:/") == std::string_view::npos;
}

DomainLine malformed(std::string_view line, std::size_t number, std::string problem) {
    return DomainLine{number, std::string(line), std::move(problem)};
}

}  // namespace

std::optional<DomainLine> parse_domain_line(std::string_view line, std::size_t number,
                                            ListLayout& layout) {
    std::string_view content = trimmed(line);
    if (content.empty() || content.front() == '#') return std::nullopt;
    content = without_comment(content);
    if (!layout.content_seen) {
        layout.content_seen = true;
        if (read_header(content, layout)) return std::nullopt;
    }
    const auto [column, domain] = domain_cell(content, layout);
    if (!domain || domain->empty()) {
        return malformed(
            content, number,
            fmt::format("line {}: expected a domain in column {}, found none", number, column + 1));
    }
    if (std::any_of(domain->begin(), domain->end(), is_space)) {
        return malformed(content, number,
                         fmt::format("line {}: expected one domain per line or column, saw "
                                     "several words",
                                     number));
    }
    return DomainLine{number, std::string(*domain), std::nullopt};
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
        if (auto parsed = parse_domain_line({line_.get(), length}, line_number_, layout_))
            return parsed;
    }
}

}  // namespace tlsrpt::input
