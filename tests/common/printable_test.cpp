#include "common/printable.h"

#include <gtest/gtest.h>

namespace tollgate {
namespace {

TEST(Printable, WellFormedUtf8IsKeptAsItIs) {
  EXPECT_EQ(printable("Tiếng Việt, 中文, café"), "Tiếng Việt, 中文, café");
  EXPECT_EQ(printable("tab\there"), "tab\there");
}

TEST(Printable, EveryOtherByteIsEscaped) {
  EXPECT_EQ(printable("caf\xE9"), "caf\\xE9");            // Latin-1
  EXPECT_EQ(printable("\xFF\xFE"), "\\xFF\\xFE");
  EXPECT_EQ(printable("\xC0\xAF"), "\\xC0\\xAF");          // overlong '/'
  EXPECT_EQ(printable("\xED\xA0\x80"), "\\xED\\xA0\\x80");  // a surrogate
  EXPECT_EQ(printable("\xF4\x90\x80\x80"), "\\xF4\\x90\\x80\\x80");  // past U+10FFFF
  EXPECT_EQ(printable("\xE1\xBB"), "\\xE1\\xBB");          // a sequence cut short
  EXPECT_EQ(printable(std::string("a\0b\r\n\x7F", 6)), "a\\x00b\\x0D\\x0A\\x7F");
  EXPECT_TRUE(is_utf8(printable("\x80\xBF\xC3(\xF0\x9F\x98")));
}

TEST(Printable, CutsBetweenCharactersAndSaysSo) {
  EXPECT_EQ(printable("Tiếng Việt", 4), "Ti…");  // 'ế' is three bytes from byte 2
  EXPECT_EQ(printable("Tiếng Việt", 5), "Tiế…");
  EXPECT_EQ(printable("abc", 10), "abc");
  EXPECT_EQ(printable("ab\xFF", 4), "ab…") << "an escape is never split either";
  EXPECT_EQ(printable("", 4), "");
}

TEST(Printable, SecretsAreMaskedBeforeTheCut) {
  const std::string key = "sk-live-0123456789abcdef";
  EXPECT_EQ(printable("key " + key + " refused", 20, {key}), "key sk-l****cdef ref…");
  std::string huge(1 << 20, 'x');
  const std::string shown = printable(key + huge, 40, {key});
  EXPECT_EQ(shown, "sk-l****cdef" + std::string(28, 'x') + "…");
}

TEST(Utf8, SequenceLengths) {
  EXPECT_EQ(utf8_sequence_length("a", 0), 1u);
  EXPECT_EQ(utf8_sequence_length("é", 0), 2u);
  EXPECT_EQ(utf8_sequence_length("中", 0), 3u);
  EXPECT_EQ(utf8_sequence_length("😀", 0), 4u);
  EXPECT_EQ(utf8_sequence_length("\x80", 0), 0u);
  EXPECT_FALSE(is_utf8("ok\xFF"));
  EXPECT_TRUE(is_utf8("ok"));
}

}  // namespace
}  // namespace tollgate
