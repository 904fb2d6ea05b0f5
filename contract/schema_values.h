#pragma once
// What the schema validator asks of single values: JSON types as OpenAPI
// names them, short renderings for messages, string lengths in characters,
// formats, and the bit of each keyword it reads. Internal to contract/.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace tollgate::contract {

/// A short rendering of a JSON value for messages (at most ~60 characters).
std::string brief(const nlohmann::json& value);

/// The JSON type name of a value as JSON Schema says it ("integer" for
/// whole numbers).
std::string json_type_name(const nlohmann::json& value);

/// An integer, or a float with no fraction.
bool is_integral(const nlohmann::json& v);
/// Whether `v` is of the OpenAPI `type`.
bool type_matches(const std::string& type, const nlohmann::json& v);
/// Characters (UTF-8 sequences) in `s`.
std::size_t utf8_length(const std::string& s);
/// Checks `v` against an OpenAPI format; returns the complaint or "" (an
/// unknown format is an annotation).
std::string format_problem(const std::string& format, const nlohmann::json& v);

/// The keyword's bit in a schema's keyword mask, -1 when validation does
/// not read it.
int keyword_bit(std::string_view key);
/// The bits of the keywords `node` holds.
std::uint32_t keyword_mask(const nlohmann::json& node);
/// s.find(key) when the schema has keyword `bit`, else s.end() without a lookup.
nlohmann::json::const_iterator find_kw(const nlohmann::json& s, std::uint32_t mask, int bit, const char* key);
bool has_kw(std::uint32_t mask, const char* key);

}  // namespace tollgate::contract
