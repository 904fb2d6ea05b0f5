#include "harness/metrics/hdr_codec.h"

#include <cstring>

#include <zlib.h>

namespace tollgate::metrics {
namespace {

constexpr std::uint32_t kEncodingCookie = 0x1c849303 | 0x10;
constexpr std::uint32_t kCompressedCookie = 0x1c849304 | 0x10;

void put32(std::string& out, std::uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) out += static_cast<char>((v >> s) & 0xff);
}
void put64(std::string& out, std::uint64_t v) {
  for (int s = 56; s >= 0; s -= 8) out += static_cast<char>((v >> s) & 0xff);
}
std::uint64_t get(std::string_view in, std::size_t at, int bytes) {
  std::uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = v << 8 | static_cast<unsigned char>(in[at + static_cast<std::size_t>(i)]);
  return v;
}

// ZigZag, then LEB128 with at most 9 bytes (the 9th carries 8 bits).
void put_zigzag(std::string& out, std::int64_t value) {
  std::uint64_t v = (static_cast<std::uint64_t>(value) << 1) ^ static_cast<std::uint64_t>(value >> 63);
  for (int i = 0; i < 8; ++i) {
    if (v < 0x80) {
      out += static_cast<char>(v);
      return;
    }
    out += static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  out += static_cast<char>(v & 0xff);
}

bool get_zigzag(std::string_view in, std::size_t& at, std::int64_t& value) {
  std::uint64_t v = 0;
  int shift = 0;
  for (int i = 0; i < 9; ++i) {
    if (at >= in.size()) return false;
    const auto b = static_cast<unsigned char>(in[at++]);
    if (i == 8) {
      v |= static_cast<std::uint64_t>(b) << 56;
      break;
    }
    v |= static_cast<std::uint64_t>(b & 0x7f) << shift;
    shift += 7;
    if (!(b & 0x80)) break;
  }
  value = static_cast<std::int64_t>(v >> 1) ^ -static_cast<std::int64_t>(v & 1);
  return true;
}

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

}  // namespace

std::string base64_encode(std::string_view in) {
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const std::uint32_t n = static_cast<unsigned char>(in[i]) << 16 | static_cast<unsigned char>(in[i + 1]) << 8 |
                            static_cast<unsigned char>(in[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out += kAlphabet[(n >> s) & 63];
  }
  if (i < in.size()) {
    std::uint32_t n = static_cast<unsigned char>(in[i]) << 16;
    if (i + 1 < in.size()) n |= static_cast<unsigned char>(in[i + 1]) << 8;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += i + 1 < in.size() ? kAlphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::optional<std::string> base64_decode(std::string_view in) {
  if (in.size() % 4 != 0) return std::nullopt;
  std::string out;
  out.reserve(in.size() / 4 * 3);
  for (std::size_t i = 0; i < in.size(); i += 4) {
    std::uint32_t n = 0;
    int pad = 0;
    for (int j = 0; j < 4; ++j) {
      const char c = in[i + static_cast<std::size_t>(j)];
      const char* p = c == '=' ? nullptr : std::strchr(kAlphabet, c);
      if (c == '=') {
        if (i + 4 != in.size() || j < 2) return std::nullopt;
        ++pad;
      } else if (!p || !c || pad) {
        return std::nullopt;
      }
      n = n << 6 | (p ? static_cast<std::uint32_t>(p - kAlphabet) : 0);
    }
    out += static_cast<char>(n >> 16);
    if (pad < 2) out += static_cast<char>((n >> 8) & 0xff);
    if (pad < 1) out += static_cast<char>(n & 0xff);
  }
  return out;
}

std::string encode_histogram(const Histogram& h) {
  std::string payload;
  // Each count, a run of zeros before it as one negative number (a
  // single zero as itself), up to the highest non-zero count.
  std::size_t next = 0;
  h.each_count([&](std::size_t i, std::int64_t c) {
    const auto zeros = static_cast<std::int64_t>(i - next);
    if (zeros > 0) put_zigzag(payload, zeros > 1 ? -zeros : 0);
    put_zigzag(payload, c);
    next = i + 1;
    return true;
  });
  std::string plain;
  put32(plain, kEncodingCookie);
  put32(plain, static_cast<std::uint32_t>(payload.size()));
  put32(plain, 0);  // normalizing index offset
  put32(plain, static_cast<std::uint32_t>(h.significant_digits()));
  put64(plain, 1);  // lowest discernible value
  put64(plain, static_cast<std::uint64_t>(h.highest_trackable()));
  const double ratio = 1.0;
  std::uint64_t bits;
  std::memcpy(&bits, &ratio, 8);
  put64(plain, bits);
  plain += payload;
  uLongf size = compressBound(static_cast<uLong>(plain.size()));
  std::string packed(size, '\0');
  compress2(reinterpret_cast<Bytef*>(packed.data()), &size, reinterpret_cast<const Bytef*>(plain.data()),
            static_cast<uLong>(plain.size()), 6);
  packed.resize(size);
  std::string out;
  put32(out, kCompressedCookie);
  put32(out, static_cast<std::uint32_t>(packed.size()));
  return base64_encode(out + packed);
}

std::optional<Histogram> decode_histogram(std::string_view text, std::string* error) {
  auto fail = [&](const char* why) -> std::optional<Histogram> {
    if (error) *error = why;
    return std::nullopt;
  };
  const auto bytes = base64_decode(text);
  if (!bytes) return fail("not base64");
  if (bytes->size() < 8 || get(*bytes, 0, 4) != kCompressedCookie)
    return fail("not an HdrHistogram V2 compressed histogram (cookie)");
  const std::size_t packed = get(*bytes, 4, 4);
  if (packed + 8 > bytes->size()) return fail("truncated");
  std::string plain;
  z_stream z{};
  if (inflateInit(&z) != Z_OK) return fail("zlib");
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes->data() + 8));
  z.avail_in = static_cast<uInt>(packed);
  char buf[16384];
  int rc = Z_OK;
  while (rc == Z_OK) {
    z.next_out = reinterpret_cast<Bytef*>(buf);
    z.avail_out = sizeof buf;
    rc = inflate(&z, Z_NO_FLUSH);
    plain.append(buf, sizeof buf - z.avail_out);
    if (plain.size() > (64u << 20)) break;
  }
  inflateEnd(&z);
  if (rc != Z_STREAM_END) return fail("the compressed contents do not inflate");
  if (plain.size() < 40 || get(plain, 0, 4) != kEncodingCookie) return fail("bad inner cookie");
  const std::size_t payload = get(plain, 4, 4);
  const auto offset = static_cast<std::int32_t>(get(plain, 8, 4));
  const int digits = static_cast<int>(get(plain, 12, 4));
  const auto lowest = static_cast<std::int64_t>(get(plain, 16, 8));
  const auto highest = static_cast<std::int64_t>(get(plain, 24, 8));
  if (offset != 0 || lowest != 1 || digits < 1 || digits > 5 || highest < 2 || 40 + payload > plain.size())
    return fail("a histogram layout Tollgate does not read (lowest 1, offset 0, 1-5 digits)");
  Histogram h(highest, digits);
  std::size_t at = 40, index = 0;
  const std::size_t end = 40 + payload;
  while (at < end) {
    std::int64_t v = 0;
    if (!get_zigzag(plain, at, v)) return fail("truncated counts");
    if (v < 0) {
      index += static_cast<std::size_t>(-v);
      continue;
    }
    if (index >= h.counts_length()) return fail("counts beyond the histogram's range");
    if (v > 0 && !h.record(h.value_from_index(index), v)) return fail("a count beyond the histogram's range");
    ++index;
  }
  return h;
}

}  // namespace tollgate::metrics
