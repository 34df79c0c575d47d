#include <catch2/catch.hpp>

#include "tlsrpt/exit_code.hpp"
#include "tlsrpt/txt.hpp"

using namespace tlsrpt;

TEST_CASE("statuses map to their exit codes") {
    CHECK(exit_code_for(Status::valid) == ExitCode::valid);
    CHECK(exit_code_for(Status::warning) == ExitCode::warning);
    CHECK(exit_code_for(Status::missing) == ExitCode::missing);
    CHECK(exit_code_for(Status::invalid) == ExitCode::invalid);
    CHECK(exit_code_for(Status::error) == ExitCode::lookup_error);
    CHECK(static_cast<int>(ExitCode::lookup_error) == 4);
}

TEST_CASE("the worst exit code wins") {
    CHECK(worst(ExitCode::warning, ExitCode::invalid) == ExitCode::invalid);
    CHECK(worst(ExitCode::usage, ExitCode::valid) == ExitCode::usage);
    CHECK(worst(ExitCode::missing, ExitCode::missing) == ExitCode::missing);
}

TEST_CASE("character-strings join with nothing in between") {
    CHECK(join_strings(TxtRecord{{"v=TLSRPTv1;", " rua=mailto:a@", "example.com"}}) ==
          "v=TLSRPTv1; rua=mailto:a@example.com");
    CHECK(join_strings(TxtRecord{}) == "");
    CHECK(join_strings(TxtRecord{{std::string("a\0b", 3)}}).size() == 3);
}
