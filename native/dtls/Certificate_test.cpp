#include "dtls/Certificate.hpp"

#include <gtest/gtest.h>

#include <regex>
#include <stdexcept>

namespace rtcgate::dtls {
namespace {

TEST(Certificate, GeneratedFingerprintIsUppercaseHexPairs) {
  const Certificate cert = Certificate::generate();
  const std::string fp = cert.fingerprint();
  EXPECT_TRUE(std::regex_match(fp, std::regex("([0-9A-F]{2}:){31}[0-9A-F]{2}"))) << fp;
  EXPECT_EQ(cert.fingerprint("SHA-256"), fp);  // RFC 8122 §5: names are case-insensitive
  EXPECT_EQ(cert.fingerprint("sha-1").size(), 20u * 3 - 1);
  EXPECT_EQ(cert.fingerprint("sha-512").size(), 64u * 3 - 1);
  EXPECT_THROW(cert.fingerprint("md5"), std::runtime_error);
  EXPECT_EQ(Certificate::fingerprintOf(cert.x509(), "md5"), "");
}

TEST(Certificate, TwoGeneratedCertificatesDiffer) {
  EXPECT_NE(Certificate::generate().fingerprint(), Certificate::generate().fingerprint());
}

TEST(Certificate, PemRoundTripKeepsIdentity) {
  const Certificate cert = Certificate::generate();
  const std::string certPem = cert.certificatePem();
  const std::string keyPem = cert.privateKeyPem();
  EXPECT_NE(certPem.find("-----BEGIN CERTIFICATE-----"), std::string::npos);
  EXPECT_NE(keyPem.find("-----BEGIN PRIVATE KEY-----"), std::string::npos);
  const Certificate loaded = Certificate::fromPem(certPem, keyPem);
  EXPECT_EQ(loaded.fingerprint(), cert.fingerprint());
  const Certificate copy = loaded;  // refcounted copy
  EXPECT_EQ(copy.fingerprint(), cert.fingerprint());
}

TEST(Certificate, BadPemThrowsNamingThePart) {
  const Certificate cert = Certificate::generate();
  const Certificate other = Certificate::generate();
  auto message = [](auto&& f) -> std::string {
    try {
      f();
    } catch (const std::runtime_error& e) {
      return e.what();
    }
    return "no exception";
  };
  EXPECT_NE(message([&] { Certificate::fromPem("not a pem", cert.privateKeyPem()); })
                .find("certificate PEM"), std::string::npos);
  EXPECT_NE(message([&] { Certificate::fromPem(cert.certificatePem(), "garbage"); })
                .find("private key PEM"), std::string::npos);
  EXPECT_NE(message([&] { Certificate::fromPem(cert.certificatePem(), other.privateKeyPem()); })
                .find("does not match"), std::string::npos);
}

}  // namespace
}  // namespace rtcgate::dtls
