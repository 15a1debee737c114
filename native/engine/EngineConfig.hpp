#pragma once
#include <cstdint>
#include <string>

#include "common/Time.hpp"

namespace rtcgate::engine {

struct EngineConfig {
  unsigned workers = 1;
  uint16_t portMin = 36000;
  uint16_t portMax = 36999;
  uint16_t sipPortMin = 9000;
  uint16_t sipPortMax = 9999;
  std::string bindAddress = "0.0.0.0";
  std::string certificatePem;  // empty: generate an ECDSA P-256 certificate at start
  std::string privateKeyPem;
  Duration consentTimeout = seconds(30);  // RFC 7675 §5.1
};

}  // namespace rtcgate::engine
