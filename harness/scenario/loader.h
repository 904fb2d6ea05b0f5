#pragma once
// The scenario loader, internal to scenario/: one object per file, whose
// parts live in plan_loader.cpp (the plan, defaults, env, the schema,
// thresholds), scenario_loader.cpp (executors), step_loader.cpp (requests,
// templates, extracts, polls, callbacks), expect_loader.cpp (checks) and
// data_source.cpp (CSV and JSON Lines rows), workload_loader.cpp (lengths,
// conversations). Every error names
// file:line:column and what was expected.
#include <map>
#include <memory>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "common/yaml_json.h"
#include "harness/scenario/scenario.h"

namespace tollgate::scenario {

/// The scenario schema (scenario.schema.yaml), embedded at build time.
extern const char kScenarioSchema[];

class Loader {
 public:
  Loader(const std::string& name, const YamlDocument& doc, const Env& env, std::string base_dir)
      : name_(name), doc_(doc), env_(env), base_dir_(std::move(base_dir)) {}

  Plan run(nlohmann::json root);

 private:
  using json = nlohmann::json;

  // plan_loader.cpp
  SourceLocation where(const std::string& pointer) const { return doc_.sources.locate(name_, pointer); }
  [[noreturn]] void fail(const std::string& pointer, const std::string& message) const;
  [[noreturn]] void fail_key(const std::string& pointer, const std::string& message) const;
  void substitute(json& node, const std::string& pointer);
  void validate(const json& root) const;
  void defaults(const json& root, Plan& plan) const;
  nanoseconds duration_at(const std::string& pointer, const json& value) const;
  double rate_at(const std::string& pointer, const json& value) const;
  std::pair<std::string, std::shared_ptr<const contract::Contract>> load_contract(const json& value,
                                                                                 const std::string& at) const;
  void check_scope(const Threshold& t, const Plan& plan, const std::string& at) const;

  // scenario_loader.cpp
  Scenario scenario(const std::string& name, const json& s, const std::string& at, const Plan& plan) const;
  void executor_fields(Scenario& out, const json& s, const std::string& at) const;
  void series_fields(Scenario& out, const json& s, const std::string& at, const std::string& exec) const;

  // step_loader.cpp
  Step step(const json& s, const std::string& at, const Plan& plan, std::set<std::string>& vars) const;
  void target(Step& out, const json& s, const std::string& at, const Plan& plan) const;
  void templates(Step& out, const json& s, const std::string& at, const std::set<std::string>& vars) const;
  Template template_at(const std::string& at, const std::string& text, const std::set<std::string>& vars) const;
  void flow(Step& out, const json& s, const std::string& at, std::set<std::string>& vars) const;
  void pointer_at(const std::string& at, const std::string& pointer) const;

  // expect_loader.cpp
  void expect(Step& out, const json& e, const std::string& at, const Plan& plan) const;
  void expect_headers(Expect& x, const json& e, const std::string& at) const;
  void expect_body(Expect& x, const json& e, const std::string& at) const;
  BodyCheck body_check(const std::string& pointer, const std::string& key, const json& arg, const std::string& at) const;
  void regex_at(const std::string& at, const std::string& re) const;

  // data_source.cpp
  DataSource load_data(const json& d, const std::string& at) const;
  /// The text of a rows file ({file, order} at `at`), its path resolved
  /// beside the scenario file, and whether its order is random.
  std::string read_rows_file(const json& d, const std::string& at, std::string& path, bool& random) const;

  // workload_loader.cpp
  Workload load_workload(const json& w, const std::string& at, std::set<std::string>& vars) const;
  LengthDist length_at(const std::string& at, const json& v) const;

  const std::string& name_;
  const YamlDocument& doc_;
  const Env& env_;
  std::string base_dir_;
  mutable std::map<std::string, std::shared_ptr<const contract::Contract>> contracts_;
};

/// A variable name: letters, digits and _, not starting with a digit.
bool is_variable_name(const std::string& name);

}  // namespace tollgate::scenario
