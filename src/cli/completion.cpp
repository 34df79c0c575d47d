#include "cli/completion.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace tlsrpt::cli {
namespace {

// What a script completes, read from the app.
struct CompletedOption {
    enum class Value { none, file, choice, other };
    std::vector<std::string> short_names;  // without the dash: "f"
    std::vector<std::string> long_names;   // without the dashes: "file"
    std::string description;
    Value value = Value::none;
    std::string value_name;            // FILE, N, ADDR[:PORT]... as --help shows it
    std::vector<std::string> choices;  // Value::choice
};

struct CompletedCommand {
    std::string name;
    std::string description;
    std::vector<CompletedOption> options;
};

struct CompletionModel {
    std::string program;
    // Options before any subcommand that the default command does not have (--version).
    std::vector<CompletedOption> global_options;
    std::vector<CompletedCommand> commands;
    // The command that a first word other than a subcommand runs (`tlsrpt-check DOMAIN`).
    std::string default_command;
};

using Value = CompletedOption::Value;

// --help shows an option that has a group and a name; hidden ones (the completion command's
// own) have an empty group.
bool shown_in_help(const CLI::Option* option) {
    return !option->get_group().empty() && option->nonpositional();
}

std::string one_line(std::string text) {
    std::replace(text.begin(), text.end(), '\n', ' ');
    return text;
}

std::vector<std::string> split(std::string_view text, char separator) {
    std::vector<std::string> parts;
    for (std::size_t start = 0;;) {
        const std::size_t end = text.find(separator, start);
        parts.emplace_back(text.substr(start, end - start));
        if (end == std::string_view::npos) return parts;
        start = end + 1;
    }
}

// The value's name as --help shows it: N, FILE, ADDR[:PORT]. CLI11 appends each validator's
// description to the type name after a colon (`N:INT in [1 - 4096]`).
std::string value_name(const CLI::Option& option) {
    if (!option.get_option_text().empty()) return option.get_option_text();
    std::string name = option.get_type_name();
    int depth = 0;  // in brackets, a colon is the name's own
    for (std::size_t at = 0; at < name.size(); ++at) {
        if (name[at] == '[') ++depth;
        if (name[at] == ']') --depth;
        if (name[at] == ':' && depth == 0) return name.substr(0, at);
    }
    return name;
}

CompletedOption completed_option(const CLI::Option& option) {
    CompletedOption completed;
    completed.short_names = option.get_snames();
    completed.long_names = option.get_lnames();
    completed.description = one_line(option.get_description());
    if (option.get_expected_max() == 0) return completed;  // a flag
    completed.value_name = value_name(option);
    // add_choice_option shows the values as `a|b|c` in --help: the scripts offer those.
    const std::string& shown = option.get_option_text();
    if (shown.find('|') != std::string::npos) {
        completed.value = Value::choice;
        completed.choices = split(shown, '|');
        completed.value_name = completed.long_names.empty() ? "value" : completed.long_names[0];
    } else if (completed.value_name == "FILE") {
        completed.value = Value::file;
    } else {
        completed.value = Value::other;
    }
    return completed;
}

std::vector<CompletedOption> completed_options(const CLI::App& command) {
    std::vector<CompletedOption> options;
    for (const CLI::Option* option : command.get_options(shown_in_help)) {
        options.push_back(completed_option(*option));
    }
    return options;
}

// Every spelling of the option: -f, --file.
std::vector<std::string> dashed_names(const CompletedOption& option) {
    std::vector<std::string> names;
    for (const std::string& name : option.short_names) names.push_back("-" + name);
    for (const std::string& name : option.long_names) names.push_back("--" + name);
    return names;
}

std::string join(const std::vector<std::string>& words, std::string_view separator) {
    return fmt::format("{}", fmt::join(words, separator));
}

std::string replace_all(std::string text, std::string_view from, std::string_view to) {
    for (std::size_t at = 0; (at = text.find(from, at)) != std::string::npos; at += to.size()) {
        text.replace(at, from.size(), to);
    }
    return text;
}

// Text inside '...' for sh, bash and zsh.
std::string sh_quoted(std::string_view text) {
    return "'" + replace_all(std::string(text), "'", "'\\''") + "'";
}

// The function name a shell can use: tlsrpt-check -> tlsrpt_check.
std::string identifier(std::string name) {
    std::replace(name.begin(), name.end(), '-', '_');
    return name;
}

std::vector<std::string> command_names(const CompletionModel& model) {
    std::vector<std::string> names;
    for (const CompletedCommand& command : model.commands) names.push_back(command.name);
    return names;
}

// `case` patterns of an option of a command: "check -f" | "check --file".
std::string bash_patterns(const CompletedCommand& command, const CompletedOption& option) {
    std::vector<std::string> patterns;
    for (const std::string& name : dashed_names(option)) {
        patterns.push_back("\"" + command.name + " " + name + "\"");
    }
    return join(patterns, " | ");
}

std::string bash_script(const CompletionModel& model) {
    const std::string function = "_" + identifier(model.program);
    std::vector<std::string> file_patterns;
    std::vector<std::string> other_patterns;
    std::string choices;  // case arms: "command option") COMPREPLY=(...) ;;
    std::string options;  // case arms: command) words='...' ;;
    for (const CompletedCommand& command : model.commands) {
        std::vector<std::string> words;
        for (const CompletedOption& option : command.options) {
            const std::vector<std::string> names = dashed_names(option);
            words.insert(words.end(), names.begin(), names.end());
            if (option.value == Value::file) {
                file_patterns.push_back(bash_patterns(command, option));
            }
            if (option.value == Value::other) {
                other_patterns.push_back(bash_patterns(command, option));
            }
            if (option.value == Value::choice) {
                choices += fmt::format("    {})\n", bash_patterns(command, option)) +
                           "        COMPREPLY=($(compgen -W " +
                           sh_quoted(join(option.choices, " ")) + " -- \"$cur\"))\n" +
                           "        return ;;\n";
            }
        }
        options += fmt::format("    {}) words={} ;;\n", command.name, sh_quoted(join(words, " ")));
    }
    std::string value_arms;
    if (!file_patterns.empty()) {
        value_arms += "    " + join(file_patterns, " | ") +
                      ")\n        compopt -o filenames 2>/dev/null\n        local IFS=$'\\n'\n"
                      "        COMPREPLY=($(compgen -f -- \"$cur\"))\n        return ;;\n";
    }
    value_arms += choices;
    if (!other_patterns.empty()) {
        value_arms += "    # Values nothing can guess: no completion.\n    " +
                      join(other_patterns, " | ") + ")\n        return ;;\n";
    }
    std::vector<std::string> global_words;
    for (const CompletedOption& option : model.global_options) {
        for (const std::string& name : dashed_names(option)) global_words.push_back(name);
    }
    const std::string commands = join(command_names(model), " ");
    return fmt::format(
        R"(# bash completion for {program}, generated by `{program} completion bash`.
{function}() {{
    local cur=${{COMP_WORDS[COMP_CWORD]}} option=${{COMP_WORDS[COMP_CWORD-1]}}
    # bash splits --option=value at '=' (COMP_WORDBREAKS).
    if [[ $cur == = ]]; then
        cur=
    elif [[ $option == = ]] && ((COMP_CWORD >= 2)); then
        option=${{COMP_WORDS[COMP_CWORD-2]}}
    fi
    # A first word that is no subcommand runs the default one.
    local command={default_command}
    if ((COMP_CWORD > 1)); then
        case ${{COMP_WORDS[1]}} in
        {command_pattern}) command=${{COMP_WORDS[1]}} ;;
        esac
    fi
    case "$command $option" in
{value_arms}    esac
    local words
    case $command in
{options}    esac
    if ((COMP_CWORD == 1)); then
        if [[ $cur == -* ]]; then
            words+={global_words}
        else
            words={commands}
        fi
    elif [[ $cur != -* ]]; then
        return
    fi
    COMPREPLY=($(compgen -W "$words" -- "$cur"))
}}
complete -F {function} {program}
)",
        fmt::arg("program", model.program), fmt::arg("function", function),
        fmt::arg("default_command", model.default_command),
        fmt::arg("command_pattern", join(command_names(model), " | ")),
        fmt::arg("value_arms", value_arms), fmt::arg("options", options),
        fmt::arg("global_words", sh_quoted(" " + join(global_words, " "))),
        fmt::arg("commands", sh_quoted(commands)));
}

