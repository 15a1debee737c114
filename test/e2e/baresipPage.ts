// Runs inside Chromium (serialised by page.evaluate): a small soft phone on top of the SDK that
// keeps its gateway and its one call on `window.phone`, so a test can drive the call step by step
// (answer, hold, resume, sendDtmf, sendData, hangup) and read its statistics and events later.
// Self-contained on purpose: nothing from the test's scope exists in the page.

export interface PhoneStats {
  state: string;
  endReason: string | null;
  audioPacketsReceived: number;
  audioPacketsSent: number;
  totalAudioEnergy: number;
  codec: string | null;
}

/** What happened to the call, in order: 'incoming', 'state:<s>', 'remoteHold:<bool>', 'data:<json>'. */
export type PhoneEvent = string;

export interface Phone {
  /** Places a call to `target` and waits until it is connected. */
  call(target: string, timeoutMs: number): Promise<void>;
  /** Waits for an incoming call, then answers it (audio only). */
  answer(timeoutMs: number): Promise<string>;
  hold(): Promise<void>;
  resume(): Promise<void>;
  sendDtmf(digits: string): void;
  sendData(data: Record<string, string>): Promise<void>;
  hangup(): void;
  stats(): Promise<PhoneStats>;
  /** Resolves when the call is in `state` (rejects after `ms`). */
  waitState(state: string, ms: number): Promise<void>;
  events: PhoneEvent[];
  close(): void;
}

/** Signs in as `id` and puts the phone on window.phone (resolves once signed in). */
export async function installPhone(args: { id: string }): Promise<void> {
  type SdkCall = {
    peer: string;
    state: string;
    endReason: string | null;
    peerConnection: RTCPeerConnection;
    remoteStream: MediaStream;
    answer(options: { audio: boolean; video: boolean }): Promise<void>;
    hangup(): void;
    hold(): Promise<void>;
    resume(): Promise<void>;
    sendDtmf(digits: string): void;
    sendData(data: Record<string, string>): Promise<void>;
    on(event: string, handler: (...a: unknown[]) => void): void;
  };
  type Sdk = {
    connect(): Promise<{
      signIn(id: string): Promise<unknown>;
      call(target: string, options: { audio: boolean; video: boolean }): Promise<SdkCall>;
      on(event: 'incoming', handler: (call: SdkCall) => void): void;
      close(): void;
    }>;
  };
  const sdkUrl = '/sdk/rtcgate.js';
  const sdk = (await import(sdkUrl)) as Sdk;
  const gw = await sdk.connect();
  await gw.signIn(args.id);

  const events: string[] = [];
  let current: SdkCall | undefined;
  const incoming: SdkCall[] = [];
  const adopt = (call: SdkCall): void => {
    current = call;
    call.on('state', (s) => events.push(`state:${String(s)}`));
    call.on('remoteHold', (held) => events.push(`remoteHold:${String(held)}`));
    call.on('data', (data) => events.push(`data:${JSON.stringify(data)}`));
    // Remote audio must reach an <audio> element or audio levels stay at 0.
    const audio = document.createElement('audio');
    audio.autoplay = true;
    audio.srcObject = call.remoteStream;
    document.body.append(audio);
  };
  gw.on('incoming', (call) => {
    events.push('incoming');
    incoming.push(call);
  });
  const the = (): SdkCall => {
    if (current === undefined) throw new Error('no call');
    return current;
  };
  const waitState = (state: string, ms: number): Promise<void> =>
    new Promise((resolve, reject) => {
      const call = the();
      if (call.state === state) return resolve();
      const timer = setTimeout(() => reject(new Error(`call is ${call.state}, wanted ${state}`)), ms);
      call.on('state', (s) => {
        if (s === state) {
          clearTimeout(timer);
          resolve();
        }
      });
    });

  const phone: Phone = {
    events,
    async call(target, timeoutMs) {
      adopt(await gw.call(target, { audio: true, video: false }));
      await waitState('connected', timeoutMs);
    },
    async answer(timeoutMs) {
      const end = Date.now() + timeoutMs;
      while (incoming.length === 0) {
        if (Date.now() > end) throw new Error('no incoming call');
        await new Promise((r) => setTimeout(r, 20));
      }
      const call = incoming.shift()!;
      adopt(call);
      await call.answer({ audio: true, video: false });
      await waitState('connected', Math.max(1000, end - Date.now()));
      return call.peer;
    },
    hold: () => the().hold(),
    resume: () => the().resume(),
    sendDtmf: (digits) => the().sendDtmf(digits),
    sendData: (data) => the().sendData(data),
    hangup: () => the().hangup(),
    waitState,
    async stats() {
      const call = the();
      const report: PhoneStats = { state: call.state, endReason: call.endReason ?? null, audioPacketsReceived: 0, audioPacketsSent: 0, totalAudioEnergy: 0, codec: null };
      if (call.state === 'ended') return report;
      const stats = await call.peerConnection.getStats();
      const byId = new Map<string, Record<string, unknown>>();
      stats.forEach((s: Record<string, unknown>) => byId.set(s['id'] as string, s));
      for (const s of byId.values()) {
        if (s['type'] === 'inbound-rtp' && s['kind'] === 'audio') {
          report.audioPacketsReceived = s['packetsReceived'] as number;
          report.totalAudioEnergy = (s['totalAudioEnergy'] as number | undefined) ?? 0;
          const codec = byId.get(s['codecId'] as string);
          report.codec = codec ? (codec['mimeType'] as string) : null;
        }
        if (s['type'] === 'outbound-rtp' && s['kind'] === 'audio') report.audioPacketsSent = s['packetsSent'] as number;
      }
      return report;
    },
    close: () => gw.close(),
  };
  (window as unknown as { phone: Phone }).phone = phone;
}
