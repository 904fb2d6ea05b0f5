#pragma once
// TLS setup for both sides: the server's certificate and key, the client's
// trust anchors, SNI and host name verification.
#include <memory>
#include <string>

#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <openssl/ssl.h>

namespace tollgate::net {

/// A TLS 1.2+ server context with a PEM certificate chain and key; throws
/// std::runtime_error naming the file that cannot be used.
std::unique_ptr<boost::asio::ssl::context> server_tls(const std::string& cert_file, const std::string& key_file);

/// A client context trusting the system's anchors and `ca_file` (PEM, may
/// be empty); `insecure` skips certificate verification. Throws
/// std::runtime_error naming `ca_file` when it cannot be loaded.
std::unique_ptr<boost::asio::ssl::context> client_tls(const std::string& ca_file, bool insecure);

/// Sets SNI to `name` on a client stream and, unless `insecure`, verifies
/// that the certificate is for `name`.
template <class SslStream>
void prepare_client_stream(SslStream& stream, const std::string& name, bool insecure) {
  SSL_set_tlsext_host_name(stream.native_handle(), name.c_str());
  if (!insecure) stream.set_verify_callback(boost::asio::ssl::host_name_verification(name));
}

}  // namespace tollgate::net
