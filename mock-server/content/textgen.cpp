#include "mock-server/content/textgen.h"

#include <cmath>
#include <cstring>

namespace tollgate::mock {
namespace {

constexpr const char* kWords[] = {
    "the",     "model",   "answer",  "token",   "gateway", "request", "latency", "stream",  "quota",   "provider",
    "simple",  "clear",   "data",    "system",  "result",  "value",   "future",  "network", "learning", "machine",
    "question", "context", "window",  "fast",    "reliable", "local",  "mock",    "server",  "client",  "test",
    "every",   "one",     "more",    "can",     "will",    "with",    "from",    "about",   "this",    "that",
    "works",   "helps",   "shows",   "keeps",   "finds",   "makes",   "gives",   "sends",   "reads",   "writes",
    "quick",   "steady",  "bright",  "small",   "large",   "early",   "later",   "always",  "often",   "here",
    "there",   "because", "while",   "which"};
constexpr std::size_t kWordCount = sizeof(kWords) / sizeof(kWords[0]);

// splitmix64: a small, good, deterministic generator.
std::uint64_t next(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

bool is_word_byte(unsigned char c) { return std::isalnum(c) || c >= 0x80; }

}  // namespace

std::uint64_t fnv1a(std::string_view text, std::uint64_t seed) {
  std::uint64_t h = seed;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

std::int64_t count_tokens(std::string_view text) {
  std::int64_t n = 0;
  bool in_word = false;
  for (unsigned char c : text) {
    if (is_word_byte(c)) {
      if (!in_word) ++n;
      in_word = true;
    } else {
      in_word = false;
      if (!std::isspace(c)) ++n;
    }
  }
  return n;
}

std::string Generation::text() const {
  std::string out;
  for (const auto& p : pieces) out += p;
  return out;
}

Generation generate_text(std::string_view model, std::string_view prompt, std::int64_t max_tokens) {
  std::uint64_t state = fnv1a(prompt, fnv1a(model));
  const std::int64_t natural = 8 + static_cast<std::int64_t>(next(state) % 40);
  Generation g;
  std::int64_t since_punct = 0;
  bool capitalize = true;
  for (std::int64_t i = 0; i < natural; ++i) {
    const bool last = i + 1 == natural;
    if (last || (since_punct >= 5 && next(state) % 4 == 0)) {
      const bool period = last || next(state) % 2 == 0;
      g.pieces.push_back(period ? "." : ",");
      capitalize = period;
      since_punct = 0;
      continue;
    }
    std::string word = kWords[next(state) % kWordCount];
    if (capitalize) word[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(word[0])));
    capitalize = false;
    g.pieces.push_back(g.pieces.empty() ? word : " " + word);
    ++since_punct;
  }
  g.finish_reason = "stop";
  if (max_tokens >= 0 && static_cast<std::int64_t>(g.pieces.size()) > max_tokens) {
    g.pieces.resize(static_cast<std::size_t>(max_tokens));
    g.finish_reason = "length";
  }
  return g;
}

std::vector<float> embed(std::string_view model, std::string_view input, int dimensions) {
  std::uint64_t state = fnv1a(input, fnv1a(model));
  std::vector<float> v(static_cast<std::size_t>(std::max(dimensions, 1)));
  double norm = 0;
  for (auto& x : v) {
    // Uniform in [-1, 1): direction only matters after normalising.
    x = static_cast<float>(static_cast<double>(next(state) >> 11) / 4503599627370496.0 - 1.0);
    norm += static_cast<double>(x) * x;
  }
  const double scale = norm > 0 ? 1.0 / std::sqrt(norm) : 1.0;
  for (auto& x : v) x = static_cast<float>(x * scale);
  return v;
}

std::string floats_base64(const std::vector<float>& values) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string bytes(values.size() * 4, '\0');
  for (std::size_t i = 0; i < values.size(); ++i) {
    std::uint32_t u;
    std::memcpy(&u, &values[i], 4);
    for (int b = 0; b < 4; ++b) bytes[i * 4 + b] = static_cast<char>((u >> (8 * b)) & 0xFF);
  }
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    const std::uint32_t n = (static_cast<unsigned char>(bytes[i]) << 16) |
                            (i + 1 < bytes.size() ? static_cast<unsigned char>(bytes[i + 1]) << 8 : 0) |
                            (i + 2 < bytes.size() ? static_cast<unsigned char>(bytes[i + 2]) : 0);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += i + 1 < bytes.size() ? kAlphabet[(n >> 6) & 63] : '=';
    out += i + 2 < bytes.size() ? kAlphabet[n & 63] : '=';
  }
  return out;
}

std::vector<std::string> split_tokens(std::string_view text) {
  // The pieces follow count_tokens' rule; spaces ride with the token after
  // them (the last piece keeps trailing spaces), so the pieces join to text.
  std::vector<std::string> pieces;
  std::string pending;  // spaces before the next token
  bool in_word = false;
  for (unsigned char c : text) {
    if (is_word_byte(c)) {
      if (in_word) {
        pieces.back() += static_cast<char>(c);
      } else {
        pieces.push_back(std::move(pending) + static_cast<char>(c));
        pending.clear();
      }
      in_word = true;
    } else if (std::isspace(c)) {
      in_word = false;
      pending += static_cast<char>(c);
    } else {
      in_word = false;
      pieces.push_back(std::move(pending) + static_cast<char>(c));
      pending.clear();
    }
  }
  if (!pending.empty()) {
    if (pieces.empty()) pieces.emplace_back();
    pieces.back() += pending;
  }
  return pieces;
}

std::string message_text(const nlohmann::json& content) {
  if (content.is_string()) return content.get<std::string>();
  std::string out;
  if (content.is_array())
    for (const auto& part : content)
      if (part.is_object()) {
        auto text = part.find("text");
        if (text != part.end() && text->is_string()) out += (out.empty() ? "" : "\n") + text->get<std::string>();
      } else if (part.is_string()) {
        out += (out.empty() ? "" : "\n") + part.get<std::string>();
      }
  return out;
}

namespace {
// What a message says, for counting and seeding: its text, and the calls
// an assistant message made.
std::string message_words(const nlohmann::json& m) {
  const auto content = m.find("content");
  std::string out = content == m.end() ? std::string() : message_text(*content);
  if (auto calls = m.find("tool_calls"); calls != m.end() && calls->is_array())
    for (const auto& call : *calls)
      if (call.is_object() && call.contains("function") && call["function"].is_object()) {
        const auto& f = call["function"];
        out += " " + f.value("name", std::string()) + " " + f.value("arguments", std::string());
      }
  return out;
}
}  // namespace

std::int64_t chat_prompt_tokens(const nlohmann::json& messages) {
  std::int64_t n = 3;
  if (messages.is_array())
    for (const auto& m : messages) n += 3 + (m.is_object() ? count_tokens(message_words(m)) : 0);
  return n;
}

std::string joined_text(const nlohmann::json& value) {
  if (value.is_string()) return value.get<std::string>();
  std::string out;
  if (value.is_array())
    for (const auto& item : value) {
      if (item.is_object()) out += item.value("role", "") + ":" + message_words(item);
      else out += joined_text(item);
      out += "\n";
    }
  return out;
}

}  // namespace tollgate::mock
