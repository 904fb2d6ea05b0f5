#pragma once
// What a generated image is made from. A task record keeps recipes, not
// pixels: content/images renders the same bytes from a recipe whenever asked.
#include <cstdint>

namespace tollgate::mock {

enum class ImageFormat { kPng, kWebp };

/// What an image is made from: its pixels follow from these alone.
struct ImageRecipe {
  int width = 1024;
  int height = 1024;
  ImageFormat format = ImageFormat::kPng;
  std::uint64_t seed = 0;  ///< from the prompt and the image's index
};

/// "image/png" or "image/webp".
inline const char* content_type(ImageFormat format) { return format == ImageFormat::kWebp ? "image/webp" : "image/png"; }
/// "png" or "webp".
inline const char* extension(ImageFormat format) { return format == ImageFormat::kWebp ? "webp" : "png"; }

}  // namespace tollgate::mock
