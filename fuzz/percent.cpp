// Bytes through common/percent: percent_decode never grows its input and
// keeps malformed escapes as they are (so text without '%' or '+' comes
// back unchanged), and percent_decode(percent_encode(x)) == x, with '+'
// as a space or not (encode escapes '+'); the encoding holds only
// unreserved characters and %XX.
#include <cctype>

#include "common/percent.h"
#include "fuzz/fuzz_common.h"

using namespace tollgate;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 64 * 1024) return -1;
  const std::string text = fuzz::text_of(data, size);
  for (bool plus : {false, true}) {
    const std::string d = percent_decode(text, plus);
    FUZZ_CHECK(d.size() <= text.size(), "");
    if (text.find('%') == std::string::npos && (!plus || text.find('+') == std::string::npos))
      FUZZ_CHECK(d == text, "text without escapes changed");
  }
  const std::string e = percent_encode(text);
  for (unsigned char c : e)
    FUZZ_CHECK(std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == '%', std::string(1, c));
  FUZZ_CHECK(percent_decode(e) == text, "decode(encode(x)) != x");
  FUZZ_CHECK(percent_decode(e, true) == text, "decode(encode(x), plus) != x");
  return 0;
}
