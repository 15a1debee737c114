#pragma once
// RFC 3550 §6.5 source description (PT 202): chunks of (SSRC, items), as a borrowed view.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "common/ByteOrder.hpp"
#include "rtcp/RtcpHeader.hpp"

namespace rtcgate::rtcp {

// §6.5 item types (§12.2).
enum class SdesItemType : uint8_t {
  End = 0, Cname = 1, Name = 2, Email = 3, Phone = 4, Loc = 5, Tool = 6, Note = 7, Priv = 8,
};

struct SdesItem {
  uint32_t ssrc;     // SSRC/CSRC of the chunk the item belongs to
  uint8_t type;      // SdesItemType value (unknown types are passed through)
  std::string_view text;
};

class Sdes {
 public:
  // nullopt when the packet is not SDES or a chunk/item overruns the packet.
  static std::optional<Sdes> parse(const RtcpHeader& header) noexcept;

  size_t chunkCount() const noexcept { return count_; }

  // Calls f(const SdesItem&) for every item of every chunk, in wire order.
  template <typename F>
  void forEachItem(F&& f) const noexcept {
    walk(body_, count_, f);
  }

  // The first CNAME item (§6.5.1), and the chunk SSRC it belongs to.
  std::optional<SdesItem> cname() const noexcept;

 private:
  Sdes(std::span<const uint8_t> body, size_t count) noexcept : body_(body), count_(count) {}

  // Returns false on a malformed body; calls f for each item seen before that.
  template <typename F>
  static bool walk(std::span<const uint8_t> body, size_t count, F& f) noexcept {
    size_t pos = 0;
    for (size_t chunk = 0; chunk < count; ++chunk) {
      if (pos + 4 > body.size()) return false;
      const uint32_t ssrc = load32(body.data() + pos);
      pos += 4;
      // Items until a null type octet; the end of the packet also ends the last list (lenient).
      while (pos < body.size() && body[pos] != uint8_t(SdesItemType::End)) {
        if (pos + 2 > body.size()) return false;
        const size_t len = body[pos + 1];
        if (pos + 2 + len > body.size()) return false;
        f(SdesItem{ssrc, body[pos],
                   std::string_view(reinterpret_cast<const char*>(body.data() + pos + 2), len)});
        pos += 2 + len;
      }
      // Skip the null octet and the null padding up to the next 32-bit boundary (§6.5).
      if (pos < body.size()) pos = (pos + 4) & ~size_t(3);
    }
    return true;
  }

  std::span<const uint8_t> body_;
  size_t count_;
};

}  // namespace rtcgate::rtcp
