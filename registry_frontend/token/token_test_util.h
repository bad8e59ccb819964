// Test helpers for rf_token_test: JWT splitting and an independent ES256 verifier (OpenSSL).
#pragma once

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <string>
#include <vector>

#include "registry_frontend/auth/token.h"

namespace registry_frontend::token {

inline std::vector<std::string> SplitJwt(const std::string& jwt) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t dot = jwt.find('.', start);
    parts.push_back(jwt.substr(start, dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return parts;
}

// Checks `header.claims.signature` (raw r||s) against the DER SubjectPublicKeyInfo.
inline bool VerifyEs256(const std::string& jwt, const std::string& spki_der) {
  auto parts = SplitJwt(jwt);
  if (parts.size() != 3) return false;
  auto raw = auth::Base64UrlDecode(parts[2]);
  if (!raw || raw->size() != 64) return false;
  const auto* r = reinterpret_cast<const unsigned char*>(raw->data());
  ECDSA_SIG* sig = ECDSA_SIG_new();
  ECDSA_SIG_set0(sig, BN_bin2bn(r, 32, nullptr), BN_bin2bn(r + 32, 32, nullptr));
  unsigned char* der = nullptr;
  int der_len = i2d_ECDSA_SIG(sig, &der);
  ECDSA_SIG_free(sig);
  const auto* p = reinterpret_cast<const unsigned char*>(spki_der.data());
  EVP_PKEY* pub = d2i_PUBKEY(nullptr, &p, static_cast<long>(spki_der.size()));
  std::string input = parts[0] + "." + parts[1];
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  bool ok =
      pub != nullptr && der_len > 0 &&
      EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, pub) == 1 &&
      EVP_DigestVerify(ctx, der, static_cast<size_t>(der_len),
                       reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1;
  EVP_MD_CTX_free(ctx);
  EVP_PKEY_free(pub);
  OPENSSL_free(der);
  return ok;
}

}  // namespace registry_frontend::token
