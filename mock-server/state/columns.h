#pragma once
// A record's table in the state file, described once: each column's name,
// its SQL type and the member it holds. The same description makes the
// CREATE TABLE, the statement that saves a record and the one that loads
// it, so the three can never disagree.
#include <cstdint>
#include <functional>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

namespace tollgate::mock {

/// A value as SQLite holds it: INTEGER or TEXT.
using SqlValue = std::variant<std::int64_t, std::string>;

/// How a member of type T is kept in a column.
template <class T, class = void>
struct SqlCodec;

template <class T>
struct SqlCodec<T, std::enable_if_t<std::is_integral_v<T> || std::is_enum_v<T>>> {
  static constexpr bool kText = false;
  static SqlValue to(T v) { return static_cast<std::int64_t>(v); }
  static T from(const SqlValue& v) {
    if constexpr (std::is_same_v<T, bool>) return std::get<std::int64_t>(v) != 0;
    else return static_cast<T>(std::get<std::int64_t>(v));
  }
};

template <>
struct SqlCodec<std::string> {
  static constexpr bool kText = true;
  static SqlValue to(const std::string& v) { return v; }
  static std::string from(const SqlValue& v) { return std::get<std::string>(v); }
};

/// A list of names, kept as a JSON array.
template <>
struct SqlCodec<std::vector<std::string>> {
  static constexpr bool kText = true;
  static SqlValue to(const std::vector<std::string>& v) { return nlohmann::json(v).dump(); }
  static std::vector<std::string> from(const SqlValue& v) {
    return nlohmann::json::parse(std::get<std::string>(v)).get<std::vector<std::string>>();
  }
};

/// One column of record R's table.
template <class R>
struct Column {
  std::string name;
  std::string type;   ///< as in CREATE TABLE: "INTEGER NOT NULL", "TEXT PRIMARY KEY", ...
  bool text = false;  ///< read back as TEXT, else as INTEGER
  std::function<SqlValue(const R&)> get;
  std::function<void(R&, const SqlValue&)> set;
};

/// The column `name` holding `member` (of R or of a base of R).
template <class R, class M, class Base>
Column<R> column(std::string name, std::string type, M Base::*member) {
  static_assert(std::is_base_of_v<Base, R>);
  using Codec = SqlCodec<M>;
  return {std::move(name), std::move(type), Codec::kText,
          [member](const R& r) { return Codec::to(r.*member); },
          [member](R& r, const SqlValue& v) { r.*member = Codec::from(v); }};
}

/// A record's table: its columns in order, the first being the key.
template <class R>
struct Table {
  std::string name;
  std::string record;  ///< what one row is, for messages ("task")
  std::vector<Column<R>> columns;
  /// Save updates a row in place (keeping its rowid, the order records were
  /// first saved in) instead of replacing it.
  bool update_in_place = false;

  std::string create_sql() const {
    std::string sql = "CREATE TABLE " + name + " (";
    for (std::size_t i = 0; i < columns.size(); ++i)
      sql += (i ? ", " : "") + columns[i].name + " " + columns[i].type;
    return sql + ");";
  }
  /// INSERT OR REPLACE (or an upsert in place) with ?1..?N in column order.
  std::string save_sql() const {
    std::string names, params, updates;
    for (std::size_t i = 0; i < columns.size(); ++i) {
      names += (i ? ", " : "") + columns[i].name;
      params += (i ? ", ?" : "?") + std::to_string(i + 1);
      if (i) updates += (i > 1 ? ", " : "") + columns[i].name + " = excluded." + columns[i].name;
    }
    if (!update_in_place) return "INSERT OR REPLACE INTO " + name + " (" + names + ") VALUES (" + params + ")";
    return "INSERT INTO " + name + " (" + names + ") VALUES (" + params + ") ON CONFLICT(" + columns.front().name +
           ") DO UPDATE SET " + updates;
  }
  static constexpr std::size_t kAll = static_cast<std::size_t>(-1);
  /// The columns in order, of every row or of the newest `newest` rows,
  /// oldest first (by rowid).
  std::string load_sql(std::size_t newest = kAll) const {
    std::string names;
    for (std::size_t i = 0; i < columns.size(); ++i) names += (i ? ", " : "") + columns[i].name;
    if (newest == kAll) return "SELECT " + names + " FROM " + name + " ORDER BY rowid";
    return "SELECT " + names + " FROM (SELECT rowid AS seq_, * FROM " + name + " ORDER BY rowid DESC LIMIT " +
           std::to_string(newest) + ") ORDER BY seq_";
  }
};

}  // namespace tollgate::mock
