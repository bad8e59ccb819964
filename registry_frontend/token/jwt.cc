// JwtIssuer (jwt.h): key and certificate files, libtrust key ids, ES256 signing. OpenSSL 3 EVP.
#include "registry_frontend/token/jwt.h"

#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include "registry_frontend/auth/token.h"

namespace registry_frontend::token {

struct JwtIssuer::Key {
  EVP_PKEY* pkey = nullptr;
  ~Key() { EVP_PKEY_free(pkey); }
};

namespace {

Status Error(std::string message) { return Status("UNKNOWN", std::move(message)); }

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;
using X509Ptr = std::unique_ptr<X509, X509Free>;

std::string BioText(BIO* bio) {
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  return n > 0 ? std::string(data, static_cast<size_t>(n)) : std::string();
}

std::optional<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Writes `text` to `path` atomically (temporary file + rename), with `mode`.
Status WriteFileAtomically(const std::string& path, const std::string& text, mode_t mode) {
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return Error("cannot create `" + tmp + "`: " + std::strerror(errno));
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
            ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    return Error("cannot write `" + path + "`");
  }
  return Status::Ok();
}

std::string SpkiDer(EVP_PKEY* pkey) {
  unsigned char* der = nullptr;
  int n = i2d_PUBKEY(pkey, &der);
  if (n <= 0) return {};
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(n));
  OPENSSL_free(der);
  return out;
}

Result<std::string> MakeCertificate(EVP_PKEY* pkey) {
  X509Ptr cert(X509_new());
  if (!cert) return Error("cannot allocate a certificate");
  unsigned char serial[16];
  if (RAND_bytes(serial, sizeof serial) != 1) return Error("no randomness for the serial");
  serial[0] &= 0x7f;  // positive
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  bool ok = bn != nullptr && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get())) != nullptr;
  BN_free(bn);
  X509_NAME* name = X509_get_subject_name(cert.get());
  ok = ok && X509_set_version(cert.get(), 2) == 1 &&
       X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600) != nullptr &&
       X509_gmtime_adj(X509_getm_notAfter(cert.get()), 10L * 365 * 86400) != nullptr &&
       X509_set_pubkey(cert.get(), pkey) == 1 &&
       X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                  reinterpret_cast<const unsigned char*>("portcullis token signer"),
                                  -1, -1, 0) == 1 &&
       X509_set_issuer_name(cert.get(), name) == 1 && X509_sign(cert.get(), pkey, EVP_sha256()) > 0;
  if (!ok) return Error("cannot build the token signing certificate");
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), cert.get()) != 1) {
    return Error("cannot encode the token signing certificate");
  }
  return BioText(bio.get());
}

}  // namespace

std::string Base32NoPad(std::string_view bytes) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (char c : bytes) {
    buffer = (buffer << 8) | static_cast<uint8_t>(c);
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += kAlphabet[(buffer >> bits) & 31];
    }
  }
  if (bits > 0) out += kAlphabet[(buffer << (5 - bits)) & 31];
  return out;
}

std::string LibtrustKeyId(std::string_view spki_der) {
  unsigned char hash[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(spki_der.data()), spki_der.size(), hash);
  std::string b32 = Base32NoPad(std::string_view(reinterpret_cast<const char*>(hash), 30));
  std::string out;
  for (size_t i = 0; i < b32.size(); i += 4) {
    if (i > 0) out += ':';
    out += b32.substr(i, 4);
  }
  return out;
}

std::string DerToJoseSignature(std::string_view der, size_t half) {
  const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
  ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size()));
  if (sig == nullptr) return {};
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(sig, &r, &s);
  std::string out(2 * half, '\0');
  auto* o = reinterpret_cast<unsigned char*>(out.data());
  bool ok = static_cast<size_t>(BN_num_bytes(r)) <= half &&
            static_cast<size_t>(BN_num_bytes(s)) <= half &&
            BN_bn2binpad(r, o, static_cast<int>(half)) == static_cast<int>(half) &&
            BN_bn2binpad(s, o + half, static_cast<int>(half)) == static_cast<int>(half);
  ECDSA_SIG_free(sig);
  return ok ? out : std::string();
}

JwtIssuer::JwtIssuer(std::unique_ptr<Key> key) : key_(std::move(key)) {
  spki_der_ = SpkiDer(key_->pkey);
  kid_ = LibtrustKeyId(spki_der_);
}
JwtIssuer::~JwtIssuer() = default;
JwtIssuer::JwtIssuer(JwtIssuer&&) noexcept = default;
JwtIssuer& JwtIssuer::operator=(JwtIssuer&&) noexcept = default;

