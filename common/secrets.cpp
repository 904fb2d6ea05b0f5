#include "common/secrets.h"

#include <algorithm>
#include <regex>

namespace tollgate {

std::string mask_secret(std::string_view secret) {
  const std::size_t n = secret.size();
  if (n >= 16) return std::string(secret.substr(0, 4)) + "****" + std::string(secret.substr(n - 4));
  if (n >= 9) return std::string(secret.substr(0, 2)) + "****";
  return "****";
}

std::string mask_secrets(std::string text, const std::vector<std::string>& secrets) {
  std::vector<std::string> sorted = secrets;
  std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.size() > b.size(); });
  for (const auto& s : sorted) {
    if (s.empty()) continue;
    const std::string masked = mask_secret(s);
    for (auto pos = text.find(s); pos != std::string::npos; pos = text.find(s, pos + masked.size()))
      text.replace(pos, s.size(), masked);
  }
  return text;
}

std::vector<std::string> secrets_of(const Headers& headers) {
  std::vector<std::string> out;
  for (const auto& [k, v] : headers) {
    if (iequals(k, "authorization")) {
      const auto sp = v.find(' ');
      out.push_back(sp == std::string::npos ? v : v.substr(sp + 1));
    } else if (iequals(k, "x-api-key") || iequals(k, "api-key") || iequals(k, "x-access-token") ||
               iequals(k, "access-token") || iequals(k, "x-auth-token")) {
      out.push_back(v);
    }
  }
  std::erase_if(out, [](const std::string& s) { return s.size() < 4 || s.find("{{") != std::string::npos; });
  return out;
}

std::string mask_command_line(const std::string& command_line, const Headers& headers) {
  static const std::regex env(R"((--env[ =]|-e )([A-Za-z_][A-Za-z0-9_]*)=(\S+))");
  static const std::regex secret_name("KEY|TOKEN|SECRET|PASS|AUTH|CREDENTIAL", std::regex::icase);
  std::string out;
  std::size_t last = 0;
  for (auto it = std::sregex_iterator(command_line.begin(), command_line.end(), env); it != std::sregex_iterator();
       ++it) {
    const auto& m = *it;
    out += command_line.substr(last, static_cast<std::size_t>(m.position()) - last);
    out += m[1].str() + m[2].str() + "=" + (std::regex_search(m[2].str(), secret_name) ? "****" : m[3].str());
    last = static_cast<std::size_t>(m.position() + m.length());
  }
  out += command_line.substr(last);
  return mask_secrets(out, secrets_of(headers));
}

}  // namespace tollgate
