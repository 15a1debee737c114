// Runs inside Chromium: signs in with an id, waits for an incoming call from the SIP side,
// answers it, lets media flow, reads getStats(), and waits for the far end to hang up.
// Self-contained (serialised by page.evaluate).

export interface AnswerArgs {
  id: string;
  /** How long to keep the call up before reading statistics. */
  seconds: number;
  /** Give up waiting for the INVITE after this long. */
  waitMs: number;
}

export interface AnswerReport {
  from: string;
  state: string;
  endReason: string | null;
  audioPacketsReceived: number;
  totalAudioEnergy: number;
  codec: string | null;
}

export async function answerIncoming(args: AnswerArgs): Promise<AnswerReport> {
  type SdkCall = {
    peer: string;
    state: string;
    endReason: string | null;
    peerConnection: RTCPeerConnection;
    remoteStream: MediaStream;
    answer(options: { audio: boolean; video: boolean }): Promise<void>;
    on(event: 'state', handler: (state: string) => void): void;
  };
  type Sdk = {
    connect(): Promise<{
      signIn(id: string): Promise<unknown>;
      on(event: 'incoming', handler: (call: SdkCall) => void): void;
      close(): void;
    }>;
  };
  const sdkUrl = '/sdk/rtcgate.js';
  const sdk = (await import(sdkUrl)) as Sdk;
  const gw = await sdk.connect();
  await gw.signIn(args.id);
  (window as unknown as { rtcgateSignedIn: boolean }).rtcgateSignedIn = true;
  const call = await new Promise<SdkCall>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no incoming call')), args.waitMs);
    gw.on('incoming', (c) => {
      clearTimeout(timer);
      resolve(c);
    });
  });
  const audio = document.createElement('audio');
  audio.autoplay = true;
  audio.srcObject = call.remoteStream;
  document.body.append(audio);
  await call.answer({ audio: true, video: false });
  await new Promise((r) => setTimeout(r, args.seconds * 1000));
  const report: AnswerReport = { from: call.peer, state: call.state, endReason: null, audioPacketsReceived: 0, totalAudioEnergy: 0, codec: null };
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
  }
  // The SIP side hangs up (BYE): wait for the call to end.
  await new Promise<void>((resolve) => {
    if (call.state === 'ended') return resolve();
    const timer = setTimeout(resolve, 15000);
    call.on('state', (s) => {
      if (s === 'ended') {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  report.state = call.state;
  report.endReason = call.endReason;
  gw.close();
  return report;
}