// One _arguments spec per option, e.g. '*'{-f+,--file=}'[Read FILE]:FILE:_files'. Options may
// be repeated: CLI11 takes the last value, or all of them for lists.
std::string zsh_option_spec(const CompletedOption& option) {
    const auto escaped_description = [&] {
        std::string text = replace_all(option.description, "\\", "\\\\");
        text = replace_all(text, "[", "\\[");
        return replace_all(text, "]", "\\]");
    }();
    std::vector<std::string> names;
    const char* short_suffix = option.value == Value::none ? "" : "+";
    const char* long_suffix = option.value == Value::none ? "" : "=";
    for (const std::string& name : option.short_names) names.push_back("-" + name + short_suffix);
    for (const std::string& name : option.long_names) names.push_back("--" + name + long_suffix);
    std::string spec =
        names.size() == 1 ? sh_quoted("*" + names[0]) : "'*'{" + join(names, ",") + "}";
    std::string rest = "[" + escaped_description + "]";
    if (option.value != Value::none) {
        rest += ":" + replace_all(option.value_name, ":", "\\:") + ":";
        if (option.value == Value::file) rest += "_files";
        if (option.value == Value::choice) rest += "(" + join(option.choices, " ") + ")";
        if (option.value == Value::other) rest += " ";
    }
    return spec + sh_quoted(rest);
}

