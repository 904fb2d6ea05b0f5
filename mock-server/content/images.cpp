#include "mock-server/content/images.h"

#include <algorithm>
#include <charconv>
#include <stdexcept>
#include <vector>

#include <webp/decode.h>
#include <webp/encode.h>
#include <zlib.h>

#include "mock-server/content/textgen.h"

namespace tollgate::mock {
namespace {

void put_u32(std::string& out, std::uint32_t v) {
  out += static_cast<char>(v >> 24);
  out += static_cast<char>(v >> 16);
  out += static_cast<char>(v >> 8);
  out += static_cast<char>(v);
}

std::uint32_t get_u32(std::string_view s, std::size_t at) {
  auto b = [&](std::size_t i) { return static_cast<std::uint32_t>(static_cast<unsigned char>(s[at + i])); };
  return b(0) << 24 | b(1) << 16 | b(2) << 8 | b(3);
}

void chunk(std::string& out, const char* type, const std::string& data) {
  put_u32(out, static_cast<std::uint32_t>(data.size()));
  const std::size_t start = out.size();
  out.append(type, 4);
  out += data;
  const auto crc = crc32(0, reinterpret_cast<const Bytef*>(out.data() + start), static_cast<uInt>(out.size() - start));
  put_u32(out, static_cast<std::uint32_t>(crc));
}

constexpr const char kPngSignature[] = "\x89PNG\r\n\x1a\n";

// RGB rows: a diagonal gradient between two seed colours, crossed by bands.
std::vector<std::uint8_t> pixels(const ImageRecipe& r) {
  auto channel = [&](int shift) { return static_cast<int>((r.seed >> shift) & 0xff); };
  const int a[3] = {channel(0), channel(8), channel(16)};
  const int b[3] = {channel(24), channel(32), channel(40)};
  const int band = 16 + static_cast<int>((r.seed >> 48) % 48);
  std::vector<std::uint8_t> rgb(static_cast<std::size_t>(r.width) * static_cast<std::size_t>(r.height) * 3);
  const long span = static_cast<long>(r.width) + r.height;
  std::size_t i = 0;
  for (int y = 0; y < r.height; ++y)
    for (int x = 0; x < r.width; ++x) {
      const long t = x + y;
      const bool stripe = ((x / band) + (y / band)) % 2 == 0;
      for (int c = 0; c < 3; ++c) {
        int v = static_cast<int>(a[c] + (b[c] - a[c]) * t / span);
        if (stripe) v = (v * 7) / 8;
        rgb[i++] = static_cast<std::uint8_t>(v);
      }
    }
  return rgb;
}

std::string png(const ImageRecipe& r, const std::vector<std::uint8_t>& rgb) {
  std::string raw;
  const std::size_t row = static_cast<std::size_t>(r.width) * 3;
  raw.reserve((row + 1) * static_cast<std::size_t>(r.height));
  for (int y = 0; y < r.height; ++y) {
    raw += '\0';  // filter: none
    raw.append(reinterpret_cast<const char*>(rgb.data() + row * static_cast<std::size_t>(y)), row);
  }
  uLongf size = compressBound(static_cast<uLong>(raw.size()));
  std::string packed(size, '\0');
  if (compress2(reinterpret_cast<Bytef*>(packed.data()), &size, reinterpret_cast<const Bytef*>(raw.data()),
                static_cast<uLong>(raw.size()), 6) != Z_OK)
    throw std::runtime_error("zlib could not compress the image");
  packed.resize(size);
  std::string out(kPngSignature, 8);
  std::string ihdr;
  put_u32(ihdr, static_cast<std::uint32_t>(r.width));
  put_u32(ihdr, static_cast<std::uint32_t>(r.height));
  ihdr += std::string("\x08\x02\x00\x00\x00", 5);  // 8-bit RGB, deflate, no interlace
  chunk(out, "IHDR", ihdr);
  chunk(out, "IDAT", packed);
  chunk(out, "IEND", "");
  return out;
}

std::string webp(const ImageRecipe& r, const std::vector<std::uint8_t>& rgb) {
  std::uint8_t* data = nullptr;
  const std::size_t n = WebPEncodeRGB(rgb.data(), r.width, r.height, r.width * 3, 80.0f, &data);
  if (n == 0) throw std::runtime_error("libwebp could not encode the image");
  std::string out(reinterpret_cast<const char*>(data), n);
  WebPFree(data);
  return out;
}

}  // namespace

std::uint64_t seed_of(std::string_view text, std::uint64_t salt) {
  std::uint64_t h = fnv1a(text, 1469598103934665603ull ^ (salt * 0x9e3779b97f4a7c15ull));
  h ^= h >> 29;
  h *= 0xbf58476d1ce4e5b9ull;
  return h ^ (h >> 32);
}

std::string render_image(const ImageRecipe& recipe) {
  if (recipe.width < 1 || recipe.height < 1 || recipe.width > 16383 || recipe.height > 16383)
    throw std::invalid_argument("image size out of range");
  const auto rgb = pixels(recipe);
  return recipe.format == ImageFormat::kWebp ? webp(recipe, rgb) : png(recipe, rgb);
}

bool image_size(std::string_view bytes, int& width, int& height, std::string& format) {
  if (bytes.size() >= 8 && bytes.substr(0, 8) == std::string_view(kPngSignature, 8)) {
    // Every chunk's CRC must hold, IHDR first and IEND last.
    std::size_t at = 8;
    bool first = true, ended = false;
    while (at + 12 <= bytes.size()) {
      const std::uint32_t len = get_u32(bytes, at);
      if (at + 12 + len > bytes.size()) return false;
      const auto crc = crc32(0, reinterpret_cast<const Bytef*>(bytes.data() + at + 4), len + 4);
      if (crc != get_u32(bytes, at + 8 + len)) return false;
      const std::string_view type = bytes.substr(at + 4, 4);
      if (first) {
        if (type != "IHDR" || len != 13) return false;
        width = static_cast<int>(get_u32(bytes, at + 8));
        height = static_cast<int>(get_u32(bytes, at + 12));
        first = false;
      }
      at += 12 + len;
      if (type == "IEND") {
        ended = true;
        break;
      }
    }
    format = "png";
    return !first && ended && at == bytes.size();
  }
  if (WebPGetInfo(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size(), &width, &height)) {
    format = "webp";
    return true;
  }
  return false;
}

void size_for_ratio(std::string_view ratio, int short_side, int max_side, int& width, int& height) {
  int w = 1, h = 1;
  const auto colon = ratio.find(':');
  if (colon != std::string_view::npos) {
    std::from_chars(ratio.data(), ratio.data() + colon, w);
    std::from_chars(ratio.data() + colon + 1, ratio.data() + ratio.size(), h);
  }
  if (w <= 0 || h <= 0) w = h = 1;
  // The short side at `short_side`, unless the long one would pass max_side.
  const double scale = std::min(static_cast<double>(short_side) / std::min(w, h),
                                static_cast<double>(max_side) / std::max(w, h));
  width = std::max(1, static_cast<int>(w * scale));
  height = std::max(1, static_cast<int>(h * scale));
}

}  // namespace tollgate::mock
