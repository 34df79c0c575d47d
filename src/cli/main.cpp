#include <CLI/CLI.hpp>

#include "tlsrpt/exit_code.hpp"

int main(int argc, char** argv) {
    CLI::App app{"tlsrpt-check: check SMTP TLS Reporting (RFC 8460) records"};
    app.set_version_flag("--version", "tlsrpt-check 0.1.0");
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        app.exit(e);
        return e.get_exit_code() == 0 ? 0 : static_cast<int>(tlsrpt::ExitCode::usage);
    }
    return 0;
}
