#include "net/tls.h"

#include <stdexcept>

namespace tollgate::net {

namespace ssl = boost::asio::ssl;

std::unique_ptr<ssl::context> server_tls(const std::string& cert_file, const std::string& key_file) {
  auto ctx = std::make_unique<ssl::context>(ssl::context::tls_server);
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                   ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  boost::system::error_code ec;
  ctx->use_certificate_chain_file(cert_file, ec);
  if (ec) throw std::runtime_error("--tls-cert " + cert_file + ": " + ec.message());
  ctx->use_private_key_file(key_file, ssl::context::pem, ec);
  if (ec) throw std::runtime_error("--tls-key " + key_file + ": " + ec.message());
  return ctx;
}

std::unique_ptr<ssl::context> client_tls(const std::string& ca_file, bool insecure) {
  auto ctx = std::make_unique<ssl::context>(ssl::context::tls_client);
  ctx->set_default_verify_paths();
  if (!ca_file.empty()) {
    boost::system::error_code ec;
    ctx->load_verify_file(ca_file, ec);
    if (ec) throw std::runtime_error("tls ca_file " + ca_file + ": " + ec.message());
  }
  ctx->set_verify_mode(insecure ? ssl::verify_none : ssl::verify_peer);
  return ctx;
}

}  // namespace tollgate::net
