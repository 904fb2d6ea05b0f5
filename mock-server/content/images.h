#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "mock-server/model/image_recipe.h"

namespace tollgate::mock {

/// A deterministic picture (two-colour gradient with bands, colours from
/// the seed), encoded as PNG (zlib) or lossy WebP (libwebp).
std::string render_image(const ImageRecipe& recipe);

/// An image seed: FNV-1a of `text` (textgen's fnv1a) from a basis set by `salt`, bits mixed.
std::uint64_t seed_of(std::string_view text, std::uint64_t salt = 0);

/// Width and height for an aspect ratio "W:H": the short side at
/// `short_side` (3:2 -> 1536x1024), scaled down to keep the long side
/// within `max_side`.
void size_for_ratio(std::string_view ratio, int short_side, int max_side, int& width, int& height);

/// Reads the pixel size of a PNG or WebP file; false when it is neither or
/// is damaged (checks PNG chunk CRCs and decodes WebP headers).
bool image_size(std::string_view bytes, int& width, int& height, std::string& format);

}  // namespace tollgate::mock
