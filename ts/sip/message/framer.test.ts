// StreamFramer: messages cut by Content-Length across arbitrary chunking, keep-alives, limits.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StreamFramer, SipFramingError, parseMessage } from './index.js';
import type { FramerOutput } from './index.js';

const m1 = 'OPTIONS sip:a@h SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bK1\r\nFrom: <sip:x@h>;tag=1\r\nTo: <sip:a@h>\r\nCall-ID: c1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n';
const m2 = 'MESSAGE sip:a@h SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bK2\r\nFrom: <sip:x@h>;tag=1\r\nTo: <sip:a@h>\r\nCall-ID: c2\r\nCSeq: 2 MESSAGE\r\nl: 5\r\n\r\nhello';

function feed(f: StreamFramer, chunks: Array<string | Buffer>): FramerOutput[] {
  return chunks.flatMap((c) => f.push(typeof c === 'string' ? Buffer.from(c) : c));
}
const kinds = (out: FramerOutput[]): string[] => out.map((o) => o.type);

describe('StreamFramer', () => {
  it('frames back-to-back messages in one chunk', () => {
    const out = feed(new StreamFramer(), [m1 + m2]);
    assert.deepEqual(kinds(out), ['message', 'message']);
    const second = out[1];
    assert.ok(second?.type === 'message');
    const r = parseMessage(second.bytes, { transport: 'stream' });
    assert.ok(r.ok);
    assert.equal(Buffer.from(r.message.body).toString(), 'hello');
  });
  it('any split point gives the same messages', () => {
    const all = Buffer.from(m1 + '\r\n\r\n' + m2);
    for (let cut = 1; cut < all.length; cut++) {
      const out = feed(new StreamFramer(), [all.subarray(0, cut), all.subarray(cut)]);
      const msgs = out.filter((o) => o.type === 'message').map((o) => (o.type === 'message' ? o.bytes.toString() : ''));
      assert.deepEqual(msgs, [m1, m2], `cut ${cut}`);
      assert.equal(out.filter((o) => o.type === 'ping').length, 1, `cut ${cut}: ${kinds(out).join()}`);
    }
  });
  it('byte-at-a-time feeding', () => {
    const f = new StreamFramer();
    const out = feed(f, [...Buffer.from(m2 + m1)].map((b) => Buffer.from([b])));
    assert.deepEqual(kinds(out), ['message', 'message']);
    assert.equal(f.buffered, 0);
  });
  it('double CRLF is a ping, single CRLF a pong (RFC 5626 §3.5.1)', () => {
    assert.deepEqual(kinds(feed(new StreamFramer(), ['\r\n\r\n'])), ['ping']);
    assert.deepEqual(kinds(feed(new StreamFramer(), ['\r\n'])), ['pong']);
    assert.deepEqual(kinds(feed(new StreamFramer(), ['\r\n\r\n\r\n\r\n', m1])), ['ping', 'ping', 'message']);
    assert.deepEqual(kinds(feed(new StreamFramer(), ['\r\n', m1])), ['pong', 'message']);
  });
  it('missing Content-Length is a typed error, and the framer stays failed', () => {
    const f = new StreamFramer();
    const out = feed(f, [m1.replace('Content-Length: 0\r\n', '')]);
    assert.equal(out.length, 1);
    const e = out[0];
    assert.ok(e?.type === 'error' && e.error instanceof SipFramingError);
    assert.equal(e.error.reason, 'missing-content-length');
    assert.equal(e.error.code, 'ERR_SIP_FRAMING');
    assert.ok(f.failed);
    assert.deepEqual(f.push(Buffer.from(m1)), []);
  });
  it('bad or repeated Content-Length', () => {
    for (const bad of ['Content-Length: -1', 'Content-Length: x', 'Content-Length: 0\r\nl: 0']) {
      const out = feed(new StreamFramer(), [m1.replace('Content-Length: 0', bad)]);
      assert.ok(out[0]?.type === 'error' && out[0].error.reason === 'bad-content-length', bad);
    }
  });
  it('size limit: huge header section or declared body', () => {
    const f = new StreamFramer({ maxMessageSize: 1024 });
    const out = feed(f, ['INVITE sip:a@h SIP/2.0\r\nX: ' + 'a'.repeat(2000)]);
    assert.ok(out[0]?.type === 'error' && out[0].error.reason === 'too-large');
    const g = new StreamFramer();
    const out2 = feed(g, [m1.replace('Content-Length: 0', 'Content-Length: 70000')]);
    assert.ok(out2[0]?.type === 'error' && out2[0].error.reason === 'too-large');
    assert.equal(g.buffered, 0);
    assert.throws(() => new StreamFramer({ maxMessageSize: 1 }));
  });
  it('waits for the rest of the body', () => {
    const f = new StreamFramer();
    assert.deepEqual(f.push(Buffer.from(m2.slice(0, -2))), []);
    assert.ok(f.buffered > 0);
    assert.deepEqual(kinds(f.push(Buffer.from(m2.slice(-2)))), ['message']);
  });
});
