// tollgate: load-testing and conformance harness for AI-gateway APIs.
#include <iostream>

#include <CLI/CLI.hpp>

#include "harness/cli/contract_commands.h"
#include "harness/cli/exit_codes.h"

int main(int argc, char** argv) {
  using namespace tollgate::cli;
  CLI::App app{"tollgate: load-testing and conformance harness for AI-gateway APIs"};
  app.require_subcommand(1);

  app.add_subcommand("version", "print the version")->callback([] { std::cout << "tollgate " TOLLGATE_VERSION "\n"; });

  auto* contract = app.add_subcommand("contract", "inspect OpenAPI contracts");
  contract->require_subcommand(1);
  int code = kOk;

  std::vector<std::string> lint_files;
  auto* lint = contract->add_subcommand("lint", "load a contract, check its references, schemas and examples");
  lint->add_option("FILE", lint_files, "OpenAPI 3.0 document(s), YAML or JSON")->required()->check(CLI::ExistingFile);
  lint->callback([&] { code = contract_lint(lint_files, std::cout, std::cerr); });

  std::string ops_file;
  auto* ops = contract->add_subcommand("ops", "list a contract's operations");
  ops->add_option("FILE", ops_file, "OpenAPI 3.0 document, YAML or JSON")->required()->check(CLI::ExistingFile);
  ops->callback([&] { code = contract_ops(ops_file, std::cout, std::cerr); });

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? kOk : kBadInput;
  }
  return code;
}
