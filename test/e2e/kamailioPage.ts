// Runs inside Chromium (each function serialised by page.evaluate, so each is self-contained):
// keeps one signed-in gateway connection on `window` across evaluates, so a test can sign in,
// call, sign out and close in separate steps while it checks the SIP server in between.

export interface SignInArgs {
  id: string;
}

export interface SipCallArgs {
  target: string;
  /** Keep the call up this long after it connected, then read statistics and hang up. */
  seconds: number;
  /** Give up when the call is neither connected nor ended after this long. */
  connectMs: number;
}

export interface SipCallReport {
  connected: boolean;
  state: string;
  endReason: string | null;
  error: string | null;
  setupMs: number;
  audioPacketsReceived: number;
  audioPacketsSent: number;
  totalAudioEnergy: number;
  codec: string | null;
}

type PageCall = {
  state: string;
  endReason: string | null;
  peerConnection: RTCPeerConnection;
  remoteStream: MediaStream;
  hangup(): void;
  on(event: 'state', handler: (state: string) => void): void;
};
type PageGateway = {
  signIn(id: string): Promise<{ id: string; anonymous: boolean }>;
  signOut(): Promise<void>;
  call(target: string, options: { audio: boolean; video: boolean }): Promise<PageCall>;
  close(): void;
};

/** Connects, signs in as `id` and keeps the connection in `window.kamGateway`. */
export async function kamSignIn(args: SignInArgs): Promise<{ id: string; anonymous: boolean }> {
  const sdkUrl = '/sdk/rtcgate.js';
  const sdk = (await import(sdkUrl)) as { connect(): Promise<PageGateway> };
  const gw = await sdk.connect();
  (window as unknown as { kamGateway: PageGateway }).kamGateway = gw;
  return gw.signIn(args.id);
}

export async function kamSignOut(): Promise<void> {
  await (window as unknown as { kamGateway: PageGateway }).kamGateway.signOut();
}

export function kamClose(): void {
  (window as unknown as { kamGateway?: PageGateway }).kamGateway?.close();
}

/** Calls `target` on the signed-in connection; reports whether it connected, and its audio. */
export async function kamCall(args: SipCallArgs): Promise<SipCallReport> {
  const gw = (window as unknown as { kamGateway: PageGateway }).kamGateway;
  const report: SipCallReport = {
    connected: false,
    state: 'new',
    endReason: null,
    error: null,
    setupMs: 0,
    audioPacketsReceived: 0,
    audioPacketsSent: 0,
    totalAudioEnergy: 0,
    codec: null,
  };
  const started = performance.now();
  let call: PageCall;
  try {
    call = await gw.call(args.target, { audio: true, video: false });
  } catch (error) {
    report.error = error instanceof Error ? error.message : String(error);
    return report;
  }
  // Remote audio must reach an <audio> element or audio levels stay at 0.
  const audio = document.createElement('audio');
  audio.autoplay = true;
  audio.srcObject = call.remoteStream;
  document.body.append(audio);

  const settled = await new Promise<string>((resolve) => {
    if (call.state === 'connected' || call.state === 'ended') return resolve(call.state);
    const timer = setTimeout(() => resolve('timeout'), args.connectMs);
    call.on('state', (s) => {
      if (s === 'connected' || s === 'ended') {
        clearTimeout(timer);
        resolve(s);
      }
    });
  });
  report.setupMs = performance.now() - started;
  report.connected = settled === 'connected';
  if (report.connected) {
    await new Promise((r) => setTimeout(r, args.seconds * 1000));
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
  }
  if (call.state !== 'ended') {
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
  }
  report.state = call.state;
  report.endReason = call.endReason;
  audio.remove();
  return report;
}
