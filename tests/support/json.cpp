#include "json.hpp"

#include <cstdlib>
#include <stdexcept>

namespace tlsrpt::testing {

class JsonParser {
  public:
    explicit JsonParser(std::string_view text) : text_(text) {}

    Json document() {
        Json value = parse_value();
        skip_space();
        if (position_ != text_.size()) fail("trailing characters");
        return value;
    }

  private:
    [[noreturn]] void fail(const std::string& what) const {
        throw std::runtime_error("JSON: " + what + " at offset " + std::to_string(position_));
    }

    void skip_space() {
        while (position_ < text_.size() &&
               std::string_view(" \t\r\n").find(text_[position_]) != std::string_view::npos) {
            ++position_;
        }
    }

    char next() {
        if (position_ >= text_.size()) fail("unexpected end");
        return text_[position_++];
    }

    void expect(std::string_view word) {
        if (text_.substr(position_, word.size()) != word) fail("expected " + std::string(word));
        position_ += word.size();
    }

    Json parse_value() {
        skip_space();
        Json value;
        if (position_ >= text_.size()) fail("unexpected end");
        switch (text_[position_]) {
            case '{':
                value.value_ = parse_object();
                break;
            case '[':
                value.value_ = parse_array();
                break;
            case '"':
                value.value_ = parse_string();
                break;
            case 't':
                expect("true"), value.value_ = true;
                break;
            case 'f':
                expect("false"), value.value_ = false;
                break;
            case 'n':
                expect("null"), value.value_ = nullptr;
                break;
            default:
                value.value_ = parse_number();
        }
        return value;
    }

    Json::Object parse_object() {
        Json::Object object;
        expect("{");
        skip_space();
        if (position_ < text_.size() && text_[position_] == '}') return ++position_, object;
        for (;;) {
            skip_space();
            std::string key = parse_string();
            skip_space();
            expect(":");
            // RFC 8259 leaves duplicate names to the reader; the program never writes one.
            if (!object.emplace(std::move(key), parse_value()).second) fail("duplicate name");
            skip_space();
            const char separator = next();
            if (separator == '}') return object;
            if (separator != ',') fail("expected , or }");
        }
    }

    Json::Array parse_array() {
        Json::Array array;
        expect("[");
        skip_space();
        if (position_ < text_.size() && text_[position_] == ']') return ++position_, array;
        for (;;) {
            array.push_back(parse_value());
            skip_space();
            const char separator = next();
            if (separator == ']') return array;
            if (separator != ',') fail("expected , or ]");
        }
    }

    unsigned hex4() {
        unsigned value = 0;
        for (int i = 0; i < 4; ++i) {
            const char c = next();
            value <<= 4;
            if (c >= '0' && c <= '9')
                value |= static_cast<unsigned>(c - '0');
            else if (c >= 'a' && c <= 'f')
                value |= static_cast<unsigned>(c - 'a' + 10);
            else if (c >= 'A' && c <= 'F')
                value |= static_cast<unsigned>(c - 'A' + 10);
            else
                fail("bad \\u escape");
        }
        return value;
    }

    static void append_utf8(std::string& out, unsigned code_point) {
        if (code_point < 0x80) {
            out += static_cast<char>(code_point);
        } else if (code_point < 0x800) {
            out += static_cast<char>(0xc0 | (code_point >> 6));
            out += static_cast<char>(0x80 | (code_point & 0x3f));
        } else if (code_point < 0x10000) {
            out += static_cast<char>(0xe0 | (code_point >> 12));
            out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3f));
            out += static_cast<char>(0x80 | (code_point & 0x3f));
        } else {
            out += static_cast<char>(0xf0 | (code_point >> 18));
            out += static_cast<char>(0x80 | ((code_point >> 12) & 0x3f));
            out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3f));
            out += static_cast<char>(0x80 | (code_point & 0x3f));
        }
    }

    std::string parse_string() {
        expect("\"");
        std::string out;
        for (;;) {
            const char c = next();
            if (c == '"') return out;
            if (static_cast<unsigned char>(c) < 0x20) fail("raw control character in a string");
            if (c != '\\') {
                out += c;
                continue;
            }
            const char escaped = next();
            switch (escaped) {
                case '"':
                    out += '"';
                    break;
                case '\\':
                    out += '\\';
                    break;
                case '/':
                    out += '/';
                    break;
                case 'b':
                    out += '\b';
                    break;
                case 'f':
                    out += '\f';
                    break;
                case 'n':
                    out += '\n';
                    break;
                case 'r':
                    out += '\r';
                    break;
                case 't':
                    out += '\t';
                    break;
                case 'u': {
                    unsigned code_point = hex4();
                    if (code_point >= 0xd800 && code_point < 0xdc00) {
                        expect("\\u");
                        code_point = 0x10000 + ((code_point - 0xd800) << 10) + (hex4() - 0xdc00);
                    }
                    append_utf8(out, code_point);
                    break;
                }
                default:
                    fail("bad escape");
            }
        }
    }

    // The length of the digits at `from`.
    std::size_t digits(std::size_t from) const {
        std::size_t end = from;
        while (end < text_.size() && text_[end] >= '0' && text_[end] <= '9') ++end;
        return end - from;
    }

    // RFC 8259's grammar only (strtod alone would take "nan", "inf", hex and a leading '+').
    double parse_number() {
        std::size_t end = position_;
        if (end < text_.size() && text_[end] == '-') ++end;
        const std::size_t integer = digits(end);
        if (integer == 0 || (integer > 1 && text_[end] == '0')) fail("expected a value");
        end += integer;
        if (end < text_.size() && text_[end] == '.') {
            const std::size_t fraction = digits(end + 1);
            if (fraction == 0) fail("expected digits after the decimal point");
            end += 1 + fraction;
        }
        if (end < text_.size() && (text_[end] == 'e' || text_[end] == 'E')) {
            ++end;
            if (end < text_.size() && (text_[end] == '+' || text_[end] == '-')) ++end;
            const std::size_t exponent = digits(end);
            if (exponent == 0) fail("expected digits in the exponent");
            end += exponent;
        }
        const std::string number(text_.substr(position_, end - position_));
        position_ = end;
        return std::strtod(number.c_str(), nullptr);
    }

    std::string_view text_;
    std::size_t position_ = 0;
};

Json Json::parse(std::string_view text) {
    return JsonParser(text).document();
}

bool Json::contains(std::string_view key) const {
    const auto* fields = std::get_if<Object>(&value_);
    return fields != nullptr && fields->find(key) != fields->end();
}

const Json& Json::operator[](std::string_view key) const {
    const auto& fields = object();
    const auto found = fields.find(key);
    if (found == fields.end()) throw std::out_of_range("JSON: no field " + std::string(key));
    return found->second;
}

std::size_t Json::size() const {
    if (const auto* elements = std::get_if<Array>(&value_)) return elements->size();
    return object().size();
}

}  // namespace tlsrpt::testing
