// Rendered result images: valid PNG and WebP files, deterministic per seed.
#include "mock-server/content/images.h"

#include <gtest/gtest.h>

namespace tollgate::test {
namespace {

TEST(Images, RenderedFilesAreValidAndDeterministic) {
  for (auto format : {mock::ImageFormat::kPng, mock::ImageFormat::kWebp}) {
    const mock::ImageRecipe recipe{300, 200, format, mock::seed_of("fox")};
    const std::string a = mock::render_image(recipe);
    EXPECT_EQ(a, mock::render_image(recipe));
    int w = 0, h = 0;
    std::string f;
    ASSERT_TRUE(mock::image_size(a, w, h, f));
    EXPECT_EQ(w, 300);
    EXPECT_EQ(h, 200);
    EXPECT_EQ(f, mock::extension(format));
    EXPECT_NE(a, mock::render_image({300, 200, format, mock::seed_of("cat")}));
  }
  std::string png = mock::render_image({16, 16, mock::ImageFormat::kPng, 1});
  png[png.size() / 2] ^= 1;  // a damaged chunk fails its CRC
  int w, h;
  std::string f;
  EXPECT_FALSE(mock::image_size(png, w, h, f));
  EXPECT_FALSE(mock::image_size("GIF89a", w, h, f));
}

}  // namespace
}  // namespace tollgate::test
