#include "tests/support/tls_cert.h"

#include <unistd.h>

#include <cstdio>
#include <memory>
#include <stdexcept>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace tollgate::test {

SelfSignedCert::SelfSignedCert() {
  static int counter = 0;
  dir_ = std::filesystem::temp_directory_path() /
         ("tollgate-tls-" + std::to_string(getpid()) + "-" + std::to_string(counter++));
  std::filesystem::create_directories(dir_);
  cert_ = (dir_ / "cert.pem").string();
  key_ = (dir_ / "key.pem").string();

  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> pkey(EVP_EC_gen("prime256v1"), EVP_PKEY_free);
  if (!pkey) throw std::runtime_error("EVP_EC_gen failed");
  std::unique_ptr<X509, decltype(&X509_free)> x509(X509_new(), X509_free);
  X509_set_version(x509.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x509.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(x509.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(x509.get()), 3600L * 24 * 30);
  X509_set_pubkey(x509.get(), pkey.get());
  X509_NAME* name = X509_get_subject_name(x509.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
  X509_set_issuer_name(x509.get(), name);
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, x509.get(), x509.get(), nullptr, nullptr, 0);
  for (const auto& [nid, value] : {std::pair{NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1"},
                                   std::pair{NID_basic_constraints, "critical,CA:TRUE"}}) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    X509_add_ext(x509.get(), ext, -1);
    X509_EXTENSION_free(ext);
  }
  if (!X509_sign(x509.get(), pkey.get(), EVP_sha256())) throw std::runtime_error("X509_sign failed");

  FILE* f = std::fopen(key_.c_str(), "wb");
  PEM_write_PrivateKey(f, pkey.get(), nullptr, nullptr, 0, nullptr, nullptr);
  std::fclose(f);
  f = std::fopen(cert_.c_str(), "wb");
  PEM_write_X509(f, x509.get());
  std::fclose(f);
}

SelfSignedCert::~SelfSignedCert() {
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

}  // namespace tollgate::test
