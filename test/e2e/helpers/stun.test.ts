// The test STUN helper against RFC 5769 (April 2010): it must rebuild the §2.1 sample request
// byte for byte (so its MESSAGE-INTEGRITY and FINGERPRINT are right) and read the §2.2 response.
// The bytes are transcribed from the RFC's hex listings (the same ones native/stun/testdata
// holds; provenance in native/stun/testdata/README.md).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { StunAttr, buildBindingRequest, crc32, kBindingMethod, messageType, parseStun } from './stun.js';

// RFC 5769 §2.1: short-term credentials, username "evtj:h6vY", password "VOkJxbRl1RmTxUk/WvJxBt".
const kSamplePassword = 'VOkJxbRl1RmTxUk/WvJxBt';
const kSampleRequest = Buffer.from(
  [
    '00010058', // Binding request, length 88
    '2112a442', // magic cookie
    'b7e7a701bc34d686fa87dfae', // transaction id
    '80220010', // SOFTWARE, 16 bytes
    '5354554e207465737420636c69656e74', //   "STUN test client"
    '00240004', // PRIORITY
    '6e0001ff', //   0x6e0001ff
    '80290008', // ICE-CONTROLLED
    '932ff9b151263b36', //   tie-breaker
    '00060009', // USERNAME, 9 bytes
    '6576746a3a68367659202020', //   "evtj:h6vY" + 3 pad bytes 0x20
    '00080014', // MESSAGE-INTEGRITY
    '9aeaa70cbfd8cb56781ef2b5b2d3f249c1b571a2', //   HMAC-SHA1
    '80280004', // FINGERPRINT
    'e57a3bcf', //   CRC-32 ^ 0x5354554e
  ].join(''),
  'hex',
);

// RFC 5769 §2.2: the success response, mapped address 192.0.2.1:32853, same password.
const kIpv4Response = Buffer.from(
  [
    '0101003c', // Binding success response, length 60
    '2112a442', // magic cookie
    'b7e7a701bc34d686fa87dfae', // transaction id
    '8022000b', // SOFTWARE, 11 bytes
    '7465737420766563746f7220', //   "test vector" + 1 pad byte 0x20
    '00200008', // XOR-MAPPED-ADDRESS
    '0001a147e112a643', //   IPv4, x-port, x-address
    '00080014', // MESSAGE-INTEGRITY
    '2b91f599fd9e90c38c7489f92af9ba53f06be7d7',
    '80280004', // FINGERPRINT
    'c07d4c96',
  ].join(''),
  'hex',
);

describe('test STUN helper (RFC 5769)', () => {
  test('CRC-32 check value of "123456789" is 0xCBF43926', () => {
    assert.equal(crc32(Buffer.from('123456789', 'ascii')), 0xcbf43926);
    assert.equal(crc32(new Uint8Array(0)), 0);
  });

  test('message type interleaves method and class bits (RFC 5389 §6)', () => {
    assert.equal(messageType(kBindingMethod, 'request'), 0x0001);
    assert.equal(messageType(kBindingMethod, 'indication'), 0x0011);
    assert.equal(messageType(kBindingMethod, 'success'), 0x0101);
    assert.equal(messageType(kBindingMethod, 'error'), 0x0111);
  });

  test('rebuilds the §2.1 sample request byte for byte, integrity and fingerprint included', () => {
    const built = buildBindingRequest({
      transactionId: kSampleRequest.subarray(8, 20),
      software: 'STUN test client',
      priority: 0x6e0001ff,
      iceControlled: 0x932ff9b151263b36n,
      username: 'evtj:h6vY',
      integrityKey: kSamplePassword,
      padByte: 0x20,
    });
    assert.equal(built.toString('hex'), kSampleRequest.toString('hex'));
  });

  test('reads the §2.1 request: class, attributes, integrity and fingerprint verify', () => {
    const m = parseStun(kSampleRequest);
    assert.ok(m);
    assert.equal(m.cls, 'request');
    assert.equal(m.method, kBindingMethod);
    assert.equal(m.username, 'evtj:h6vY');
    assert.deepEqual(
      m.attributes.map((a) => a.type),
      [StunAttr.Software, StunAttr.Priority, StunAttr.IceControlled, StunAttr.Username, StunAttr.MessageIntegrity, StunAttr.Fingerprint],
    );
    assert.ok(m.verifyIntegrity(kSamplePassword));
    assert.ok(!m.verifyIntegrity('VOkJxbRl1RmTxUk/WvJxBu'), 'another password fails');
    assert.ok(m.verifyFingerprint());
  });

  test('reads the §2.2 response: success class, XOR-MAPPED-ADDRESS 192.0.2.1:32853', () => {
    const m = parseStun(kIpv4Response);
    assert.ok(m);
    assert.equal(m.cls, 'success');
    assert.equal(m.xorMappedAddress, '192.0.2.1:32853');
    assert.equal(m.errorCode, null);
    assert.ok(m.verifyIntegrity(kSamplePassword));
    assert.ok(m.verifyFingerprint());
  });

  test('a flipped bit breaks integrity and fingerprint', () => {
    const bad = Buffer.from(kSampleRequest);
    bad[30] = (bad[30] ?? 0) ^ 0x01; // inside SOFTWARE
    const m = parseStun(bad);
    assert.ok(m);
    assert.ok(!m.verifyIntegrity(kSamplePassword));
    assert.ok(!m.verifyFingerprint());
  });

  test('reads an error response code and reason', () => {
    // 401 built by hand: ERROR-CODE class 4, number 1, reason "Unauthorized" (RFC 5389 §15.6).
    const reason = Buffer.from('Unauthorized', 'ascii');
    const attr = Buffer.concat([Buffer.from([0x00, 0x09, 0x00, 4 + reason.length, 0, 0, 4, 1]), reason]);
    const header = Buffer.from('01110000' + '2112a442' + '000102030405060708090a0b', 'hex');
    header.writeUInt16BE(attr.length, 2);
    const m = parseStun(Buffer.concat([header, attr]));
    assert.ok(m);
    assert.equal(m.cls, 'error');
    assert.equal(m.errorCode, 401);
    assert.equal(m.errorReason, 'Unauthorized');
    assert.ok(!m.hasIntegrity);
  });

  test('rejects what is not STUN', () => {
    assert.equal(parseStun(kSampleRequest.subarray(0, 19)), null, 'short header');
    assert.equal(parseStun(kSampleRequest.subarray(0, 40)), null, 'length field disagrees');
    const noCookie = Buffer.from(kSampleRequest);
    noCookie[4] = 0;
    assert.equal(parseStun(noCookie), null, 'no magic cookie');
    const topBits = Buffer.from(kSampleRequest);
    topBits[0] = 0x80;
    assert.equal(parseStun(topBits), null, 'top two bits set');
  });
});
