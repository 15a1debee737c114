#pragma once
// The datagram "network" OpenSSL talks to inside a DtlsTransport. OpenSSL 3.0 has no
// BIO_s_dgram_mem, and a plain memory BIO glues consecutive records into one byte stream, so
// datagram boundaries would be lost. This BIO keeps them:
//  - write: each BIO_write is one DTLS datagram (OpenSSL writes one record or one flight
//    fragment per call) and goes into its own slot of a fixed ring, drained by pop();
//  - read: hands OpenSSL the single datagram being handled, whole, then reports "retry".
// The ring is allocated once per transport; nothing is allocated per packet.
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

struct bio_st;         // OpenSSL BIO
struct bio_method_st;  // OpenSSL BIO_METHOD

namespace rtcgate::dtls {

class DatagramBio {
 public:
  // Largest datagram a slot holds: above the MTU we set (kDtlsMtu) so nothing OpenSSL
  // writes is ever cut, and within an Ethernet MTU.
  static constexpr size_t kSlotSize = 1500;
  // Slots in the ring: a full server flight (ServerHello, Certificate fragments,
  // ServerKeyExchange, CertificateRequest, ServerHelloDone) is ~6 datagrams; the owner drains
  // after every input, so 16 never fill unless the owner stops polling.
  static constexpr size_t kSlots = 16;

  DatagramBio();
  DatagramBio(const DatagramBio&) = delete;
  DatagramBio& operator=(const DatagramBio&) = delete;

  // A new BIO bound to this object (which must outlive it). Ownership goes to the caller,
  // normally straight into SSL_set_bio. Throws std::runtime_error on allocation failure.
  bio_st* createBio();

  // The datagram OpenSSL reads next; the span must stay valid until clearInbound().
  void setInbound(std::span<const uint8_t> datagram) noexcept { inbound_ = datagram; }
  void clearInbound() noexcept { inbound_ = {}; }

  // Copies the oldest queued datagram into `out` and returns its length, or 0 if none.
  // A datagram larger than `out` is dropped (counted) and the next one is tried.
  size_t pop(std::span<uint8_t> out) noexcept;
  size_t queued() const noexcept { return count_; }
  void discardQueued() noexcept { head_ = count_ = 0; }

  uint64_t overflowDrops() const noexcept { return overflowDrops_; }    // ring was full
  uint64_t oversizeDrops() const noexcept { return oversizeDrops_; }    // > slot or > out
  void setMtu(size_t mtu) noexcept { mtu_ = mtu; }

 private:
  static bio_method_st* method();
  static int onWrite(bio_st* bio, const char* data, int len);
  static int onRead(bio_st* bio, char* data, int len);
  static long onCtrl(bio_st* bio, int cmd, long num, void* ptr);
  static int onCreate(bio_st* bio);
  static int onDestroy(bio_st* bio);

  int write(const uint8_t* data, size_t len) noexcept;
  int read(uint8_t* data, size_t len) noexcept;

  std::unique_ptr<uint8_t[]> storage_;  // kSlots * kSlotSize, owned
  std::array<uint16_t, kSlots> lengths_{};
  size_t head_ = 0;   // oldest queued slot
  size_t count_ = 0;  // queued slots
  std::span<const uint8_t> inbound_;
  size_t mtu_ = 1200;
  uint64_t overflowDrops_ = 0;
  uint64_t oversizeDrops_ = 0;
};

}  // namespace rtcgate::dtls
