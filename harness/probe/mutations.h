#pragma once
// Bodies that break one rule of their schema each, made from a valid body:
// a required property left out, a value of the wrong type, outside its enum,
// past a bound or a length, a property a closed object refuses, the body
// itself of the wrong type. Top-level properties and those one object deeper.
// The caller re-validates each against the contract (a mutation that is
// still valid is no negative case).
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "contract/document_set.h"

namespace tollgate::probe {

struct Mutation {
  std::string what;  ///< "/messages: wrong type (string, not array)"
  nlohmann::json body;
};

std::vector<Mutation> mutate(const contract::DocumentSet& docs, contract::NodeRef schema, const nlohmann::json& valid);

/// Bodies at the edges of what the schema allows, one value moved at a
/// time from a valid body: a number at its minimum and at its maximum, a
/// string at its minLength and its maxLength, an array at its minItems,
/// each other value of an enum (ten at most). The caller keeps those the
/// contract accepts (a pattern may refuse a string of the right length).
std::vector<Mutation> edges(const contract::DocumentSet& docs, contract::NodeRef schema, const nlohmann::json& valid);

}  // namespace tollgate::probe
