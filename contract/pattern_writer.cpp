#include "contract/pattern_writer.h"

#include <cctype>
#include <vector>

namespace tollgate::contract {
namespace {

// Writes one string a regular expression matches, for the common subset
// of ECMAScript patterns; false on anything else (lookarounds, back
// references), and the caller falls back.
struct PatternWriter {
  const std::string& p;
  std::uint64_t seed;

  std::uint64_t step() { return (seed = seed * 6364136223846793005ull + 1442695040888963407ull) >> 33; }
  char pick(const std::string& chars) { return chars[step() % chars.size()]; }

  bool sequence(std::size_t& i, std::string& out, int depth) {
    if (depth > 16) return false;
    std::string branch;
    std::vector<std::string> branches;
    while (i < p.size() && p[i] != ')') {
      if (p[i] == '|') {
        branches.push_back(std::move(branch));
        branch.clear();
        ++i;
        continue;
      }
      std::string atom;
      if (!this->atom(i, atom, depth)) return false;
      std::size_t lo = 1, hi = 1;
      if (!quantifier(i, lo, hi)) return false;
      const std::size_t n = lo + (hi > lo ? step() % (std::min<std::size_t>(hi, lo + 3) - lo + 1) : 0);
      for (std::size_t k = 0; k < n; ++k) {
        if (k > 0 && atom_start_ != std::string::npos) {  // re-draw classes for variety
          std::size_t j = atom_start_;
          std::string again;
          if (!this->atom(j, again, depth)) return false;
          branch += again;
        } else {
          branch += atom;
        }
      }
    }
    branches.push_back(std::move(branch));
    out += branches.front();  // the first alternative: the most literal one, usually
    return true;
  }

  std::size_t atom_start_ = std::string::npos;

  bool atom(std::size_t& i, std::string& out, int depth) {
    atom_start_ = i;
    const char c = p[i];
    if (c == '^' || c == '$') {
      ++i;
      atom_start_ = std::string::npos;
      return true;
    }
    if (c == '(') {
      ++i;
      if (i < p.size() && p[i] == '?') {
        if (i + 1 < p.size() && p[i + 1] == ':') i += 2;
        else return false;  // lookarounds and named groups
      }
      if (!sequence(i, out, depth + 1) || i >= p.size() || p[i] != ')') return false;
      ++i;
      atom_start_ = std::string::npos;
      return true;
    }
    if (c == '[') return cls(i, out);
    if (c == '\\') return escape(i, out);
    if (c == '.') {
      ++i;
      out += pick("abcxyz");
      return true;
    }
    if (c == '*' || c == '+' || c == '?' || c == '{') return false;
    out += c;
    ++i;
    atom_start_ = std::string::npos;
    return true;
  }

  bool escape(std::size_t& i, std::string& out) {
    if (i + 1 >= p.size()) return false;
    const char e = p[i + 1];
    i += 2;
    if (e == 'd') out += pick("0123456789");
    else if (e == 'w') out += pick("abcdefghijklmnopqrstuvwxyz0123456789");
    else if (e == 's') out += ' ';
    else if (std::isalnum(static_cast<unsigned char>(e))) return false;  // \b, \D, \1, \u...: not written
    else out += e;
    return true;
  }

  bool cls(std::size_t& i, std::string& out) {
    ++i;
    if (i < p.size() && p[i] == '^') return false;  // a negated class
    std::string chars;
    while (i < p.size() && p[i] != ']') {
      char a = p[i];
      if (a == '\\') {
        std::string one;
        if (!escape(i, one)) return false;
        chars += one;
        continue;
      }
      if (i + 2 < p.size() && p[i + 1] == '-' && p[i + 2] != ']') {
        for (char x = a; x <= p[i + 2] && x >= a; ++x) chars += x;
        i += 3;
        continue;
      }
      chars += a;
      ++i;
    }
    if (i >= p.size() || chars.empty()) return false;
    ++i;
    out += pick(chars);
    return true;
  }

  bool quantifier(std::size_t& i, std::size_t& lo, std::size_t& hi) {
    if (i >= p.size()) return true;
    const char q = p[i];
    if (q == '*') lo = 0, hi = 3;
    else if (q == '+') lo = 1, hi = 3;
    else if (q == '?') lo = 0, hi = 1;
    else if (q == '{') {
      const auto close = p.find('}', i);
      if (close == std::string::npos) return false;
      const std::string body = p.substr(i + 1, close - i - 1);
      const auto comma = body.find(',');
      try {
        lo = std::stoul(body.substr(0, comma));
        hi = comma == std::string::npos ? lo
             : comma + 1 == body.size() ? lo + 3
                                        : std::stoul(body.substr(comma + 1));
      } catch (const std::exception&) {
        return false;
      }
      if (lo > 256 || hi < lo) return false;
      i = close + 1;
      if (i < p.size() && p[i] == '?') ++i;  // lazy
      return true;
    } else {
      return true;
    }
    ++i;
    if (i < p.size() && p[i] == '?') ++i;
    return true;
  }
};

}  // namespace

std::optional<std::string> string_matching(const std::string& pattern, std::uint64_t seed) {
  std::size_t at = 0;
  std::string out;
  if (!PatternWriter{pattern, seed}.sequence(at, out, 0) || at != pattern.size()) return std::nullopt;
  return out;
}

}  // namespace tollgate::contract
