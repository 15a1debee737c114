import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ClientMessage } from './protocol.js';
import { MAX_SDP_LENGTH, parseClientMessage, validateClientMessage, type ValidationResult } from './validate.js';

const SDP = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n';

function ok(text: string): ClientMessage {
  const r = parseClientMessage(text);
  assert.ok(r.ok, `expected ok, got ${JSON.stringify(r)}`);
  return r.msg;
}
function bad(input: string, code: string, message: string | RegExp, reqId?: string): void {
  const r: ValidationResult = parseClientMessage(input);
  assert.equal(r.ok, false, `expected a rejection for ${input.slice(0, 100)}`);
  if (r.ok) return;
  assert.equal(r.code, code);
  if (typeof message === 'string') assert.equal(r.message, message);
  else assert.match(r.message, message);
  assert.equal(r.reqId, reqId);
}
const j = (v: unknown): string => JSON.stringify(v);

describe('validateClientMessage: every valid type', () => {
  const valid: ClientMessage[] = [
    { v: 1, type: 'signIn', id: 'alice' },
    { v: 1, type: 'signIn', reqId: 'r1', id: '5551234' },
    { v: 1, type: 'signOut' },
    { v: 1, type: 'signOut', reqId: 'r2' },
    { v: 1, type: 'call', reqId: 'r3', callId: 'c1', target: 'self', sdp: SDP },
    { v: 1, type: 'accept', callId: 'c1', sdp: SDP },
    { v: 1, type: 'reject', callId: 'c1' },
    { v: 1, type: 'hangup', reqId: 'x', callId: 'c1' },
    { v: 1, type: 'ping' },
    { v: 1, type: 'ping', reqId: 'p' },
  ];
  for (const msg of valid) {
    it(`${msg.type} ${msg.reqId ?? ''}`, () => assert.deepEqual(ok(j(msg)), msg));
  }

  it('drops unknown fields and never copies prototype keys', () => {
    const m = ok('{"v":1,"type":"signIn","id":"a","extra":1,"__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}}}');
    assert.deepEqual(Object.keys(m).sort(), ['id', 'type', 'v']);
    assert.equal(Object.getPrototypeOf(m), Object.prototype);
    assert.equal(Reflect.get(Object.prototype, 'polluted'), undefined);
    assert.equal(Reflect.get(m, 'polluted'), undefined);
  });

  it('ignores inherited properties', () => {
    const base = { v: 1, type: 'ping' };
    const child: unknown = Object.create(base);
    const r = validateClientMessage(child);
    assert.equal(r.ok, false);
  });
});

describe('validateClientMessage: rejections', () => {
  it('non-JSON', () => {
    bad('', 'malformed', 'frame is not valid JSON');
    bad('{', 'malformed', 'frame is not valid JSON');
    bad('hello', 'malformed', 'frame is not valid JSON');
    bad('\u0000\u0001', 'malformed', 'frame is not valid JSON');
  });
  it('not an object', () => {
    for (const t of ['null', '[]', '[{"v":1,"type":"ping"}]', '1', '"ping"', 'true']) bad(t, 'malformed', 'a message must be a JSON object');
  });
  it('version', () => {
    bad(j({ type: 'ping' }), 'malformed', 'field "v" (protocol version) must be a number');
    bad(j({ v: '1', type: 'ping' }), 'malformed', 'field "v" (protocol version) must be a number');
    bad(j({ v: null, type: 'ping', reqId: 'a' }), 'malformed', 'field "v" (protocol version) must be a number', 'a');
    bad(j({ v: 2, type: 'ping', reqId: 'a' }), 'unsupported-version', 'protocol version 2 is not supported (this server speaks 1)', 'a');
    bad('{"v":1e999,"type":"ping"}', 'unsupported-version', /Infinity/);
    bad(j({ v: 1.5, type: 'ping' }), 'unsupported-version', /1\.5/);
  });
  it('type', () => {
    bad(j({ v: 1 }), 'malformed', 'field "type" must be a non-empty string');
    bad(j({ v: 1, type: 7 }), 'malformed', 'field "type" must be a non-empty string');
    bad(j({ v: 1, type: '' }), 'malformed', 'field "type" must be a non-empty string');
    bad(j({ v: 1, type: 'subscribe', reqId: 'q' }), 'unknown-type', 'unknown message type "subscribe"', 'q');
    bad(j({ v: 1, type: '__proto__' }), 'unknown-type', 'unknown message type "__proto__"');
    bad(j({ v: 1, type: 'toString' }), 'unknown-type', 'unknown message type "toString"');
    bad(j({ v: 1, type: 'x'.repeat(100_000) }), 'unknown-type', /^unknown message type "x{40}\.\.\."$/);
  });
  it('reqId', () => {
    bad(j({ v: 1, type: 'ping', reqId: 5 }), 'malformed', /^field "reqId" must be a non-empty string/);
    bad(j({ v: 1, type: 'ping', reqId: '' }), 'malformed', /^field "reqId"/);
    bad(j({ v: 1, type: 'ping', reqId: 'r'.repeat(129) }), 'malformed', /at most 128/);
    bad(j({ v: 1, type: 'ping', reqId: 'a\nb' }), 'malformed', /control characters/);
  });
  it('field types per message', () => {
    bad(j({ v: 1, type: 'signIn' }), 'malformed', 'signIn: field "id" must be a non-empty string');
    bad(j({ v: 1, type: 'signIn', id: null }), 'malformed', 'signIn: field "id" must be a non-empty string');
    bad(j({ v: 1, type: 'signIn', id: ['a'] }), 'malformed', 'signIn: field "id" must be a non-empty string');
    bad(j({ v: 1, type: 'call', reqId: 'k', callId: 'c', sdp: SDP }), 'malformed', 'call: field "target" must be a non-empty string', 'k');
    bad(j({ v: 1, type: 'call', callId: 'c', target: '', sdp: SDP }), 'malformed', 'call: field "target" must be a non-empty string');
    bad(j({ v: 1, type: 'call', callId: 'c', target: 't', sdp: 1 }), 'malformed', 'call: field "sdp" must be a non-empty string');
    bad(j({ v: 1, type: 'call', callId: 7, target: 't', sdp: SDP }), 'malformed', 'call: field "callId" must be a non-empty string');
    bad(j({ v: 1, type: 'accept', callId: 'c' }), 'malformed', 'accept: field "sdp" must be a non-empty string');
    bad(j({ v: 1, type: 'reject' }), 'malformed', 'reject: field "callId" must be a non-empty string');
    bad(j({ v: 1, type: 'hangup', callId: {} }), 'malformed', 'hangup: field "callId" must be a non-empty string');
  });
  it('hostile strings', () => {
    bad(j({ v: 1, type: 'call', callId: 'c', target: 'sip:a@b\r\nVia: evil', sdp: SDP }), 'malformed', 'call: field "target" must not contain control characters');
    bad(j({ v: 1, type: 'signIn', id: 'a'.repeat(257) }), 'malformed', 'signIn: field "id" must be at most 256 characters');
    bad(j({ v: 1, type: 'accept', callId: 'c', sdp: 's'.repeat(MAX_SDP_LENGTH + 1) }), 'malformed', `accept: field "sdp" must be at most ${MAX_SDP_LENGTH} characters`);
    // Deep nesting must not blow the stack of the validator (JSON.parse handles its own).
    const deep = `${'['.repeat(5000)}${']'.repeat(5000)}`;
    bad(deep, 'malformed', 'a message must be a JSON object');
  });
});
