#include "common/SocketAddress.hpp"

#include <gtest/gtest.h>

#include "common/Demux.hpp"

namespace rtcgate {

TEST(SocketAddress, ParsesAndPrintsBothFamilies) {
  auto v4 = SocketAddress::fromIp("127.0.0.1", 36000);
  EXPECT_TRUE(v4.isSet());
  EXPECT_EQ(v4.toString(), "127.0.0.1:36000");
  auto v6 = SocketAddress::fromIp("::1", 5);
  EXPECT_EQ(v6.toString(), "[::1]:5");
  EXPECT_FALSE(SocketAddress::fromIp("localhost", 1).isSet());
  EXPECT_EQ(v4, SocketAddress::fromIp("127.0.0.1", 36000));
  EXPECT_FALSE(v4 == SocketAddress::fromIp("127.0.0.1", 36001));
}

TEST(Demux, FollowsRfc7983Ranges) {
  const uint8_t stun[] = {0x00, 0x01};
  const uint8_t dtls[] = {22, 0xfe};
  const uint8_t rtp[] = {0x80, 111};
  const uint8_t rtcp[] = {0x80, 200};
  const uint8_t junk[] = {0x70, 0};
  EXPECT_EQ(classifyPacket(stun), PacketKind::Stun);
  EXPECT_EQ(classifyPacket(dtls), PacketKind::Dtls);
  EXPECT_EQ(classifyPacket(rtp), PacketKind::Rtp);
  EXPECT_EQ(classifyPacket(rtcp), PacketKind::Rtcp);
  EXPECT_EQ(classifyPacket(junk), PacketKind::Unknown);
}

}  // namespace rtcgate