Result<JwtIssuer> JwtIssuer::FromPem(std::string_view key_pem) {
  BioPtr bio(BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size())));
  auto key = std::make_unique<Key>();
  if (bio) key->pkey = PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr);
  if (key->pkey == nullptr) return Status("INVALID_ARGUMENT", "token signing key is not PEM");
  if (EVP_PKEY_get_base_id(key->pkey) != EVP_PKEY_EC || EVP_PKEY_get_bits(key->pkey) != 256) {
    return Status("INVALID_ARGUMENT", "token signing key must be an EC P-256 key");
  }
  char group[64] = {0};
  size_t group_len = 0;
  if (EVP_PKEY_get_group_name(key->pkey, group, sizeof group, &group_len) != 1 ||
      std::string_view(group) != "prime256v1") {
    return Status("INVALID_ARGUMENT", "token signing key must be an EC P-256 key");
  }
  JwtIssuer issuer(std::move(key));
  if (issuer.spki_der_.empty()) return Error("cannot encode the token signing public key");
  return issuer;
}

Result<JwtIssuer> JwtIssuer::LoadOrCreate(const std::string& key_path,
                                          const std::string& cert_path) {
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(key_path).parent_path(), ec);
  int fd = ::open(key_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd >= 0) {
    EVP_PKEY* fresh = EVP_EC_gen("P-256");
    BioPtr bio(BIO_new(BIO_s_mem()));
    std::string pem;
    if (fresh != nullptr && bio &&
        PEM_write_bio_PrivateKey(bio.get(), fresh, nullptr, nullptr, 0, nullptr, nullptr) == 1) {
      pem = BioText(bio.get());
    }
    EVP_PKEY_free(fresh);
    bool ok = !pem.empty() && ::write(fd, pem.data(), pem.size()) == ssize_t(pem.size()) &&
              ::fsync(fd) == 0;
    ::close(fd);
    if (!ok) {
      ::unlink(key_path.c_str());
      return Error("cannot write the token signing key `" + key_path + "`");
    }
  } else if (errno != EEXIST) {
    return Error("cannot create the token signing key `" + key_path + "`: " + std::strerror(errno));
  }
  auto pem = ReadFile(key_path);
  if (!pem) return Error("cannot read the token signing key `" + key_path + "`");
  auto issuer = FromPem(*pem);
  if (!issuer) {
    return Status(issuer.error().code(), issuer.error().message() + " (`" + key_path + "`)");
  }
  if (auto cert = ReadFile(cert_path)) {
    BioPtr bio(BIO_new_mem_buf(cert->data(), static_cast<int>(cert->size())));
    X509Ptr x(bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr);
    if (!x) return Status("INVALID_ARGUMENT", "`" + cert_path + "` is not a PEM certificate");
    if (X509_check_private_key(x.get(), issuer->key_->pkey) != 1) {
      return Status("INVALID_ARGUMENT", "`" + cert_path + "` does not certify the key in `" +
                                            key_path + "`; delete it to have it re-created");
    }
    issuer->cert_pem_ = std::move(*cert);
    return issuer;
  }
  auto cert = MakeCertificate(issuer->key_->pkey);
  if (!cert) return cert.error();
  PE_RETURN_IF_ERROR(WriteFileAtomically(cert_path, *cert, 0644));
  issuer->cert_pem_ = std::move(*cert);
  return issuer;
}

std::string JwtIssuer::Sign(std::string_view claims_json) const {
  std::string header = R"({"typ":"JWT","alg":"ES256","kid":")" + kid_ + "\"}";
  std::string input = auth::Base64UrlEncode(header) + "." + auth::Base64UrlEncode(claims_json);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  size_t length = 0;
  std::string der;
  bool ok = ctx != nullptr &&
            EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, key_->pkey) == 1 &&
            EVP_DigestSign(ctx, nullptr, &length,
                           reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1;
  if (ok) {
    der.resize(length);
    ok = EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(der.data()), &length,
                        reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1;
    der.resize(length);
  }
  EVP_MD_CTX_free(ctx);
  if (!ok) return {};
  std::string raw = DerToJoseSignature(der, 32);
  if (raw.empty()) return {};
  return input + "." + auth::Base64UrlEncode(raw);
}

}  // namespace registry_frontend::token
