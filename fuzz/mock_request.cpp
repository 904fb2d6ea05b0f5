// Bytes as one request to the mock, answered in-process by
// MockApp::handle (documented never to throw), no sockets. The input reads
// as a little HTTP message so that seeds and the dictionary stay legible:
//
//   METHOD TARGET\n          (no space: GET and the line as the target)
//   Name: value\n            (up to 6 header lines, ended by an empty line)
//   \n
//   body...                  (the rest)
//
// Bytes the HTTP server (Beast) never hands to the app are dropped: a
// method is a token, a target has no space or control byte, a header name
// is a token and a value has no CR, LF or NUL; Content-Length and
// Transfer-Encoding are the server's business. Each input also moves the
// mock's clock 100 ms and runs its tick (tasks, callbacks: the stubbed
// client fails them at once); every 512 inputs the default fixture is
// loaded again, which rebuilds the state, so memory stays bounded.
#include <cctype>
#include <string_view>

#include "common/text.h"
#include "fuzz/fuzz_common.h"
#include "fuzz/mock_setup.h"

using namespace tollgate;

namespace {

bool is_tchar(unsigned char c) {
  return std::isalnum(c) || std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}

std::string keep(std::string_view s, bool (*ok)(unsigned char)) {
  std::string out;
  for (unsigned char c : s)
    if (ok(c)) out += static_cast<char>(c);
  return out;
}

std::string_view take_line(std::string_view& rest) {
  const auto nl = rest.find('\n');
  std::string_view line = rest.substr(0, nl);
  rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 64 * 1024) return -1;
  static std::size_t inputs = 0;
  fuzz::Mock& m = fuzz::mock_app();
  if (++inputs % 512 == 0) m.app.load(m.default_fixture);

  std::string_view rest(reinterpret_cast<const char*>(data), size);
  net::HttpRequest r;
  const std::string_view first = take_line(rest);
  const auto sp = first.find(' ');
  r.method = sp == std::string_view::npos ? "GET" : keep(first.substr(0, sp), is_tchar);
  if (r.method.empty()) r.method = "GET";
  r.target = keep(sp == std::string_view::npos ? first : first.substr(sp + 1),
                  [](unsigned char c) { return c > 0x20 && c != 0x7f; });
  if (r.target.empty() || (r.target.front() != '/' && r.target != "*")) r.target.insert(0, "/");
  for (int i = 0; i < 6 && !rest.empty(); ++i) {
    const std::string_view line = take_line(rest);
    if (line.empty()) break;
    const auto colon = line.find(':');
    std::string name = keep(line.substr(0, colon), is_tchar);
    if (name.empty() || iequals(name, "content-length") || iequals(name, "transfer-encoding")) continue;
    std::string_view value = colon == std::string_view::npos ? std::string_view() : line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
    r.headers.emplace_back(std::move(name), keep(value, [](unsigned char c) { return c != '\r' && c != '\n' && c != 0; }));
  }
  r.body = std::string(rest);

  fuzz::answer(m.app, std::move(r));  // never throws (documented): an exception escaping is a finding
  m.clock.advance(std::chrono::milliseconds(100));
  m.app.tick();
  return 0;
}
