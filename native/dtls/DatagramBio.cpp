#include "dtls/DatagramBio.hpp"

#include <openssl/bio.h>

#include <cstring>
#include <mutex>
#include <stdexcept>

namespace rtcgate::dtls {

bio_method_st* DatagramBio::method() {
  // Created once per process and never freed: a BIO_METHOD is immutable after setup and may
  // be shared by every worker thread.
  static BIO_METHOD* m = nullptr;
  static std::once_flag once;
  std::call_once(once, [] {
    BIO_METHOD* made = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK,
                                    "rtcgate datagram");
    if (made == nullptr) return;
    BIO_meth_set_write(made, &DatagramBio::onWrite);
    BIO_meth_set_read(made, &DatagramBio::onRead);
    BIO_meth_set_ctrl(made, &DatagramBio::onCtrl);
    BIO_meth_set_create(made, &DatagramBio::onCreate);
    BIO_meth_set_destroy(made, &DatagramBio::onDestroy);
    m = made;
  });
  return m;
}

DatagramBio::DatagramBio() : storage_(new uint8_t[kSlots * kSlotSize]) {}

bio_st* DatagramBio::createBio() {
  BIO_METHOD* m = method();
  BIO* bio = m != nullptr ? BIO_new(m) : nullptr;
  if (bio == nullptr) throw std::runtime_error("DatagramBio: cannot create the BIO");
  BIO_set_data(bio, this);
  return bio;
}

size_t DatagramBio::pop(std::span<uint8_t> out) noexcept {
  while (count_ > 0) {
    const size_t slot = head_;
    head_ = (head_ + 1) % kSlots;
    --count_;
    const size_t len = lengths_[slot];
    if (len > out.size()) {
      ++oversizeDrops_;
      continue;
    }
    std::memcpy(out.data(), storage_.get() + slot * kSlotSize, len);
    return len;
  }
  return 0;
}

int DatagramBio::write(const uint8_t* data, size_t len) noexcept {
  if (len > kSlotSize) {
    ++oversizeDrops_;
    return static_cast<int>(len);  // lost on the "wire"; DTLS retransmission covers it
  }
  if (count_ == kSlots) {
    // Same reasoning: a full ring is a congested link. Reporting success keeps OpenSSL's
    // state machine going; the handshake timer resends the flight.
    ++overflowDrops_;
    return static_cast<int>(len);
  }
  const size_t slot = (head_ + count_) % kSlots;
  std::memcpy(storage_.get() + slot * kSlotSize, data, len);
  lengths_[slot] = static_cast<uint16_t>(len);
  ++count_;
  return static_cast<int>(len);
}

int DatagramBio::read(uint8_t* data, size_t len) noexcept {
  if (inbound_.empty()) return -1;
  // One datagram per read, never split or merged: DTLS records must not span datagrams
  // (RFC 6347 §4.1.1). OpenSSL reads with a buffer of a full record; if it ever passes less,
  // the tail is cut, the truncated record fails its checks and is dropped.
  const size_t n = inbound_.size() < len ? inbound_.size() : len;
  std::memcpy(data, inbound_.data(), n);
  inbound_ = {};
  return static_cast<int>(n);
}

int DatagramBio::onWrite(bio_st* bio, const char* data, int len) {
  BIO_clear_retry_flags(bio);
  auto* self = static_cast<DatagramBio*>(BIO_get_data(bio));
  if (self == nullptr || data == nullptr || len <= 0) return 0;
  return self->write(reinterpret_cast<const uint8_t*>(data), static_cast<size_t>(len));
}

int DatagramBio::onRead(bio_st* bio, char* data, int len) {
  BIO_clear_retry_flags(bio);
  auto* self = static_cast<DatagramBio*>(BIO_get_data(bio));
  if (self == nullptr || data == nullptr || len <= 0) return 0;
  const int n = self->read(reinterpret_cast<uint8_t*>(data), static_cast<size_t>(len));
  if (n < 0) BIO_set_retry_read(bio);  // nothing now; more may come with the next datagram
  return n;
}

long DatagramBio::onCtrl(bio_st* bio, int cmd, long /*num*/, void* /*ptr*/) {
  auto* self = static_cast<DatagramBio*>(BIO_get_data(bio));
  switch (cmd) {
    case BIO_CTRL_FLUSH:
      return 1;  // writes are already whole datagrams in the ring; OpenSSL flushes per flight
    case BIO_CTRL_WPENDING:
      return 0;  // from OpenSSL's view every write has left; the ring is "the network"
    case BIO_CTRL_PENDING:
      return self != nullptr ? static_cast<long>(self->inbound_.size()) : 0;
    case BIO_CTRL_DGRAM_QUERY_MTU:
    case BIO_CTRL_DGRAM_GET_FALLBACK_MTU:
      return self != nullptr ? static_cast<long>(self->mtu_) : 0;
    case BIO_CTRL_DGRAM_GET_MTU_OVERHEAD:
      return 0;  // our MTU is already the UDP payload budget; no IP/UDP header to subtract
    case BIO_CTRL_DGRAM_SET_NEXT_TIMEOUT:
      return 1;  // the transport reads the deadline via DTLSv1_get_timeout instead
    case BIO_CTRL_DGRAM_MTU_EXCEEDED:
      return 0;
    default:
      return 0;  // includes GET_PEER, SET_CONNECTED, PUSH/POP: nothing to do for memory I/O
  }
}

int DatagramBio::onCreate(bio_st* bio) {
  BIO_set_init(bio, 1);
  return 1;
}

int DatagramBio::onDestroy(bio_st* bio) {
  if (bio == nullptr) return 0;
  BIO_set_data(bio, nullptr);  // the DatagramBio is owned by the transport, not the BIO
  return 1;
}

}  // namespace rtcgate::dtls
