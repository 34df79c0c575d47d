// `generate`: builds a record from report destinations, checks it with the same evaluation as
// `lint`, and prints it as a value, a zone-file line or JSON.
#include <fmt/format.h>

#include "cli/command.hpp"
#include "cli/standard_streams.hpp"
#include "output/generated_record.hpp"
#include "tlsrpt/domain_name.hpp"
#include "tlsrpt/evaluation.hpp"
#include "tlsrpt/generate.hpp"

namespace tlsrpt::cli {
namespace {

bool starts_with_ignoring_case(std::string_view text, std::string_view prefix) {
    if (text.size() < prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(text[i])) != prefix[i]) return false;
    }
    return true;
}

// --mailto values may omit the scheme; --https values must be URLs of that scheme (plain
// http: passes, so that generate_record can refuse it with its hint).
Expected<std::vector<std::string>, Failure> destinations_of(const GenerateOptions& options) {
    std::vector<std::string> destinations;
    for (const std::string& address : options.mailto) {
        destinations.push_back(starts_with_ignoring_case(address, "mailto:") ? address
                                                                             : "mailto:" + address);
    }
    for (const std::string& url : options.https) {
        if (!starts_with_ignoring_case(url, "http")) {
            return unexpected(
                Failure{ExitCode::bad_input,
                        fmt::format("--https {}: expected a URL starting with https://", url)});
        }
        destinations.push_back(url);
    }
    destinations.insert(destinations.end(), options.destinations.begin(),
                        options.destinations.end());
    if (destinations.empty()) {
        return unexpected(Failure{ExitCode::usage,
                                  "generate needs at least one report destination: --mailto ADDR, "
                                  "--https URL, or a mailto:, https:// or user@host argument"});
    }
    return destinations;
}

// The owner name of the zone line: absolute under --domain, else relative to the zone origin.
Expected<std::string, Failure> owner_domain(const GenerateOptions& options) {
    if (options.domain.empty()) return std::string();
    auto domain = normalise_domain(options.domain);
    if (!domain) {
        return unexpected(
            Failure{ExitCode::bad_input,
                    fmt::format("--domain {}: {}", options.domain, domain.error().message)});
    }
    return *domain;
}

std::string zone_text(const output::GeneratedRecord& generated) {
    std::string text;
    if (generated.strings.size() > 1) {
        text +=
            "; TXT strings hold at most 255 octets: resolvers and mail servers join these\n"
            "; strings with nothing in between.\n";
    }
    return text + generated.zone_line + '\n';
}

CommandResult run_generate(const GenerateOptions& options) {
    const auto destinations = destinations_of(options);
    if (!destinations) return unexpected(destinations.error());
    const auto domain = owner_domain(options);
    if (!domain) return unexpected(domain.error());
    const auto record = generate_record(*destinations);
    if (!record) {
        return unexpected(Failure{
            ExitCode::bad_input,
            fmt::format("destination {}: {}", record.error().destination, record.error().reason)});
    }

    output::GeneratedRecord generated{*record,
                                      {},
                                      split_character_strings(*record),
                                      zone_file_line(*domain, options.ttl, *record)};
    // What we print must be what senders accept: run it through the evaluation.
    const Evaluation evaluation = evaluate({TxtRecord{generated.strings}});
    if (evaluation.status != Status::valid || !evaluation.policy) {
        return unexpected(
            Failure{ExitCode::internal,
                    fmt::format("the generated record does not validate: {}", *record)});
    }
    for (const Destination& destination : evaluation.policy->rua) {
        generated.rua.push_back(destination.uri);
    }

    std::string printed;
    switch (options.format) {
        case GenerateFormat::value:
            printed = generated.record + '\n';
            break;
        case GenerateFormat::zone:
            printed = zone_text(generated);
            break;
        case GenerateFormat::json:
            printed = output::generated_record_json(generated);
            break;
    }
    if (auto failure = write_to_stdout(printed)) return unexpected(*failure);
    return ExitCode::valid;
}

}  // namespace

Command add_generate_command(CLI::App& app, GenerateOptions& options) {
    CLI::App* generate =
        app.add_subcommand("generate", "Build a valid TLS-RPT record from report destinations");
    generate->add_option("DESTINATION", options.destinations,
                         "A report destination: mailto:ADDR, https://URL, or a bare user@host");
    generate
        ->add_option("--mailto", options.mailto,
                     "Send reports by mail to ADDR (mailto: optional); repeatable")
        ->type_name("ADDR")
        ->allow_extra_args(false);  // one value each, so that destinations can follow
    generate->add_option("--https", options.https, "POST reports to URL (https://...); repeatable")
        ->type_name("URL")
        ->allow_extra_args(false);
    add_choice_option(*generate, "--format", options.format,
                      {{"value", GenerateFormat::value},
                       {"zone", GenerateFormat::zone},
                       {"json", GenerateFormat::json}},
                      "Output format: the TXT value, a zone-file line, or JSON (default: value)");
    generate
        ->add_option("--domain", options.domain,
                     "Domain whose _smtp._tls name the zone line publishes (default: a name "
                     "relative to the zone origin)")
        ->type_name("DOMAIN");
    generate->add_option("--ttl", options.ttl, "TTL of the zone line in seconds (default: 86400)")
        ->check(whole_number(0, 2147483647, "seconds"))
        ->option_text("SECONDS");
    generate->footer(
        "Exit codes: 0 the record is printed, 64 usage error, 65 a destination or --domain that\n"
        "cannot be used, 70 internal error, 74 standard output cannot be written. See\n"
        "tlsrpt-check(1).");
    return {generate, [&options] { return run_generate(options); }};
}

}  // namespace tlsrpt::cli