std::string zsh_script(const CompletionModel& model) {
    const std::string function = "_" + model.program;
    std::string functions;
    std::string descriptions;
    for (const CompletedCommand& command : model.commands) {
        functions +=
            fmt::format("{}_{}() {{\n    _arguments -s -S \"$@\" \\\n", function, command.name);
        for (const CompletedOption& option : command.options) {
            functions += "        " + zsh_option_spec(option) + " \\\n";
        }
        functions += "        '*:argument: '\n}\n\n";
        descriptions += "        " + sh_quoted(command.name + ":" + command.description) + "\n";
    }
    std::vector<std::string> global_specs;
    for (const CompletedOption& option : model.global_options) {
        global_specs.push_back(zsh_option_spec(option));
    }
    return fmt::format(
        R"(#compdef {program}
# zsh completion for {program}, generated by `{program} completion zsh`.

{functions}{function}() {{
    local -a commands=(
{descriptions}    )
    # A first word that is no subcommand runs the default one.
    if ((CURRENT > 2)) && [[ $words[2] == ({command_pattern}) ]]; then
        local command=$words[2]
        shift words
        ((CURRENT--))
        {function}_$command
    elif ((CURRENT == 2)) && [[ $PREFIX != -* ]]; then
        _describe -t commands '{program} command' commands
    else
        {function}_{default_command} {global_specs}
    fi
}}

if [[ $funcstack[1] == {function} ]]; then
    {function} "$@"
else
    compdef {function} {program}
fi
)",
        fmt::arg("program", model.program), fmt::arg("function", function),
        fmt::arg("functions", functions), fmt::arg("descriptions", descriptions),
        fmt::arg("command_pattern", join(command_names(model), "|")),
        fmt::arg("default_command", model.default_command),
        fmt::arg("global_specs", join(global_specs, " ")));
}

// Text inside '...' for fish.
std::string fish_quoted(std::string_view text) {
    return "'" + replace_all(replace_all(std::string(text), "\\", "\\\\"), "'", "\\'") + "'";
}

std::string fish_option_line(const std::string& program, const std::string& condition,
                             const CompletedOption& option) {
    std::string line = "complete -c " + program + " -n " + fish_quoted(condition);
    for (const std::string& name : option.short_names) line += " -s " + name;
    for (const std::string& name : option.long_names) line += " -l " + name;
    if (option.value == Value::file) line += " -r -F";
    if (option.value == Value::choice) line += " -x -a " + fish_quoted(join(option.choices, " "));
    if (option.value == Value::other) line += " -x";
    return line + " -d " + fish_quoted(option.description) + "\n";
}

std::string fish_script(const CompletionModel& model) {
    const std::string function = "__" + identifier(model.program) + "_command";
    const std::string first_word = "test (count (commandline -opc)) -eq 1";
    std::string lines;
    for (const CompletedCommand& command : model.commands) {
        lines +=
            fmt::format("complete -c {} -n {} -a {} -d {}\n", model.program,
                        fish_quoted(first_word), command.name, fish_quoted(command.description));
    }
    for (const CompletedOption& option : model.global_options) {
        lines += fish_option_line(model.program, first_word, option);
    }
    for (const CompletedCommand& command : model.commands) {
        for (const CompletedOption& option : command.options) {
            lines += fish_option_line(model.program, "test (" + function + ") = " + command.name,
                                      option);
        }
    }
    return fmt::format(
        R"(# fish completion for {program}, generated by `{program} completion fish`.

# The subcommand of the command line; a first word that is none runs the default one.
function {function}
    set -l words (commandline -opc)
    if set -q words[2]; and contains -- $words[2] {commands}
        echo $words[2]
    else
        echo {default_command}
    end
end

# Files only where an option takes one.
complete -c {program} -f
{lines})",
        fmt::arg("program", model.program), fmt::arg("function", function),
        fmt::arg("commands", join(command_names(model), " ")),
        fmt::arg("default_command", model.default_command), fmt::arg("lines", lines));
}

// The visible subcommands and options of `app`, as --help lists them.
CompletionModel completion_model(const CLI::App& app, std::string_view default_command) {
    CompletionModel model{app.get_name(), {}, {}, std::string(default_command)};
    for (const CLI::App* command : app.get_subcommands({})) {
        if (command->get_group().empty()) continue;  // hidden: the completion command itself
        model.commands.push_back(CompletedCommand{command->get_name(),
                                                  one_line(command->get_description()),
                                                  completed_options(*command)});
    }
    const auto default_found = std::find_if(
        model.commands.begin(), model.commands.end(),
        [&](const CompletedCommand& command) { return command.name == default_command; });
    for (CompletedOption& option : completed_options(app)) {
        const bool default_has_it =
            default_found != model.commands.end() &&
            std::any_of(default_found->options.begin(), default_found->options.end(),
                        [&](const CompletedOption& other) {
                            return other.long_names == option.long_names;
                        });
        if (!default_has_it) model.global_options.push_back(std::move(option));
    }
    return model;
}

}  // namespace

std::string completion_script(const CLI::App& app, std::string_view default_command,
                              CompletionShell shell) {
    const CompletionModel model = completion_model(app, default_command);
    switch (shell) {
        case CompletionShell::bash:
            return bash_script(model);
        case CompletionShell::zsh:
            return zsh_script(model);
        case CompletionShell::fish:
            return fish_script(model);
    }
    return {};
}

}  // namespace tlsrpt::cli
