#include "mock-server/families/family.h"

namespace tollgate::mock {

const std::vector<Family>& families() {
  static const std::vector<Family> kFamilies = {
      {"aiapigiare", {"aiapigiare-system.yaml", "aiapigiare-media.yaml"}},
      {"aimichat", {"aimichat.yaml"}},
      {"aiproxy", {"aiproxy.yaml"}},
      {"apixo", {"apixo.yaml"}},
  };
  return kFamilies;
}

std::vector<std::string> family_names() {
  std::vector<std::string> names;
  for (const auto& f : families()) names.push_back(f.name);
  return names;
}

}  // namespace tollgate::mock
