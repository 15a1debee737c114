// Page functions for hostile.test.ts, run inside Chromium by page.evaluate (each one is
// serialised on its own, so each is self-contained). placeCall() leaves a loop-back call to
// "self" up and parks it on window.__rtcgateHostileCall; readInbound() and hangUp() find it
// there later.

export interface PlacedCall {
  /** The browser's own ICE ufrag (a=ice-ufrag of its local description). */
  localUfrag: string | null;
  setupMs: number;
}

export interface InboundAudio {
  state: string;
  packetsReceived: number;
  totalAudioEnergy: number;
}

export async function placeCall(): Promise<PlacedCall> {
  type SdkCall = {
    state: string;
    peerConnection: RTCPeerConnection;
    remoteStream: MediaStream;
    on(event: 'state', handler: (state: string) => void): void;
  };
  type Sdk = {
    connect(options?: { url?: string }): Promise<{
      signIn(id: string): Promise<unknown>;
      call(target: string, options: { audio: boolean; video: boolean }): Promise<SdkCall>;
    }>;
  };
  const sdkUrl = '/sdk/rtcgate.js';
  const sdk = (await import(sdkUrl)) as Sdk;
  const gw = await sdk.connect();
  await gw.signIn('Anon');
  const started = performance.now();
  const call = await gw.call('self', { audio: true, video: false });
  // Remote audio must reach an <audio> element or audio levels stay at 0.
  const audio = document.createElement('audio');
  audio.autoplay = true;
  audio.srcObject = call.remoteStream;
  document.body.append(audio);
  await new Promise<void>((resolve, reject) => {
    if (call.state === 'connected') return resolve();
    const timer = setTimeout(() => reject(new Error(`call stuck in ${call.state}`)), 15000);
    call.on('state', (s) => {
      if (s === 'connected') {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  (window as unknown as Record<string, unknown>)['__rtcgateHostileCall'] = { call, gw };
  const sdp = call.peerConnection.localDescription?.sdp ?? '';
  const ufrag = /^a=ice-ufrag:(\S+)/m.exec(sdp);
  return { localUfrag: ufrag?.[1] ?? null, setupMs: performance.now() - started };
}

export async function readInbound(): Promise<InboundAudio> {
  type Parked = { call: { state: string; peerConnection: RTCPeerConnection } };
  const parked = (window as unknown as Record<string, Parked | undefined>)['__rtcgateHostileCall'];
  if (parked === undefined) throw new Error('no call placed');
  const stats = await parked.call.peerConnection.getStats();
  const out: InboundAudio = { state: parked.call.state, packetsReceived: 0, totalAudioEnergy: 0 };
  stats.forEach((s: Record<string, unknown>) => {
    if (s['type'] === 'inbound-rtp' && s['kind'] === 'audio') {
      out.packetsReceived = s['packetsReceived'] as number;
      out.totalAudioEnergy = (s['totalAudioEnergy'] as number | undefined) ?? 0;
    }
  });
  return out;
}

export async function hangUp(): Promise<string | null> {
  type Parked = {
    call: { state: string; endReason: string | null; hangup(): void; on(event: 'state', handler: (state: string) => void): void };
    gw: { close(): void };
  };
  const parked = (window as unknown as Record<string, Parked | undefined>)['__rtcgateHostileCall'];
  if (parked === undefined) return null;
  const { call, gw } = parked;
  call.hangup();
  await new Promise<void>((resolve) => {
    if (call.state === 'ended') return resolve();
    const timer = setTimeout(resolve, 5000);
    call.on('state', (s) => {
      if (s === 'ended') {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  gw.close();
  delete (window as unknown as Record<string, unknown>)['__rtcgateHostileCall'];
  return call.endReason;
}
