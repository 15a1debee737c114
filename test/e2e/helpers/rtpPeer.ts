// A plain-RTP peer for end-to-end tests of the SIP side: one node:dgram socket on 127.0.0.1
// that records every RTP packet it receives (RTCP on the same socket is told apart by RFC 5761
// §4 and only counted), sends RTP with its own sequence/timestamp state, and speaks RFC 4733
// telephone-events. Stands in for a SIP phone's media stack; the SIP tests reuse it.
import { createSocket, type Socket } from 'node:dgram';

/** RFC 3550 §5.1: the fixed header. */
export const kRtpHeaderSize = 12;
/** RFC 4733 §2.3: one event report is 4 bytes. */
export const kTelephoneEventSize = 4;
/** RFC 4733 §3.2: DTMF digits and their event codes, in code order (0-9, *, #, A-D). */
export const kDtmfDigits = '0123456789*#ABCD';
/** G.711 µ-law (RFC 3551 §4.5.14) code of a zero sample. */
export const kPcmuSilence = 0xff;

export interface RtpPacket {
  marker: boolean;
  payloadType: number;
  sequenceNumber: number;
  timestamp: number;
  ssrc: number;
  payload: Buffer;
  /** performance.now() when the socket delivered it. */
  receivedAt: number;
}

export interface TelephoneEvent {
  event: number;
  end: boolean;
  volume: number;
  duration: number;
}

/** Parses an RTP packet (version 2, CSRCs, extension and padding honoured); null if malformed. */
export function parseRtp(data: Buffer, receivedAt = performance.now()): RtpPacket | null {
  if (data.length < kRtpHeaderSize || data[0]! >> 6 !== 2) return null;
  const csrcCount = data[0]! & 0x0f;
  let offset = kRtpHeaderSize + 4 * csrcCount;
  if (data[0]! & 0x10) {
    // RFC 3550 §5.3.1: 16-bit profile, 16-bit length in 32-bit words.
    if (data.length < offset + 4) return null;
    offset += 4 + 4 * data.readUInt16BE(offset + 2);
  }
  let end = data.length;
  if (data[0]! & 0x20) end -= data[data.length - 1]!;
  if (offset > end) return null;
  return {
    marker: (data[1]! & 0x80) !== 0,
    payloadType: data[1]! & 0x7f,
    sequenceNumber: data.readUInt16BE(2),
    timestamp: data.readUInt32BE(4),
    ssrc: data.readUInt32BE(8),
    payload: data.subarray(offset, end),
    receivedAt,
  };
}

/** A 12-byte header (no CSRC, no extension) followed by `payload`. */
export function buildRtp(h: { marker?: boolean; payloadType: number; sequenceNumber: number; timestamp: number; ssrc: number }, payload: Uint8Array): Buffer {
  const b = Buffer.alloc(kRtpHeaderSize + payload.length);
  b[0] = 0x80;
  b[1] = (h.marker === true ? 0x80 : 0) | (h.payloadType & 0x7f);
  b.writeUInt16BE(h.sequenceNumber & 0xffff, 2);
  b.writeUInt32BE(h.timestamp >>> 0, 4);
  b.writeUInt32BE(h.ssrc >>> 0, 8);
  b.set(payload, kRtpHeaderSize);
  return b;
}

/** RFC 4733 §2.3 payload: event, E|R|volume, duration. Only the first report of a payload. */
export function parseTelephoneEvent(payload: Buffer): TelephoneEvent | null {
  if (payload.length < kTelephoneEventSize) return null;
  return { event: payload[0]!, end: (payload[1]! & 0x80) !== 0, volume: payload[1]! & 0x3f, duration: payload.readUInt16BE(2) };
}

export function buildTelephoneEvent(e: TelephoneEvent): Buffer {
  const b = Buffer.alloc(kTelephoneEventSize);
  b[0] = e.event;
  b[1] = (e.end ? 0x80 : 0) | (e.volume & 0x3f);
  b.writeUInt16BE(e.duration, 2);
  return b;
}

/** RFC 5761 §4: second byte 192-223 (PT 64-95 with the marker bit) is RTCP (SR 200, RR 201 …). */
export function isRtcp(data: Buffer): boolean {
  return data.length >= 2 && data[1]! >= 192 && data[1]! <= 223;
}

