// Runs inside Chromium (serialised by page.evaluate): signs in as Anon, places `count` loop-back
// calls to "self" through the gateway, lets media flow, reads getStats(), and hangs up.
// Self-contained on purpose: nothing from the test's scope exists in the page.

export interface LoopbackArgs {
  count: number;
  video: boolean;
  seconds: number;
  /** "self" (default) or "self-pcmu". */
  target?: string;
}

export interface CallReport {
  state: string;
  endReason: string | null;
  setupMs: number;
  dtlsState: string | null;
  localAddress: string | null;
  remoteAddress: string | null;
  audioPacketsReceived: number;
  audioPacketsSent: number;
  totalAudioEnergy: number;
  roundTripTime: number | null;
  videoFramesDecoded: number;
  codec: string | null;
}

export async function loopbackCalls(args: LoopbackArgs): Promise<CallReport[]> {
  type SdkCall = {
    state: string;
    endReason: string | null;
    peerConnection: RTCPeerConnection;
    remoteStream: MediaStream;
    hangup(): void;
    on(event: 'state', handler: (state: string) => void): void;
  };
  type Sdk = {
    connect(options?: { url?: string }): Promise<{
      signIn(id: string): Promise<unknown>;
      call(target: string, options: { audio: boolean; video: boolean }): Promise<SdkCall>;
      close(): void;
    }>;
  };
  const sdkUrl = '/sdk/rtcgate.js';
  const sdk = (await import(sdkUrl)) as Sdk;
  const gw = await sdk.connect();
  await gw.signIn('Anon');

  const waitFor = (call: SdkCall, state: string, ms: number): Promise<void> =>
    new Promise((resolve, reject) => {
      if (call.state === state) return resolve();
      const timer = setTimeout(() => reject(new Error(`call stuck in ${call.state}, wanted ${state}`)), ms);
      call.on('state', (s) => {
        if (s === state) {
          clearTimeout(timer);
          resolve();
        }
      });
    });

  const calls: { call: SdkCall; setupMs: number }[] = [];
  await Promise.all(
    Array.from({ length: args.count }, async () => {
      const started = performance.now();
      const call = await gw.call(args.target ?? 'self', { audio: true, video: args.video });
      // Remote audio must reach an <audio> element or audio levels stay at 0.
      const audio = document.createElement('audio');
      audio.autoplay = true;
      audio.srcObject = call.remoteStream;
      document.body.append(audio);
      if (args.video) {
        const video = document.createElement('video');
        video.autoplay = true;
        video.muted = true;
        video.srcObject = call.remoteStream;
        document.body.append(video);
      }
      await waitFor(call, 'connected', 15000);
      calls.push({ call, setupMs: performance.now() - started });
    }),
  );

  await new Promise((r) => setTimeout(r, args.seconds * 1000));

  const reports: CallReport[] = [];
  for (const { call, setupMs } of calls) {
    const stats = await call.peerConnection.getStats();
    const report: CallReport = {
      state: call.state,
      endReason: null,
      setupMs,
      dtlsState: null,
      localAddress: null,
      remoteAddress: null,
      audioPacketsReceived: 0,
      audioPacketsSent: 0,
      totalAudioEnergy: 0,
      roundTripTime: null,
      videoFramesDecoded: 0,
      codec: null,
    };
    const byId = new Map<string, Record<string, unknown>>();
    stats.forEach((s: Record<string, unknown>) => byId.set(s['id'] as string, s));
    for (const s of byId.values()) {
      if (s['type'] === 'transport') {
        report.dtlsState = s['dtlsState'] as string;
        const pair = byId.get(s['selectedCandidatePairId'] as string);
        if (pair) {
          const local = byId.get(pair['localCandidateId'] as string);
          const remote = byId.get(pair['remoteCandidateId'] as string);
          report.localAddress = local ? `${local['address'] as string}:${local['port'] as number}` : null;
          report.remoteAddress = remote ? `${remote['address'] as string}:${remote['port'] as number}` : null;
        }
      }
      if (s['type'] === 'inbound-rtp' && s['kind'] === 'audio') {
        report.audioPacketsReceived = s['packetsReceived'] as number;
        report.totalAudioEnergy = (s['totalAudioEnergy'] as number | undefined) ?? 0;
        const codec = byId.get(s['codecId'] as string);
        report.codec = codec ? (codec['mimeType'] as string) : null;
      }
      if (s['type'] === 'outbound-rtp' && s['kind'] === 'audio') report.audioPacketsSent = s['packetsSent'] as number;
      if (s['type'] === 'remote-inbound-rtp' && s['kind'] === 'audio' && typeof s['roundTripTime'] === 'number')
        report.roundTripTime = s['roundTripTime'] as number;
      if (s['type'] === 'inbound-rtp' && s['kind'] === 'video') report.videoFramesDecoded = s['framesDecoded'] as number;
    }
    reports.push(report);
  }

  for (const { call } of calls) call.hangup();
  for (const [i, { call }] of calls.entries()) {
    await waitFor(call, 'ended', 5000);
    const r = reports[i];
    if (r) r.endReason = call.endReason;
  }
  gw.close();
  return reports;
}
