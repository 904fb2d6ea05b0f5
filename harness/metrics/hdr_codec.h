#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "harness/metrics/histogram.h"

namespace tollgate::metrics {

/// A histogram in HdrHistogram's V2 compressed encoding (the form its
/// interval logs and tools use: a header, ZigZag LEB128 counts with runs
/// of zeros, zlib-deflated), base64 text. Lossless.
std::string encode_histogram(const Histogram& h);

/// Decodes what encode_histogram (or HdrHistogram) wrote; nothing when the
/// text is not a V2 compressed histogram, with `error` saying why.
std::optional<Histogram> decode_histogram(std::string_view base64, std::string* error = nullptr);

std::string base64_encode(std::string_view bytes);
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace tollgate::metrics

namespace tollgate::reports {
// The reports write and read histograms in this encoding too.
using metrics::base64_decode;
using metrics::base64_encode;
using metrics::decode_histogram;
using metrics::encode_histogram;
}  // namespace tollgate::reports
