// ES256 JSON Web Tokens for CNCF distribution's `auth: token` (the Docker Registry token spec).
//
// The signing key (P-256) and a self-signed X.509 certificate for it live in the data directory:
// `<data>/auth/jwt-key.pem` (mode 0600) and `<data>/auth/jwt-cert.pem`, created on first use.
// docker-registry's `auth.token.rootcertbundle` points at the certificate. Tokens carry
// `{"typ":"JWT","alg":"ES256","kid":<libtrust key id>}`: distribution 2.8 looks the key up by the
// libtrust fingerprint of each root certificate's public key, so no `x5c` chain is needed.
//
// Thread safety: a JwtIssuer is immutable after construction; Sign may be called concurrently.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "policy_engine/common/status.h"

namespace registry_frontend::token {

using policy_engine::Result;
using policy_engine::Status;

// libtrust's key id: SHA-256 of the DER SubjectPublicKeyInfo, first 30 bytes, base32 (RFC 4648,
// no padding: 48 characters), in 12 groups of 4 joined with ':'.
std::string LibtrustKeyId(std::string_view spki_der);

// `bytes` as base32 without padding (RFC 4648 alphabet).
std::string Base32NoPad(std::string_view bytes);

// Converts a DER ECDSA-Sig-Value to JOSE's raw r||s (each left-padded to `half` bytes).
// Empty when the DER does not parse or a value is longer than `half`.
std::string DerToJoseSignature(std::string_view der, size_t half);

class JwtIssuer {
 public:
  ~JwtIssuer();
  JwtIssuer(JwtIssuer&&) noexcept;
  JwtIssuer& operator=(JwtIssuer&&) noexcept;

  // Reads the key and certificate, creating what is missing (a fresh key, or a certificate for
  // an existing key). An existing certificate that does not belong to the key is an error.
  static Result<JwtIssuer> LoadOrCreate(const std::string& key_path, const std::string& cert_path);
  // From PEM text (tests). The certificate is optional here.
  static Result<JwtIssuer> FromPem(std::string_view key_pem);

  const std::string& key_id() const { return kid_; }
  // DER SubjectPublicKeyInfo of the signing key.
  const std::string& public_key_der() const { return spki_der_; }
  const std::string& certificate_pem() const { return cert_pem_; }

  // `header.claims.signature` for the JSON object text `claims_json` (not checked here). The
  // header is {"typ":"JWT","alg":"ES256","kid":KID}. Empty string on a signing failure (the
  // caller fails closed).
  std::string Sign(std::string_view claims_json) const;

 private:
  struct Key;
  explicit JwtIssuer(std::unique_ptr<Key> key);
  std::unique_ptr<Key> key_;
  std::string kid_;
  std::string spki_der_;
  std::string cert_pem_;
};

}  // namespace registry_frontend::token
