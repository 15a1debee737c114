// Test fixtures: two stacks back to back on a FakeNetwork (alice 127.0.0.1:5060, bob 127.0.0.2:5070).

import { parseUri, type NameAddr, type SipUri, type Uri } from '../message/index.js';
import { FakeClock } from './clock.js';
import { SipStack, type SipStackOptions } from './SipStack.js';
import { FakeNetwork } from './testing.js';

export const ALICE = '127.0.0.1:5060';
export const BOB = '127.0.0.2:5070';

export function uri(text: string): Uri {
  const r = parseUri(text);
  if (!r.ok) throw new Error(r.reason);
  return r.uri;
}

export function sip(text: string): SipUri {
  const u = uri(text);
  if (u.type !== 'sip') throw new Error(`not a sip: URI: ${text}`);
  return u;
}

export function addr(text: string): NameAddr {
  return { displayName: undefined, uri: uri(text), params: new Map() };
}

export function sdp(direction: 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive' = 'sendrecv', port = 4000): string {
  return `v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio ${port} RTP/AVP 0\r\na=${direction}\r\n`;
}

export type StackOverrides = Partial<Omit<SipStackOptions, 'transport' | 'clock'>>;

export function pair(a: StackOverrides = {}, b: StackOverrides = {}): { clock: FakeClock; net: FakeNetwork; alice: SipStack; bob: SipStack } {
  const clock = new FakeClock();
  const net = new FakeNetwork(clock);
  const alice = new SipStack({ transport: net.add('127.0.0.1', 5060), clock, ...a });
  const bob = new SipStack({ transport: net.add('127.0.0.2', 5070), clock, ...b });
  for (const s of [alice, bob]) {
    s.on('internalError', (e) => {
      throw e;
    });
  }
  return { clock, net, alice, bob };
}

export const BOB_URI = 'sip:bob@127.0.0.2:5070';
export const ALICE_ADDR = 'sip:alice@127.0.0.1:5060';
