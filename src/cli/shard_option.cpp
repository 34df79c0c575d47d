#include "cli/command.hpp"
#include "tlsrpt/shard.hpp"

namespace tlsrpt::cli {

CLI::Option* add_shard_option(CLI::App& check, std::optional<Shard>& target) {
    return check
        .add_option_function<std::string>(
            "--shard", [&target](const std::string& text) { target = *parse_shard(text); },
            "With -f, check only the domains of shard K of N (K from 0 to N-1): a fixed hash "
            "of each normalised domain picks its shard, so N runs together check the list "
            "once")
        ->type_name("K/N")
        ->check([](const std::string& text) {
            auto shard = parse_shard(text);
            return shard ? std::string() : shard.error();
        })
        ->needs(check.get_option("--file"));
}

}  // namespace tlsrpt::cli
