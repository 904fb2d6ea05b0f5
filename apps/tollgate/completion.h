#pragma once
// Shell completion read from the command line's own definition (CLI11's
// subcommands and options), so that it never drifts from it.
#include <string>

#include <CLI/CLI.hpp>

namespace tollgate::cli {

/// A bash completion script for `program`: every (sub)command path of `app`,
/// its subcommands, its options, which options take a value and, for those
/// checked against a set (CLI::IsMember), the values. Positional arguments
/// and other values complete as file names.
std::string bash_completion(CLI::App& app, const std::string& program);

/// Adds `completion SHELL` (only bash) to `app`: prints bash_completion().
void add_completion_command(CLI::App& app, const std::string& program);

}  // namespace tollgate::cli
