#pragma once
#include <filesystem>
#include <string>

namespace tollgate::test {

/// A self-signed certificate for "localhost" and 127.0.0.1, made with
/// OpenSSL when the test runs, written as PEM files into a temporary
/// directory that is removed with the object.
class SelfSignedCert {
 public:
  SelfSignedCert();
  ~SelfSignedCert();
  const std::string& cert_file() const { return cert_; }
  const std::string& key_file() const { return key_; }

 private:
  std::filesystem::path dir_;
  std::string cert_, key_;
};

}  // namespace tollgate::test
