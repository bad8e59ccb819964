// Key files, libtrust key ids (against a vector computed with the openssl CLI and Python's
// base32, the way /work/shared/e2e/tokenserver.py does), and ES256 signatures checked with
// OpenSSL's verifier.
#include "registry_frontend/token/jwt.h"

#include <gtest/gtest.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "registry_frontend/auth/token.h"
#include "registry_frontend/token/token_test_util.h"

namespace registry_frontend::token {
namespace {

// `openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256`; the id from
// `openssl pkey -pubout -outform DER | python3 -c 'base32(sha256(der)[:30])'`.
constexpr char kKeyPem[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgRj/KEZHGtKyngATx\n"
    "iCTQ+bpfPrrT6kDPshSycznAeqShRANCAAQIW5qRjRFK4F+d9DwYy2eK/6aiy25O\n"
    "muvDv60JC661vEjud0Sv7iGPb+752MZfeeDK3cjRR09OcCtcx0w5b6No\n"
    "-----END PRIVATE KEY-----\n";
constexpr char kKeyId[] = "CMN6:KRUA:S27I:FNHU:3EXZ:NKSN:AOR4:5C7R:RCR7:V7YS:DLXI:EQDB";

TEST(Base32, Rfc4648VectorsWithoutPadding) {
  EXPECT_EQ(Base32NoPad(""), "");
  EXPECT_EQ(Base32NoPad("f"), "MY");
  EXPECT_EQ(Base32NoPad("fo"), "MZXQ");
  EXPECT_EQ(Base32NoPad("foo"), "MZXW6");
  EXPECT_EQ(Base32NoPad("foob"), "MZXW6YQ");
  EXPECT_EQ(Base32NoPad("fooba"), "MZXW6YTB");
  EXPECT_EQ(Base32NoPad("foobar"), "MZXW6YTBOI");
}

TEST(Jwt, KeyIdMatchesLibtrustVector) {
  auto issuer = JwtIssuer::FromPem(kKeyPem);
  ASSERT_TRUE(issuer) << issuer.error().ToString();
  EXPECT_EQ(issuer->key_id(), kKeyId);
  EXPECT_EQ(issuer->key_id().size(), 12u * 4 + 11);
}

TEST(Jwt, RejectsKeysThatAreNotP256) {
  EXPECT_FALSE(JwtIssuer::FromPem("not pem"));
  EVP_PKEY* p384 = EVP_EC_gen("P-384");
  ASSERT_NE(p384, nullptr);
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, p384, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  auto issuer = JwtIssuer::FromPem(std::string(data, static_cast<size_t>(n)));
  BIO_free(bio);
  EVP_PKEY_free(p384);
  ASSERT_FALSE(issuer);
  EXPECT_NE(issuer.error().message().find("P-256"), std::string::npos);
}

TEST(Jwt, SignsVerifiableEs256) {
  auto issuer = JwtIssuer::FromPem(kKeyPem);
  ASSERT_TRUE(issuer);
  std::string claims = R"({"iss":"i","sub":"s","access":[]})";
  std::string jwt = issuer->Sign(claims);
  auto parts = SplitJwt(jwt);
  ASSERT_EQ(parts.size(), 3u);
  auto header = nlohmann::json::parse(*auth::Base64UrlDecode(parts[0]));
  EXPECT_EQ(header, (nlohmann::json{{"typ", "JWT"}, {"alg", "ES256"}, {"kid", kKeyId}}));
  EXPECT_EQ(*auth::Base64UrlDecode(parts[1]), claims);
  EXPECT_EQ(auth::Base64UrlDecode(parts[2])->size(), 64u);  // raw r||s
  EXPECT_TRUE(VerifyEs256(jwt, issuer->public_key_der()));
  // Another payload under the same signature does not verify.
  std::string forged = parts[0] + "." + auth::Base64UrlEncode(R"({"sub":"x"})") + "." + parts[2];
  EXPECT_FALSE(VerifyEs256(forged, issuer->public_key_der()));
  // Signatures are randomized but each verifies.
  std::string again = issuer->Sign(claims);
  EXPECT_NE(again, jwt);
  EXPECT_TRUE(VerifyEs256(again, issuer->public_key_der()));
}

TEST(Jwt, DerToJoseSignaturePadsAndRejects) {
  // SEQUENCE { INTEGER 1, INTEGER 0x0100 }
  std::string der("\x30\x07\x02\x01\x01\x02\x02\x01\x00", 9);
  std::string raw = DerToJoseSignature(der, 32);
  ASSERT_EQ(raw.size(), 64u);
  EXPECT_EQ(raw[31], '\x01');
  EXPECT_EQ(raw[62], '\x01');
  EXPECT_EQ(raw[63], '\x00');
  EXPECT_EQ(raw.substr(0, 31), std::string(31, '\0'));
  EXPECT_EQ(DerToJoseSignature(der, 1), "");  // s does not fit
  EXPECT_EQ(DerToJoseSignature("garbage", 32), "");
  EXPECT_EQ(DerToJoseSignature("", 32), "");
}

class JwtFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("rf_token_test." + std::to_string(::getpid()) + "." +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string Key() const { return (dir_ / "auth" / "jwt-key.pem").string(); }
  std::string Cert() const { return (dir_ / "auth" / "jwt-cert.pem").string(); }
  std::filesystem::path dir_;
};

TEST_F(JwtFiles, CreatesKeyAndCertificateOnce) {
  auto first = JwtIssuer::LoadOrCreate(Key(), Cert());
  ASSERT_TRUE(first) << first.error().ToString();
  struct stat st {};
  ASSERT_EQ(::stat(Key().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  // The certificate holds the signing key's public key, so the registry derives the same kid.
  FILE* f = std::fopen(Cert().c_str(), "r");
  ASSERT_NE(f, nullptr);
  X509* cert = PEM_read_X509(f, nullptr, nullptr, nullptr);
  std::fclose(f);
  ASSERT_NE(cert, nullptr);
  EVP_PKEY* pub = X509_get_pubkey(cert);
  unsigned char* der = nullptr;
  int n = i2d_PUBKEY(pub, &der);
  std::string spki(reinterpret_cast<char*>(der), static_cast<size_t>(n));
  OPENSSL_free(der);
  EVP_PKEY_free(pub);
  EXPECT_EQ(X509_verify(cert, X509_get0_pubkey(cert)), 1);  // self-signed
  X509_free(cert);
  EXPECT_EQ(LibtrustKeyId(spki), first->key_id());

  auto second = JwtIssuer::LoadOrCreate(Key(), Cert());
  ASSERT_TRUE(second);
  EXPECT_EQ(second->key_id(), first->key_id());
  EXPECT_EQ(second->certificate_pem(), first->certificate_pem());
  EXPECT_TRUE(VerifyEs256(second->Sign("{}"), first->public_key_der()));
}

TEST_F(JwtFiles, RecreatesAMissingCertificateAndRefusesAForeignOne) {
  auto first = JwtIssuer::LoadOrCreate(Key(), Cert());
  ASSERT_TRUE(first);
  std::filesystem::remove(Cert());
  auto again = JwtIssuer::LoadOrCreate(Key(), Cert());
  ASSERT_TRUE(again);
  EXPECT_EQ(again->key_id(), first->key_id());
  EXPECT_TRUE(std::filesystem::exists(Cert()));

  // A certificate for another key must not be served next to ours.
  std::string other_key = (dir_ / "other-key.pem").string();
  std::string other_cert = (dir_ / "other-cert.pem").string();
  ASSERT_TRUE(JwtIssuer::LoadOrCreate(other_key, other_cert));
  std::filesystem::copy_file(other_cert, Cert(), std::filesystem::copy_options::overwrite_existing);
  auto bad = JwtIssuer::LoadOrCreate(Key(), Cert());
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message().find("does not certify"), std::string::npos);

  std::ofstream(Cert()) << "junk";
  EXPECT_FALSE(JwtIssuer::LoadOrCreate(Key(), Cert()));
  std::ofstream(Key()) << "junk";
  EXPECT_FALSE(JwtIssuer::LoadOrCreate(Key(), Cert()));
}

}  // namespace
}  // namespace registry_frontend::token
