// Bytes as base64 text of an HdrHistogram V2 compressed histogram:
// reports::decode_histogram (nothing, with a reason, when it is not one;
// it never throws), and when it decodes, encode_histogram and decode again:
// the codec is documented lossless, so the layout and every count come back.
// The raw bytes also go through base64 encode -> decode.
#include "fuzz/fuzz_common.h"
#include "harness/metrics/hdr_codec.h"

using namespace tollgate;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 512 * 1024) return -1;
  const std::string text = fuzz::text_of(data, size);

  const auto round = reports::base64_decode(reports::base64_encode(text));
  FUZZ_CHECK(round && *round == text, "base64 does not round-trip");

  std::string error;
  const auto h = reports::decode_histogram(text, &error);
  if (!h) {
    FUZZ_CHECK(!error.empty(), "a refusal without a reason");
    return 0;
  }
  const std::string again = reports::encode_histogram(*h);
  const auto h2 = reports::decode_histogram(again, &error);
  FUZZ_CHECK(h2.has_value(), "its own encoding does not decode: " + error);
  FUZZ_CHECK(h2->highest_trackable() == h->highest_trackable() && h2->significant_digits() == h->significant_digits(),
             "the layout changed");
  FUZZ_CHECK(h2->total_count() == h->total_count(), "");
  FUZZ_CHECK(h2->counts() == h->counts(), "the counts changed");
  FUZZ_CHECK(h2->min() == h->min() && h2->max() == h->max(), "");
  (void)h->value_at_percentile(50);
  (void)h->value_at_percentile(99.9);
  (void)h->mean();
  return 0;
}