/** One telephone-event as seen on the wire: all packets sharing a timestamp, in arrival order. */
export interface ReceivedEvent {
  timestamp: number;
  event: number;
  packets: Array<{ marker: boolean; end: boolean; duration: number; sequenceNumber: number; receivedAt: number }>;
}

/** Groups the telephone-event packets (payload type `pt`) by RTP timestamp, in arrival order. */
export function collectEvents(packets: readonly RtpPacket[], pt: number): ReceivedEvent[] {
  const events: ReceivedEvent[] = [];
  for (const p of packets) {
    if (p.payloadType !== pt) continue;
    const e = parseTelephoneEvent(p.payload);
    if (!e) continue;
    let last = events[events.length - 1];
    if (!last || last.timestamp !== p.timestamp || last.event !== e.event) {
      last = { timestamp: p.timestamp, event: e.event, packets: [] };
      events.push(last);
    }
    last.packets.push({ marker: p.marker, end: e.end, duration: e.duration, sequenceNumber: p.sequenceNumber, receivedAt: p.receivedAt });
  }
  return events;
}

/** µ-law encoding of one 16-bit linear sample (ITU-T G.711, bias 0x84, clip 32635). */
export function linearToPcmu(sample: number): number {
  const sign = sample < 0 ? 0x80 : 0;
  const magnitude = Math.min(Math.abs(Math.trunc(sample)), 32635) + 0x84;
  let exponent = 7;
  for (let mask = 0x4000; (magnitude & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
  const mantissa = (magnitude >> (exponent + 3)) & 0x0f;
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}

/** What a PcmuStream sends in each 20 ms slot: one audio frame or one telephone-event report. */
export interface DtmfScheduleOptions {
  digits: string;
  /** Tone length and the audio gap after each tone (default 100 ms each). */
  toneMs?: number;
  gapMs?: number;
  /** Audio before the first digit (default 200 ms). */
  leadMs?: number;
  volume?: number;
}

export interface SendStreamOptions {
  ssrc: number;
  /** First sequence number and RTP timestamp (fixed defaults: tests stay deterministic). */
  initialSequence?: number;
  initialTimestamp?: number;
  audioPt?: number;
  eventPt?: number;
  /** 20 ms of µ-law per packet; a function of the running sample index, or silence. */
  sample?: (n: number) => number;
}

export interface SentSummary {
  audioPackets: number;
  eventPackets: number;
  /** Per digit: its RTP timestamp and the durations it reported, in order. */
  events: Array<{ digit: string; timestamp: number; durations: number[]; endCopies: number }>;
}

const kFrameMs = 20;
const kFrameSamples = 160; // 20 ms at 8 kHz (RFC 3551 PCMU)
const kEndCopies = 3; // RFC 4733 §2.5.1.4

export class RtpPeer {
  readonly received: RtpPacket[] = [];
  rtcpReceived = 0;
  /** Where the last packet came from ("ip:port"). */
  lastSource: string | null = null;
  readonly #waiters = new Set<() => void>();

  private constructor(
    readonly socket: Socket,
    readonly address: string,
    readonly port: number,
  ) {
    socket.on('message', (data, rinfo) => {
      this.lastSource = `${rinfo.address}:${rinfo.port}`;
      if (isRtcp(data)) {
        this.rtcpReceived++;
        return;
      }
      const p = parseRtp(Buffer.from(data));
      if (p) this.received.push(p);
      for (const w of this.#waiters) w();
    });
  }

  /** Binds a UDP socket on `address` (an ephemeral port unless `port` is given). */
  static async open(address = '127.0.0.1', port = 0): Promise<RtpPeer> {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, address, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    return new RtpPeer(socket, address, socket.address().port);
  }

  send(data: Buffer, port: number, address = '127.0.0.1'): void {
    this.socket.send(data, port, address);
  }

  /** Resolves true once `cond()` holds (re-checked on every packet), false after `ms`. */
  waitFor(cond: () => boolean, ms: number): Promise<boolean> {
    if (cond()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (ok: boolean): void => {
        clearTimeout(timer);
        this.#waiters.delete(check);
        resolve(ok);
      };
      const check = (): void => {
        if (cond()) done(true);
      };
      const timer = setTimeout(() => done(cond()), ms);
      this.#waiters.add(check);
    });
  }

  /**
   * Sends a 20 ms PCMU stream to `port` with the digits of `schedule` as RFC 4733 events in it,
   * paced on the wall clock: audio for the lead, then per digit one report per 20 ms with the
   * duration so far (the first marked, §2.5.1.1), the final report with E set three times in
   * the following slots (§2.5.1.4), then audio for the gap. Audio stops during an event (the
   * event replaces it) and the audio timestamp runs on across it. Resolves after the last slot.
   */
  async sendPcmuWithDtmf(port: number, stream: SendStreamOptions, schedule: DtmfScheduleOptions, address = '127.0.0.1'): Promise<SentSummary> {
    const audioPt = stream.audioPt ?? 0;
    const eventPt = stream.eventPt ?? 101;
    const toneSlots = Math.round((schedule.toneMs ?? 100) / kFrameMs);
    const gapSlots = Math.round((schedule.gapMs ?? 100) / kFrameMs);
    const leadSlots = Math.round((schedule.leadMs ?? 200) / kFrameMs);
    type Slot = { kind: 'audio' } | { kind: 'event'; digit: string; index: number; duration: number; end: boolean; marker: boolean };
    const slots: Slot[] = [];
    for (let i = 0; i < leadSlots; i++) slots.push({ kind: 'audio' });
    for (const [index, digit] of [...schedule.digits].entries()) {
      for (let k = 1; k <= toneSlots; k++) slots.push({ kind: 'event', digit, index, duration: k * kFrameSamples, end: k === toneSlots, marker: k === 1 });
      for (let c = 1; c < kEndCopies; c++) slots.push({ kind: 'event', digit, index, duration: toneSlots * kFrameSamples, end: true, marker: false });
      for (let i = 0; i < gapSlots; i++) slots.push({ kind: 'audio' });
    }

    const summary: SentSummary = { audioPackets: 0, eventPackets: 0, events: [] };
    let seq = stream.initialSequence ?? 0xfff0; // wraps during a long schedule: exercises the receiver
    const ts0 = stream.initialTimestamp ?? 0xffff_f000;
    const sample = stream.sample ?? (() => 0);
    const started = performance.now();
    let eventTimestamp = 0;
    for (const [n, slot] of slots.entries()) {
      const due = started + n * kFrameMs;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const slotTimestamp = (ts0 + n * kFrameSamples) >>> 0;
      if (slot.kind === 'audio') {
        const payload = Buffer.alloc(kFrameSamples);
        for (let i = 0; i < kFrameSamples; i++) payload[i] = linearToPcmu(sample(n * kFrameSamples + i));
        this.send(buildRtp({ marker: summary.audioPackets === 0, payloadType: audioPt, sequenceNumber: seq++, timestamp: slotTimestamp, ssrc: stream.ssrc }, payload), port, address);
        summary.audioPackets++;
        continue;
      }
      if (slot.marker) {
        // §2.3.1: the event's timestamp is where the tone began on the audio timeline.
        eventTimestamp = slotTimestamp;
        summary.events.push({ digit: slot.digit, timestamp: eventTimestamp, durations: [], endCopies: 0 });
      }
      const code = kDtmfDigits.indexOf(slot.digit.toUpperCase());
      if (code < 0) throw new Error(`not a DTMF digit: ${slot.digit}`);
      const payload = buildTelephoneEvent({ event: code, end: slot.end, volume: schedule.volume ?? 10, duration: slot.duration });
      this.send(buildRtp({ marker: slot.marker, payloadType: eventPt, sequenceNumber: seq++, timestamp: eventTimestamp, ssrc: stream.ssrc }, payload), port, address);
      summary.eventPackets++;
      const record = summary.events[summary.events.length - 1]!;
      record.durations.push(slot.duration);
      if (slot.end) record.endCopies++;
    }
    return summary;
  }

  close(): Promise<void> {
    for (const w of this.#waiters) w();
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}
